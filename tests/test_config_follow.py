"""The config reload loop looks at the files on a thread of its own: the event loop of an
idle process that follows its config does nothing until a look finds something."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.config import live
from lishi_tui.config.reload import Reload
from lishi_tui.file_events import FileEvents
from lishi_tui.store.sqlite import SqliteStore
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


class WatchedFiles(Files):
    """``Files`` that names the file it reads, as ``ConfigWatcher.watched`` does."""

    def __init__(self, path: Path) -> None:
        super().__init__(found_at=0)
        self.path = path

    def watched(self) -> list[Path]:
        return [self.path]


async def test_with_file_events_the_files_are_looked_at_only_after_one_of_them_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No fallback look in this test: every look is explained by an event or a force.
    monkeypatch.setattr(live, "FALLBACK_S", 3600.0)
    woken: list[bool] = []  # each time the looker was woken by file events
    drain = FileEvents.drain

    def counted(self: FileEvents) -> bool:
        woken.append(drain(self))
        return woken[-1]

    monkeypatch.setattr(FileEvents, "drain", counted)
    config = tmp_path / "lishi.toml"
    config.write_text("[app]\n")
    probe = FileEvents.open([config])
    if probe is None:
        pytest.skip("no inotify here: the looker polls every interval")
    probe.close()
    store = SqliteStore(tmp_path / "history.db")  # a database in the same folder
    files = WatchedFiles(config)
    force = asyncio.Event()
    follower = asyncio.create_task(
        live.follow(files, lambda _: None, force=force, interval=0.01)  # type: ignore[arg-type]
    )
    try:
        await until_async(looker_running, what="the looking thread")
        force.set()  # a sync point: the first look, with the events set up
        await until_async(lambda: files.looks == 1, what="the forced look")
        for _ in range(5):  # commits write pages: no wake-up, no look
            store.heartbeat(1, "test", datetime.now(UTC))
        force.set()
        await until_async(lambda: files.looks == 2, what="the second forced look")
        assert woken == []  # the file events never woke it
        (tmp_path / "notes.txt").write_text("x")  # another file saved: no look
        config.write_text("[app]\nlanguage = 'en'\n")  # a save: looks a tick apart, 3 times
        await until_async(lambda: files.looks == 2 + live.LOOKS_AFTER_EVENT, what="the looks")
        force.set()
        await until_async(lambda: files.looks > 2 + live.LOOKS_AFTER_EVENT, what="forced")
        assert files.looks == 3 + live.LOOKS_AFTER_EVENT  # nothing looked in between
        assert True in woken
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
        store.close()
    await until_async(lambda: not looker_running(), what="the looking thread ended")
