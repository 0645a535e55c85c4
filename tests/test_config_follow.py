"""The config reload loop looks at the files on a thread of its own: the event loop of an
idle process that follows its config does nothing until a look finds something."""

from __future__ import annotations

import asyncio
import threading

from lishi_tui.config import live
from lishi_tui.config.reload import Reload
from tests.support.waiting import until_async


class Files:
    """Stands in for ``ConfigWatcher``: ``poll`` as the reload loop calls it, recorded."""

    broken = False

    def __init__(self, found_at: int) -> None:
        self.found_at = found_at
        self.threads: set[threading.Thread] = set()
        self.looks = 0

    def poll(self, *, force: bool = False) -> Reload | None:
        self.threads.add(threading.current_thread())
        self.looks += 1
        if force:
            return Reload(data_changed=("forced",))
        if self.looks == self.found_at:
            return Reload(data_changed=("csv_source",))
        return None


def looker_running() -> bool:
    return any(t.name == "lishi-config-watcher" for t in threading.enumerate())


async def test_follow_looks_on_its_own_thread_and_hands_over_only_what_it_found() -> None:
    files = Files(found_at=5)
    found: list[Reload] = []
    force = asyncio.Event()
    follower = asyncio.create_task(
        live.follow(files, found.append, force=force, interval=0.01)  # type: ignore[arg-type]
    )
    try:
        await until_async(lambda: found, what="the fifth look's find")
        assert [r.data_changed for r in found] == [("csv_source",)]
        assert threading.current_thread() not in files.threads  # never on the loop's thread
        await until_async(lambda: files.looks > 8, what="more looks")
        assert len(found) == 1  # the looks that found nothing handed nothing over

        force.set()  # e.g. SIGHUP: look now, whatever the interval
        await until_async(lambda: len(found) == 2, what="the forced look")
        assert found[1].data_changed == ("forced",)
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    await until_async(lambda: not looker_running(), what="the looking thread ended")


async def test_a_failing_look_ends_follow_with_its_error() -> None:
    class Broken(Files):
        def poll(self, *, force: bool = False) -> Reload | None:
            raise OSError("disk gone")

    follower = live.follow(Broken(0), lambda _: None, interval=0.01)  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(follower, 30)
    except OSError as exc:
        assert "disk gone" in str(exc)
    else:
        raise AssertionError("follow went on after a failed look")
