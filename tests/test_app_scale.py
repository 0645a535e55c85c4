"""A dashboard of 1,000 indicators: what is mounted, read and redone, counted (never timed).

The mechanisms that keep a large dashboard as quick as a small one: only the page on screen
is mounted and read from the store; a page is mounted and read when first shown; a long
page mounts its first screenful first; each panel's update looks up its own indicators
only; a status that does not change does not restyle; quitting tears down only what was
mounted, and the command ends without the interpreter freeing every object.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.app import make_app
from lishi_tui.app.app import LishiApp
from lishi_tui.app.formatting import period_text
from lishi_tui.app.i18n import t
from lishi_tui.app.screens import dashboard as dashboard_module
from lishi_tui.app.screens.dashboard import DashboardScreen
from lishi_tui.app.screens.page_layout import split_screenful
from lishi_tui.app.snapshot import GLANCE_POINTS, HISTORY_POINTS, IndicatorView, read_view
from lishi_tui.app.widgets.panels import Panel, PanelContext, make_panel, tall
from lishi_tui.app.widgets.panels.overview import OVERVIEW_HISTORY_POINTS, OverviewPanel
from lishi_tui.app.widgets.panels.tall import tall_lines
from lishi_tui.config.schema import (
    AppSettings,
    Config,
    PageConfig,
    PanelConfig,
    PanelKind,
    SourceConfig,
)
from lishi_tui.domain.model import Frequency, Indicator, Observation, Rag, Thresholds
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_registry, observation
from tests.support.panel_kinds import builtin_panel_types
from tests.support.waiting import until as wait_until

PER_PAGE = 8
KINDS = (PanelKind.STAT,) * 3 + (PanelKind.GAUGE,) + (PanelKind.STAT,) * 3 + (PanelKind.CHART,)


def ind(n: int) -> str:
    return f"ind{n:04d}"


def many_config(count: int, *, overview: str = "last", per_page: int = PER_PAGE) -> Config:
    """``count`` monthly indicators on pages of ``per_page`` one-indicator panels."""
    indicators = {
        ind(n): Indicator(
            id=ind(n),
            name_zh=f"指标{n + 1:04d}",
            name_en=f"Indicator {n + 1:04d}",
            unit="%",
            decimals=0,
            frequency=Frequency.MONTHLY,
            thresholds=Thresholds(green=70, amber=60),
            source="bulk",
        )
        for n in range(count)
    }
    pages = tuple(
        PageConfig(
            f"p{page:03d}",
            f"第{page + 1}页",
            f"Page {page + 1}",
            tuple(
                PanelConfig(KINDS[slot % len(KINDS)], (ind(n),))
                for slot, n in enumerate(range(page * per_page, min(count, (page + 1) * per_page)))
            ),
        )
        for page in range((count + per_page - 1) // per_page)
    )
    sources = {"bulk": SourceConfig("bulk", "csv", timedelta(hours=1), tuple(indicators), {})}
    return Config(
        path=None,
        app=AppSettings(overview=overview),
        sources=sources,
        indicators=indicators,
        pages=pages,
    )


class CountingStore(SqliteStore):
    """A real SQLite store that records every history read: (indicator, limit)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.history_reads: list[tuple[str, int | None]] = []

    def history(self, indicator_id: str, *args: Any, **kw: Any) -> list[Observation]:
        self.history_reads.append((indicator_id, kw.get("limit")))
        return super().history(indicator_id, *args, **kw)


def filled(tmp_path: Path, count: int) -> CountingStore:
    store = CountingStore(tmp_path / "many.db")
    may, june = Period.month(2021, 5), Period.month(2021, 6)
    store.write([observation(ind(n), may, 50 + n % 40, source="bulk") for n in range(count)])
    store.write([observation(ind(n), june, 51 + n % 40, source="bulk") for n in range(count)])
    return store


def app_for(config: Config, store: SqliteStore) -> LishiApp:
    return make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})


def mounted(app: LishiApp) -> list[Panel]:
    return list(app.dashboard.query(Panel))


def page_ids(config: Config, page: int) -> set[str]:
    return {i for p in config.pages[page].panels for i in p.indicators}


async def until(condition: Any, pilot: Any, polls: int = 1500) -> None:
    for _ in range(polls):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never held")


async def settled(app: LishiApp, pilot: Any) -> None:
    """The page shown is drawn and the next one read and mounted ahead."""
    screen = app.dashboard

    def ready() -> bool:
        ahead = screen.ahead
        return ahead is not None and all(p.is_mounted for p in screen.pages[ahead][1])

    await wait_until(pilot, ready, what="the next page read and mounted ahead")


