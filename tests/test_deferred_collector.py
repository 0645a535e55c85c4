"""The dashboard's in-process collector is made after the first frame: its module (and
httpx) is not imported before it, and what happens to it meanwhile (a reload, a stop)
reaches it or stops it from being made."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lishi_tui.app.collector_api import DeferredCollector
from tests.app_support import build_config
from tests.support.bundled import CONFIG

# The real command on the bundled config, its App.run replaced by a headless run that
# notes, at the first frame, which of these modules are imported; then it waits for the
# collector to be made and to finish a run of the bundled demo sources, and quits.
_DRIVE = """
import json
import sys
from lishi_tui.app.app import LishiApp
from lishi_tui.cli import main

LATER = ("httpx", "lishi_tui.collector.collector")
seen = {}

async def drive(app):
    compositor = app.dashboard._compositor
    render_update = compositor.render_update

    def noted(full=False, **kwargs):
        if not full and "first" not in seen:
            seen["first"] = [m for m in LATER if m in sys.modules]
        return render_update(full=full, **kwargs)

    compositor.render_update = noted
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            made = getattr(app.collector, "made", None)
            if made is not None and any(s.last_success for s in made.states().values()):
                break
            await pilot.pause(0.05)
        seen["made"] = type(getattr(app.collector, "made", None)).__name__
        seen["after"] = [m for m in LATER if m in sys.modules]
        await pilot.press("q")

def run(self, *args, **kwargs):
    import asyncio
    asyncio.run(drive(self))

LishiApp.run = run
code = main(["--config", sys.argv[1], "--db", sys.argv[2]])
print(json.dumps(seen))
sys.exit(code)
"""


def test_the_dashboard_imports_its_collector_after_the_first_frame(tmp_path: Path) -> None:
    """``lishi-tui`` on the bundled config (its collector runs in the process): nothing of
    the collector or httpx before the first frame; after it, the collector is made and runs."""
    script = tmp_path / "drive.py"
    script.write_text(_DRIVE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = subprocess.run(
        [sys.executable, str(script), str(CONFIG), str(tmp_path / "h.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["first"] == []
    assert seen["made"] == "Collector"
    assert seen["after"] == ["httpx", "lishi_tui.collector.collector"]


class _Fake:
    def __init__(self, config: object) -> None:
        self.config = config
        self.applied: list[object] = []
        self.runs = 0
        self.stopped = False

    async def run_forever(self) -> None:
        self.runs += 1

    def refresh(self, source_id: str | None = None) -> object:
        return source_id

    async def stop(self) -> None:
        self.stopped = True

    def states(self) -> Mapping[str, object]:
        return {"s": "state"}

    def apply_config(self, config: object) -> None:
        self.applied.append(config)


def test_a_reload_before_it_is_made_is_what_it_is_made_with() -> None:
    first, second, third = (
        build_config(),
        build_config(language="en"),
        build_config(overview="last"),
    )
    made: list[_Fake] = []
    threads: list[threading.Thread] = []

    def make(config: Any) -> _Fake:
        made.append(_Fake(config))
        return made[-1]

    deferred = DeferredCollector(
        make, first, prepare=lambda: threads.append(threading.current_thread())
    )
    assert deferred.states() == {} and deferred.refresh("s") is None
    deferred.apply_config(second)  # a save of the file before the first frame
    asyncio.run(deferred.run_forever())
    assert [f.config for f in made] == [second] and made[0].runs == 1
    assert threads and threads[0] is not threading.main_thread()  # the imports, off the loop
    deferred.apply_config(third)
    assert made[0].applied == [third]
    assert deferred.states() == {"s": "state"} and deferred.refresh("s") == "s"
    asyncio.run(deferred.stop())
    assert made[0].stopped


def _recording(made: list[object]) -> Any:
    def make(config: object) -> _Fake:
        made.append(config)
        return _Fake(config)

    return make


def test_a_stop_before_it_is_made_means_it_is_never_made() -> None:
    made: list[object] = []
    deferred = DeferredCollector(_recording(made), build_config())
    asyncio.run(deferred.stop())
    asyncio.run(deferred.run_forever())
    assert made == [] and deferred.made is None


def test_a_stop_while_it_imports_means_it_is_never_made() -> None:
    made: list[object] = []

    async def scenario() -> None:
        importing = threading.Event()
        release = threading.Event()

        def prepare() -> None:
            importing.set()
            release.wait(10)

        deferred = DeferredCollector(_recording(made), build_config(), prepare=prepare)
        task = asyncio.create_task(deferred.run_forever())
        await asyncio.to_thread(importing.wait, 10)
        await deferred.stop()
        release.set()
        await task

    asyncio.run(scenario())
    assert made == []
