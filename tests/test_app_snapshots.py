"""Reviewed pictures: the overview, page 1, page 4 and a detail of the bundled config's published
figures at 80x24, 120x40 and 200x60, in Chinese and in English; fixed clock, no animation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerState

from lishi_tui.app import make_app
from lishi_tui.app.app import LishiApp
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.config.schema import Config
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text
from tests.support.bundled_app import bundled_app
from tests.support.waiting import until

# (keys pressed, name): the overview is the first tab; 4 is the livelihood page; Enter on the
# livelihood page's first panel opens the requests-handled detail.
VIEWS = [((), "overview"), (("1",), "page1"), (("4",), "page4"), (("4", "enter"), "detail")]
SIZES = {"80x24": (80, 24), "120x40": (120, 40), "200x60": (200, 60)}
CASES = [(lang, size, view) for lang in ("zh", "en") for size in SIZES for view in VIEWS]


async def press_and_wait(pilot: Pilot[Any], key: str) -> None:
    """Press ``key`` and wait for what it does: a page shown with a panel of it focused (the
    focus follows a refresh later, and Enter acts on it), or the detail screen read."""
    app = pilot.app
    assert isinstance(app, LishiApp)
    board = app.dashboard
    if key.isdigit():
        index = board.page_keys[int(key)]
        await until(pilot, lambda: app.focused is not None, what="a panel focused")
        await pilot.press(key)
        await until(
            pilot,
            lambda: board.page_index == index and app.focused in board.pages[index][1],
            what=f"page {index} shown and focused",
        )
    else:
        await pilot.press(key)
        if key == "enter":
            await until(
                pilot,
                lambda: isinstance(app.screen, DetailScreen) and app.screen.reads,
                what="the detail read",
            )


async def settled(pilot: Pilot[Any]) -> None:
    """No worker running, the store watcher's first read shown, and the screen the same on
    two looks in a row."""
    app = pilot.app
    last = ""

    def still() -> bool:
        nonlocal last
        if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return False
        # The store watcher reads on a thread of its own, not a worker: its first read (the
        # collector's heartbeat, which the header's "no collector" words come from) shown.
        if isinstance(app, LishiApp) and app.polls < 1:
            return False
        now, was = screen_text(app), last
        last = now
        return now == was

    await until(pilot, still, what="the screen settled", show=lambda: last)


@pytest.mark.parametrize(
    ("lang", "size", "view"), CASES, ids=[f"{v[1]}-{s}-{lang}" for lang, s, v in CASES]
)
def test_bundled_snapshot(
    snap_compare: object,
    published: tuple[Path, Config, Registry],
    lang: str,
    size: str,
    view: tuple[tuple[str, ...], str],
) -> None:
    path, config, registry = published
    keys = view[0]

    async def show(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await until(pilot, lambda: pilot.app.focused is not None, what="the first page up")
        for key in keys:
            await press_and_wait(pilot, key)
        await settled(pilot)

    app = bundled_app(SqliteStore(path), config, registry, lang=lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=show)  # type: ignore[operator]


def test_detail_snapshot(snap_compare: object, tmp_path: Path) -> None:
    """A chart detail (history with demo points, target, on-track path)."""
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    app.animation_level = "none"

    async def show(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await press_and_wait(pilot, "3")
        await press_and_wait(pilot, "enter")
        # The test registry's broken plugin is told in a toast at start (tests/test_app_language.py);
        # this picture is of the detail screen under it.
        pilot.app.clear_notifications()
        await settled(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=show)  # type: ignore[operator]
