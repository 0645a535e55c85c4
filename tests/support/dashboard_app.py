"""The app on the shared test config and a filled store: what tests of the dashboard share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lishi_tui.app import LishiApp, make_app
from lishi_tui.app.widgets.panels import Panel
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store
from tests.support.waiting import until, until_shown


def filled_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """For a test module's ``store`` fixture: the shared test figures in a real SQLite file."""
    s = SqliteStore(tmp_path / "lishi.db")
    fill_store(s)
    yield s
    s.close()


def app_for(store: SqliteStore, *, env: Mapping[str, str] | None = None, **kw: object) -> LishiApp:
    return make_app(
        build_config(**kw),  # type: ignore[arg-type]
        build_registry(),
        store,
        clock=lambda: FIXED_NOW,
        env=env if env is not None else {},
    )


def panel_for(app: LishiApp, indicator: str) -> Panel:
    return next(p for p in app.dashboard.panels if p.indicator_ids == (indicator,))


def page_of(app: LishiApp, panel: Panel) -> int:
    return next(n for n, (_, panels) in enumerate(app.dashboard.pages) if panel in panels)


async def first_page_up(pilot: Any, app: LishiApp) -> None:
    """The start settled: the first page's figures drawn and its first panel focused (the
    focus comes a refresh after the first frame), then one more pass for that repaint."""
    await until_shown(pilot, "51 %")
    first = app.dashboard.pages[app.dashboard.shown_page][1][0]
    await until(pilot, lambda: app.focused is first, what="the first panel focused")
    await pilot.pause()