async def test_only_the_shown_page_and_the_next_are_mounted_and_read(tmp_path: Path) -> None:
    config = many_config(1000)
    store = filled(tmp_path, 1000)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.dashboard
        assert isinstance(screen, DashboardScreen)
        assert len(screen.pages) == 126  # 125 pages and the overview, last
        # The page on screen, and the next one read and mounted (hidden) once it is drawn,
        # so that Tab finds it ready.
        await until(lambda: len(mounted(app)) == 2 * PER_PAGE, pilot)
        assert set(mounted(app)) == set(screen.pages[0][1]) | set(screen.pages[1][1])
        assert {i for i, _ in store.history_reads} == page_ids(config, 0) | page_ids(config, 1)
        # Each read as deep as its panel draws (a chart, a sparkline, a figure), and one row
        # more, which tells whether the read holds the whole history.
        assert set(store.history_reads) == {
            (p.indicator_ids[0], p.HISTORY_POINTS + 1) for n in (0, 1) for p in screen.pages[n][1]
        }
        # A chart as deep as a chart draws; a stat or gauge (a sparkline, a list of periods
        # when tall) no deeper than the widest terminal's columns.
        depth = {type(p).__name__: p.HISTORY_POINTS for n in (0, 1) for p in screen.pages[n][1]}
        assert depth == {
            "ChartPanel": HISTORY_POINTS,
            "StatPanel": GLANCE_POINTS,
            "GaugePanel": GLANCE_POINTS,
        }
        assert {limit for _, limit in store.history_reads} == {
            HISTORY_POINTS + 1,
            GLANCE_POINTS + 1,
        }

        store.history_reads.clear()
        screen.show_page(7)
        await until(lambda: len(mounted(app)) == 4 * PER_PAGE, pilot)
        pages = (0, 1, 7, 8)
        assert set(mounted(app)) == {p for n in pages for p in screen.pages[n][1]}
        assert {i for i, _ in store.history_reads} == page_ids(config, 7) | page_ids(config, 8)
        shown = screen.pages[7][1][0]
        assert shown.view() is not None and shown.view().latest is not None  # type: ignore[union-attr]

        store.history_reads.clear()
        screen.show_page(0)  # back: mounted, read, nothing changed since (nor on page 1)
        await until(lambda: screen.ahead == 1, pilot)
        assert store.history_reads == []
        assert len(mounted(app)) == 4 * PER_PAGE


async def test_the_overview_reads_only_the_periods_its_lines_show(tmp_path: Path) -> None:
    config = many_config(200, overview="first")
    store = filled(tmp_path, 200)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        assert isinstance(mounted(app)[0], OverviewPanel)
        assert len(mounted(app)) == 1 + PER_PAGE  # and the next page, once drawn
        # Each read is one row deeper than drawn: that row tells whether the read is whole.
        deep = OVERVIEW_HISTORY_POINTS + 1
        overview_reads = [(i, n) for i, n in store.history_reads if n == deep]
        assert {i for i, _ in overview_reads} == set(config.indicators)
        # The first configured page, read ahead, each as deep as its panel draws.
        ahead = {(p.indicator_ids[0], p.HISTORY_POINTS + 1) for p in app.dashboard.pages[1][1]}
        assert set(store.history_reads) == set(overview_reads) | ahead
        overview = app.dashboard.pages[0][1][0]
        assert len(overview.views) == 200
        trend = overview.views[ind(3)]
        assert trend.previous is not None and trend.previous.value == 53  # May, before June

        store.history_reads.clear()
        app.dashboard.show_page(1)  # read ahead: nothing to read now
        assert store.history_reads == []


async def test_a_figure_stored_off_screen_is_read_when_its_page_shows(tmp_path: Path) -> None:
    config = many_config(1000)
    store = filled(tmp_path, 1000)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        store.history_reads.clear()
        polls = app.polls
        july = Period.month(2021, 7)
        hidden, shown = ind(5 * PER_PAGE), ind(1)  # page 6 (not shown) and page 1
        store.write([observation(i, july, 88, source="bulk") for i in (hidden, shown)])
        await until(lambda: app.polls > polls, pilot)
        assert {i for i, _ in store.history_reads} == {shown}  # the page on screen only
        panel = next(p for p in app.dashboard.pages[5][1] if p.indicator_ids == (hidden,))
        assert panel.view() is None  # never read

        app.dashboard.show_page(5)
        await pilot.pause()
        view = panel.view()
        assert view is not None and view.latest is not None and view.latest.value == 88


