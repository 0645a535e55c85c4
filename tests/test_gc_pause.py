"""Python's cycle collector is held off from ``lishi-tui``'s first import to the dashboard's
first frame, and only then (every other command resumes it at once)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lishi_tui import gc_pause
from lishi_tui.cli import main
from lishi_tui.store.sqlite import SqliteStore
from tests.support.bundled import CONFIG
from tests.support.dashboard_app import app_for, filled_store, first_page_up


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


@pytest.fixture
def paused() -> Iterator[None]:
    """As ``lishi-tui`` starts; the collector is left running whatever the test did."""
    gc_pause.pause()
    try:
        yield
    finally:
        gc_pause.resume()
        gc.enable()


@pytest.mark.usefixtures("paused")
async def test_the_dashboard_resumes_the_collector_after_its_first_frame(
    store: SqliteStore,
) -> None:
    app = app_for(store)
    at_frames: list[bool] = []
    compositor = app.dashboard._compositor
    render_update: Callable[..., Any] = compositor.render_update

    def seen(full: bool = False, **kwargs: Any) -> Any:
        if not full:
            at_frames.append(gc.isenabled())
        return render_update(full=full, **kwargs)

    compositor.render_update = seen  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        assert at_frames[0] is False  # the first frame, drawn with the collector held off
        assert gc.isenabled() and not gc_pause.paused()


@pytest.mark.usefixtures("paused")
def test_a_command_other_than_the_dashboard_resumes_it_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not gc.isenabled()
    assert main(["plugins", "--config", str(CONFIG)], env={}) == 0
    assert gc.isenabled()
    assert "demo" in capsys.readouterr().out


def test_resume_leaves_a_collector_someone_else_disabled() -> None:
    gc.disable()
    try:
        gc_pause.pause()
        gc_pause.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_command_pauses_it_before_importing_the_cli(tmp_path: Path) -> None:
    """``lishi-tui`` and ``python -m lishi_tui`` (one ``entry``): the collector is off when
    the CLI's modules are imported, and on again once ``plugins`` knows what it runs;
    importing lishi_tui alone leaves it alone."""
    code = (
        "import gc, sys\n"
        "import lishi_tui.__main__ as m\n"
        "assert gc.isenabled() and 'lishi_tui.cli' not in sys.modules\n"
        "seen = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'lishi_tui.cli':\n"
        "            seen.append(gc.isenabled())\n"
        "sys.meta_path.insert(0, Spy())\n"
        f"sys.argv = ['lishi-tui', 'plugins', '--config', {str(CONFIG)!r}]\n"
        "code = m.entry()\n"
        "print('RESULT', code, seen, gc.isenabled())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.splitlines()[-1] == "RESULT 0 [False] True"
