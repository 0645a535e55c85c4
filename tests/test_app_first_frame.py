"""The first frame: drawn once, whole (figures, focus, footer keys), from bounded reads."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.app import LishiApp
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.store.sqlite import SqliteStore
from tests.support.dashboard_app import app_for, filled_store, first_page_up
from tests.support.waiting import until, until_shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


class Frames:
    """Each frame Textual draws of the dashboard screen, and what the screen held then.

    A frame is whole when it sends every cell (the whole screen was dirty); tests that read
    the screen render it themselves with ``full=True``, which is not a frame.
    """

    def __init__(self, app: LishiApp, store: SqliteStore) -> None:
        self.frames: list[dict[str, Any]] = []
        self.loop_sql: list[str] = []  # statements run on the event loop's thread
        self._loop = threading.get_ident()
        compositor = app.dashboard._compositor
        render_update: Callable[..., Any] = compositor.render_update

        def counted(full: bool = False, **kwargs: Any) -> Any:
            if not full:
                screen = app.dashboard
                self.frames.append(
                    {
                        "whole": compositor.size.region in compositor._dirty_regions,
                        "focused": screen.focused,
                        "footer_keys": len(screen.query_one(KeyLine).keys),
                        "widgets": len(list(screen.walk_children())),
                        "loop_sql": len(self.loop_sql),
                        # This app's watcher thread, started (another test's may still be
                        # ending: a name among all threads would see it).
                        "watching": app._watcher is not None
                        and app._watcher._thread.ident is not None,
                        "alert_reads": app.alert_watch.reads,
                    }
                )
            return render_update(full=full, **kwargs)

        compositor.render_update = counted  # type: ignore[method-assign,assignment]
        store._conn.set_trace_callback(self._traced)

    def _traced(self, sql: str) -> None:
        if threading.get_ident() == self._loop:
            self.loop_sql.append(sql)

    @property
    def whole(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["whole"]]


async def test_the_first_frame_is_whole_and_drawn_once(store: SqliteStore) -> None:
    """The first page's figures, the first panel's focus and the footer's keys are in the
    first frame, and no whole-screen repaint follows it (Textual's own after a screen's first
    resume, a focus given a refresh later, a footer composed empty): at 120x40 each is
    every cell of the screen again."""
    app = app_for(store)
    seen = Frames(app, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await pilot.pause(0.2)
        first = seen.frames[0]
        assert first["whole"]
        assert first["focused"] is app.dashboard.pages[0][1][0]
        assert first["footer_keys"] == 8  # q ? / ⏎ r p Tab a
        assert len(seen.whole) == 1, seen.frames


async def test_the_first_frame_reads_only_what_it_shows(store: SqliteStore) -> None:
    """Store reads on the event loop before the first frame: a fixed few (version, cursor,
    health) and three per indicator the first page shows, each by index, none a scan."""
    app = app_for(store)
    seen = Frames(app, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        shown = app.dashboard.needs(0)
        before = seen.loop_sql[: seen.frames[0]["loop_sql"]]
        assert len(before) == 6 + 3 * len(shown), before
        observations = [q for q in before if "FROM observations" in q]
        assert {i for i in shown if any(f"'{i}'" in q for q in observations)} == set(shown)
        with sqlite3.connect(store.path) as db:
            plans = [
                row[3]
                for q in before
                if q.startswith("SELECT")
                for row in db.execute(f"EXPLAIN QUERY PLAN {q}")
            ]
        # Scanned, if at all: the one-row-per-indicator and per-source summaries only.
        summaries = ("SCAN indicator_summary ", "SCAN h ", "SCAN json_each")
        scans = [p for p in plans if p.startswith("SCAN") and not p.startswith(summaries)]
        assert plans and scans == [], plans


async def test_the_store_watcher_starts_after_the_first_frame(store: SqliteStore) -> None:
    """The watcher's thread (its first look reads the alerts and the heartbeat, importing
    the alerts modules and the file listener) starts once the first frame is drawn: before
    it, it would share the interpreter with the first frame."""
    app = app_for(store)
    seen = Frames(app, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await until(pilot, lambda: app.alert_watch.reads >= 1, what="the first look applied")
        first = seen.frames[0]
        assert not first["watching"]
        assert first["alert_reads"] == 0


async def test_a_new_sub_title_redraws_the_header_only(store: SqliteStore) -> None:
    """The collector's state and the alert badge live in the sub-title: a change redraws the
    header's line, not the screen (Textual's App repaints the whole screen for it)."""
    app = app_for(store)
    seen = Frames(app, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await pilot.pause(0.2)
        frames = len(seen.frames)
        app.sub_title = "采集进程已停止 · 查看"
        await until_shown(pilot, "采集进程已停止")
        assert len(seen.frames) > frames  # it was drawn, as a frame of its own
        assert len(seen.whole) == 1


def test_the_app_module_leaves_the_other_screens_for_later() -> None:
    """What the first frame does not draw is imported when first used: the detail, plugins,
    help and picker screens, screenshots, rich's traceback (only for a crash report), and the
    alerts modules (the badge's worker and the alerts command import them)."""
    later = (
        "rich.traceback",
        "lishi_tui.alerts.records",
        "lishi_tui.alerts.engine",
        "lishi_tui.commands.alerts_run",
        "lishi_tui.app.screens.detail",
        "lishi_tui.app.screens.plugins",
        "lishi_tui.app.screens.help",
        "lishi_tui.app.screens.picker",
        "lishi_tui.app.screenshots",
    )
    code = (
        "import sys, lishi_tui.cli, lishi_tui.app.app\n"
        "lishi_tui.cli.build_parser()\n"  # every command's arguments (as --help builds them)
        f"print(' '.join(m for m in {later!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


async def test_reading_the_alerts_leaves_the_alerts_screen_unimported(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The badge and the panels' marks follow each alerts read; the alerts screen's module
    (DataTable, Input) is imported when that screen is first opened, not on the loop after
    the first frame because a read came in."""
    monkeypatch.delitem(sys.modules, "lishi_tui.app.screens.alerts", raising=False)
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await until(pilot, lambda: app.alert_watch.reads >= 1, what="the first alerts read")
        assert "lishi_tui.app.screens.alerts" not in sys.modules
        await pilot.press("a")  # the alerts screen opens all the same, and shows what was read
        await until(
            pilot,
            lambda: type(app.screen).__name__.startswith("AlertsScreen"),
            what="the alerts screen",
        )