async def test_a_page_switch_sends_no_statement_and_walks_only_the_points_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tab to the page read ahead: no statement from the UI thread (its figures were read
    and its panels mounted ahead), and a sparkline walks only the newest points it draws,
    however long the history kept in the view."""
    monkeypatch.setattr(dashboard_module, "PREPARE_AFTER_S", 60.0)  # no read-ahead in between
    config = many_config(24)
    store = CountingStore(tmp_path / "long.db")
    months = [Period.month(1950 + m // 12, m % 12 + 1) for m in range(300)]  # 300 periods
    store.write(
        [observation(ind(n), p, 50 + (n + k) % 40, source="bulk") for n in range(16)
         for k, p in enumerate(months)]
    )  # fmt: skip
    walked: list[tuple[int | None, int]] = []
    values = IndicatorView.values

    def counted(view: IndicatorView, last: int | None = None) -> list[float]:
        out = values(view, last)
        walked.append((last, len(view.history)))
        return out

    monkeypatch.setattr(IndicatorView, "values", counted)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        screen.call_after_refresh(screen._prepare_ahead, 0)  # what the timer does at start
        await settled(app, pilot)
        stat = screen.pages[1][1][0]
        # As deep as a stat reads (the newest 208 of 300), more than its sparkline draws.
        assert len(stat.views[stat.indicator_ids[0]].history) == GLANCE_POINTS
        statements: list[str] = []
        main = threading.current_thread()  # the watcher's own look at the version is not the UI's
        store._conn.set_trace_callback(
            lambda sql: statements.append(sql) if threading.current_thread() is main else None
        )
        walked.clear()
        await pilot.press("tab")
        await wait_until(pilot, lambda: stat.renders > 0, what="the next page drawn")
        await pilot.pause()
        store._conn.set_trace_callback(None)
        assert screen.shown_page == 1
        assert statements == []
        assert walked  # the stat panels drew their sparklines
        widest = max(p.content_size.width for p in screen.pages[1][1])
        assert all(last is not None and last <= widest < GLANCE_POINTS for last, _ in walked)


def test_a_tall_panel_formats_only_the_periods_it_can_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tall stat lists the periods read newest first and cuts the list with how many more:
    of 800 periods it formats the few its rows hold (every one was formatted on each render,
    most of a page switch over a long history), and counts the rest."""
    store = SqliteStore(tmp_path / "long.db")
    months = [Period.month(1900 + m // 12, m % 12 + 1) for m in range(HISTORY_POINTS)]
    store.write([observation(ind(0), p, 50 + k % 40, source="bulk") for k, p in enumerate(months)])
    view = read_view(store, many_config(1).indicators[ind(0)], FIXED_NOW, {})
    assert len(view.history) == HISTORY_POINTS
    formatted: list[object] = []
    real = period_text

    def counted(*args: Any) -> str:
        formatted.append(args)
        return real(*args)

    monkeypatch.setattr(tall, "period_text", counted)
    lines = [line.plain for line in tall_lines(view, "zh", 36, 12)]
    assert len(lines) == 12
    # The heading, ten periods, and the other 790 counted.
    assert lines[-1] == t("panel.periods.more", "zh", n=HISTORY_POINTS - 10), lines
    assert len(formatted) <= 12  # the rows it has, not the 800 periods read
    # One period more than a read holds: the count becomes a floor, never a wrong figure.
    store.write([observation(ind(0), Period.month(1966, 9), 90, source="bulk")])  # the 801st
    longer = read_view(store, many_config(1).indicators[ind(0)], FIXED_NOW, {})
    assert len(longer.history) == HISTORY_POINTS and not longer.history_whole
    assert longer.history[0].period == Period.month(1900, 2)  # the newest 800 kept
    cut = [line.plain for line in tall_lines(longer, "zh", 36, 12)]
    assert cut[-1] == t("panel.periods.more_floor", "zh", n=HISTORY_POINTS - 10), cut
    store.close()


class CountingViews(dict[str, IndicatorView]):
    """The app's views, counting every entry a panel looks at or walks over."""

    touched = 0

    def __getitem__(self, key: str) -> IndicatorView:
        CountingViews.touched += 1
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        CountingViews.touched += 1
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        CountingViews.touched += 1
        return super().get(key, default)

    def __iter__(self) -> Iterator[str]:
        for key in super().__iter__():
            CountingViews.touched += 1
            yield key

    def items(self) -> Any:
        return [(k, super(CountingViews, self).__getitem__(k)) for k in self]

    def values(self) -> Any:
        return [super(CountingViews, self).__getitem__(k) for k in self]

    def keys(self) -> Any:
        return list(self)


async def test_updating_every_panel_is_linear_in_indicators(tmp_path: Path) -> None:
    config = many_config(1000, overview="first")
    store = filled(tmp_path, 1000)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        views = {i: app.read_view(i) for i in config.indicators}
    ctx = PanelContext("zh", True, lambda: FIXED_NOW)
    panels: list[Panel] = [
        make_panel(pc, [config.indicators[i] for i in pc.indicators], ctx, builtin_panel_types())
        for page in config.pages
        for pc in page.panels
    ]
    panels.append(OverviewPanel(list(config.indicators.values()), ctx))
    counting = CountingViews(views)
    CountingViews.touched = 0
    for panel in panels:
        panel.update_views(counting)
    shown = sum(len(p.indicator_ids) for p in panels)  # 2,000: each panel's, the overview's
    assert all(len(p.views) == len(p.indicator_ids) for p in panels)
    # Each panel looks up its own indicators (twice at most), never every view: walking
    # the app's 1,000 views from each of 1,001 panels would be a million entries.
    assert CountingViews.touched <= 2 * shown


async def test_a_status_that_does_not_change_does_not_restyle(tmp_path: Path) -> None:
    config = many_config(16)
    store = filled(tmp_path, 16)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.dashboard.pages[0][1][0]
        restyles: list[None] = []
        original = panel.update_node_styles
        panel.update_node_styles = lambda animate=True: restyles.append(original(animate))  # type: ignore[method-assign]
        panel.update_views(app.views)
        panel.update_views(app.views)
        assert restyles == []  # same classes: no restyle at all
        view = app.views[panel.indicator_ids[0]]
        assert view.rag is Rag.RED  # 50 % against green 70, amber 60
        changed = dataclasses.replace(view, rag=Rag.GREEN)
        panel.update_views({view.indicator.id: changed})
        # -red off and -green on: one restyle for both, not one per class.
        assert len(restyles) == 1
        assert panel.has_class("-green") and not panel.has_class("-red")


def test_a_long_page_is_split_after_its_first_screenful() -> None:
    config = many_config(40, per_page=40)
    ctx = PanelContext("zh", True, lambda: FIXED_NOW)
    panels = [
        make_panel(pc, [config.indicators[i] for i in pc.indicators], ctx, builtin_panel_types())
        for pc in config.pages[0].panels
    ]
    first, later = split_screenful(panels, 120, 36)
    assert first + later == panels
    # 3 columns of 38 cells at 120; rows of 8 (stat) start at 0, 8, 16, 24, 32: 5 rows.
    assert len(first) == 15
    assert split_screenful(panels[:3], 120, 36) == (panels[:3], [])


async def test_a_long_page_mounts_the_rest_after_the_first_frame(tmp_path: Path) -> None:
    config = many_config(80, per_page=40)
    store = filled(tmp_path, 80)
    app = app_for(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        # The first page; the next one, read and mounted hidden at start; then shown.
        for index, show in ((0, False), (1, False), (1, True)):
            if show:
                app.dashboard.show_page(index)
            page = app.dashboard.pages[index][1]
            await until(lambda page=page: all(p.is_mounted for p in page), pilot)
            grid = page[0].parent
            assert grid is not None and list(grid.children) == page  # in the page's order
            # Read with the page, before it shows (drawn when scrolled to).
            assert page[-1].view() is not None


async def test_quitting_tears_down_only_what_was_mounted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unmounted: list[Panel] = []
    monkeypatch.setattr(Panel, "on_unmount", lambda self: unmounted.append(self), raising=False)
    config = many_config(1000)
    store = filled(tmp_path, 1000)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        app.dashboard.show_page(3)
        await settled(app, pilot)
        assert len(mounted(app)) == 4 * PER_PAGE
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    shown = {p for n in (0, 1, 3, 4) for p in app.dashboard.pages[n][1]}
    # 32 of 1,000 panels: the pages that were shown, and the page after each
    assert set(unmounted) == shown


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.mark.parametrize("skip", [True, False], ids=["dashboard", "other-commands"])
def test_the_dashboard_command_ends_without_the_interpreter_teardown(skip: bool) -> None:
    done = run_python(
        f"""
        import atexit, sys
        from lishi_tui.exiting import leave, skip_teardown

        class Freed:
            def __del__(self):
                print("freed one object at a time", flush=True)

        kept = Freed()
        atexit.register(print, "exit handlers ran")
        print("output flushed", end="")
        if {skip}:
            skip_teardown()
        sys.exit(leave(3))
        """
    )
    assert done.returncode == 3
    assert "output flushed" in done.stdout
    assert "exit handlers ran" in done.stdout
    assert ("freed one object at a time" in done.stdout) is not skip
