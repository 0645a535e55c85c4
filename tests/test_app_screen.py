"""The screen an official reads: figures whole, the window shared, the overview, a clock that moves."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Group
from rich.text import Text

from lishi_tui.app import LishiApp
from lishi_tui.app.formatting import period_text, value_text
from lishi_tui.app.screens.dashboard import DashboardScreen
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.app.widgets.panels import ChartPanel, Panel, TablePanel
from lishi_tui.app.widgets.panels.overview import OverviewPanel
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text
from tests.support.bundled_app import BUNDLED_NOW, bundled_app
from tests.support.waiting import until

SIZES = [(80, 24), (120, 40), (200, 60)]
IDS = ["80x24", "120x40", "200x60"]


def open_app(published: tuple[Path, Config, Registry], **kw: object) -> LishiApp:
    path, config, registry = published
    app = bundled_app(SqliteStore(path), config, registry, **kw)  # type: ignore[arg-type]
    assert isinstance(app, LishiApp)
    return app


def body_lines(panel: Panel, width: int) -> list[str]:
    body = panel.body(width)
    assert isinstance(body, Group)
    return [line.plain for line in body.renderables if isinstance(line, Text)]


def page_state(screen: DashboardScreen, index: int) -> str:
    """What is not yet drawn on page ``index`` ("" when all of it is)."""
    if screen.page_index != index:
        return f"page {screen.page_index} on screen"
    for panel in screen.pages[index][1]:
        if not panel.is_mounted or panel.content_size.width == 0:
            return f"{panel.title_text()} mounted={panel.is_mounted} at {panel.content_size}"
        unread = [i.id for i in panel.indicators if panel.views.get(i.id) is None]
        if unread:
            return f"{panel.title_text()} has not read {unread}"
    return ""


def page_drawn(screen: DashboardScreen, index: int) -> bool:
    """Page ``index`` is on screen with every panel laid out at its width and read."""
    return page_state(screen, index) == ""


def figure_rows(panel: Panel) -> list[tuple[str, str, str]]:
    """(line, figure, period) for each row of a table-like panel, as drawn at its width."""
    lines = body_lines(panel, panel.content_size.width)
    shown = panel.ordered() if isinstance(panel, OverviewPanel) else list(panel.indicators)
    lang = panel.ctx.lang
    out = []
    for line, indicator in zip(lines[1:], shown, strict=True):
        view = panel.views.get(indicator.id)
        latest = view.latest if view else None
        out.append(
            (line, value_text(indicator, latest, lang), period_text(indicator, latest, lang))
        )
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_every_figure_in_a_table_is_whole(
    published: tuple[Path, Config, Registry], size: tuple[int, int], lang: str
) -> None:
    app = open_app(published, lang=lang)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        checked = 0
        for index, (_, panels) in enumerate(screen.pages):
            screen.show_page(index)
            await until(
                pilot,
                lambda: page_drawn(screen, index),  # noqa: B023
                what=f"page {index} drawn",
                show=lambda: page_state(screen, index),  # noqa: B023
            )
            for panel in panels:
                if not isinstance(panel, TablePanel | OverviewPanel):
                    continue
                for line, figure, period in figure_rows(panel):
                    assert figure in line, (panel.title_text(), line)
                    assert period in line, (panel.title_text(), line)
                    # No cell from the figure on is cut: only a name may be elided.
                    assert "…" not in line[line.index(figure) :], line
                    checked += 1
        assert checked > 40
        # The published livelihood figures, whole.
        text = " ".join(line for p in screen.pages[0][1] for line, _, _ in figure_rows(p))
        for figure in ("7,000", "11,150", "≥18,000", "≥3,600"):
            assert figure in text
        if lang == "zh":
            for figure in ("7,000 人", "11,150 人次", "≥18,000 个", "≥3,600 人"):
                assert figure in text


async def test_names_give_way_before_figures_and_columns_go_in_order(
    published: tuple[Path, Config, Registry],
) -> None:
    app = open_app(published)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        jobs = await until(
            pilot,
            lambda: next(
                p
                for p in app.dashboard.panels
                if isinstance(p, TablePanel) and "skills_training" in p.indicator_ids and p.views
            ),
            what="the jobs table read",
        )
        narrow, wide = body_lines(jobs, 34), body_lines(jobs, 110)
        assert "来源" in wide[0] and "来源" not in narrow[0]  # the source column went first
        assert "时期" in narrow[0] and "数值" in narrow[0]
        assert any("…" in line for line in narrow[1:])  # a name elided in the middle
        assert "11,150 人次" in " ".join(narrow)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_overview_comes_first_and_shows_what_needs_attention(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    from lishi_tui.app import make_app

    app = make_app(
        build_config(overview="first"), build_registry(), store, clock=lambda: FIXED_NOW, env={}
    )
    async with app.run_test(size=size) as pilot:
        overview = app.dashboard.overview
        assert overview is not None
        await until(pilot, lambda: app.focused is overview, what="the overview focused")
        await until(pilot, lambda: "0 总览" in screen_text(app), what="the tabs drawn")
        text = screen_text(app)
        lines = text.splitlines()
        assert "0 总览" in lines[1]
        # At least four figures with their period and status mark on the first screen.
        with_period = [
            ln for ln in lines if re.search(r"\d.*20\d\d年", ln) and re.search("[●▲■]", ln)
        ]
        assert len(with_period) >= 4, text
        order = [i.id for i in overview.ordered()]
        # air_api fails: its indicator comes first; then amber before green.
        assert order[0] == "good_air_days"
        ranks = [overview.views[i].rag.value for i in order if i in overview.views]
        assert ranks.index("amber") < ranks.index("green")
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail screen")
        assert isinstance(app.screen, DetailScreen) and app.screen.indicator_id == order[1]
        await pilot.press("escape", "1")
        await until(pilot, lambda: app.dashboard.page_index == 1, what="page 1")
        assert app.dashboard.page_index == 1
        await pilot.press("0")
        await until(pilot, lambda: app.dashboard.page_index == 0, what="page 0")
        assert app.dashboard.page_index == 0


@pytest.mark.parametrize("size", [(120, 40), (200, 60)], ids=["120x40", "200x60"])
async def test_a_page_that_fits_fills_the_window_without_scrolling(
    published: tuple[Path, Config, Registry], size: tuple[int, int]
) -> None:
    app = open_app(published)
    async with app.run_test(size=size) as pilot:
        await pilot.press("1")
        await until(pilot, lambda: page_drawn(app.dashboard, 1), what="page 1 drawn")
        panels = app.dashboard.pages[app.dashboard.page_index][1]
        await until(
            pilot,
            lambda: max(p.region.bottom for p in panels) == size[1] - 1,
            what="the panels laid out to the footer",
            show=lambda: [p.region for p in panels],
        )
        bottom = max(p.region.bottom for p in panels)
        assert bottom == size[1] - 1  # the last row of panels ends just above the footer
        chart = next(p for p in panels if isinstance(p, ChartPanel))
        assert chart.region.height > 8  # the chart took the spare rows
        scroll = panels[0].parent.parent  # type: ignore[union-attr]
        assert scroll.max_scroll_y == 0  # type: ignore[union-attr]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_the_clock_moves_ages_and_staleness_without_a_store_write(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    clock = FakeClock(FIXED_NOW)
    from lishi_tui.app import make_app

    app = make_app(build_config(), build_registry(), store, clock=clock, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: page_drawn(app.dashboard, 0), what="the first page drawn")
        store.log_fetch(SourceRunOutcome("report", FIXED_NOW, 0.1, ok=True))
        await until(pilot, lambda: "核实于刚刚" in screen_text(app), what="checked just now")
        gdp = next(p for p in app.dashboard.panels if p.indicator_ids == ("gdp_growth",))
        assert not gdp.has_class("-stale")
        version = store.version()
        clock.now = FIXED_NOW + timedelta(minutes=16)
        app.clock_tick()
        await until(pilot, lambda: "核实于16 分钟前" in screen_text(app), what="16 minutes ago")
        assert "核实于16 分钟前" in screen_text(app)
        # A yearly figure for 2021 is overdue once 2022's would be out: far in the future.
        clock.now = datetime(2023, 6, 1, tzinfo=FIXED_NOW.tzinfo)
        app.clock_tick()
        await until(pilot, lambda: gdp.has_class("-stale"), what="the 2021 figure stale")
        assert gdp.has_class("-stale")
        assert store.version() == version  # nothing was written


async def test_an_idle_minute_renders_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    clock = FakeClock(FIXED_NOW)
    from lishi_tui.app import make_app

    app = make_app(build_config(overview="first"), build_registry(), store, clock=clock, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        # Settled first: the page drawn, the alerts and the collector's heartbeat read.
        await until(pilot, lambda: page_drawn(app.dashboard, 0), what="the first page drawn")
        await until(pilot, lambda: app.alert_watch.reads >= 1, what="the alerts read")
        await until(pilot, lambda: "无采集进程" in app.sub_title, what="the heartbeat read")
        app.clock_tick()  # the first tick may settle ages computed at start
        await pilot.pause()
        panels = app.dashboard.panels
        before = [
            (p.renders, p.rows_repainted, p.border_rows_repainted, p.repaints) for p in panels
        ]
        for _ in range(10):  # ten idle minutes, nothing on screen changes
            clock.now += timedelta(seconds=5)
            app.clock_tick()
            await pilot.pause()
        after = [(p.renders, p.rows_repainted, p.border_rows_repainted, p.repaints) for p in panels]
        assert after == before
        assert app.ticks == 11


async def test_a_read_only_viewer_says_when_no_collector_writes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    clock = FakeClock(BUNDLED_NOW)
    from lishi_tui.app import make_app

    app = make_app(build_config(), build_registry(), store, clock=clock, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "无采集进程" in app.sub_title, what="no collector")
        store.heartbeat(4242, "host", BUNDLED_NOW)
        app.clock_tick()
        await until(pilot, lambda: "采集运行中" in app.sub_title, what="collector running")
        clock.now = BUNDLED_NOW + timedelta(minutes=5)
        app.clock_tick()
        await until(pilot, lambda: "采集已停止" in app.sub_title, what="collector stopped")
        assert "5 分钟前" in app.sub_title
