"""The dashboard under App.run_test: navigation, pages, detail, palette, help, live updates, failures."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import DataTable

from lishi_tui.app import LishiApp, make_app
from lishi_tui.app.screens.dashboard import (
    DashboardScreen,
    dashboard_bindings,
)
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.app.screens.help import HELP_ROWS, HelpScreen
from lishi_tui.app.screens.picker import RowPicker
from lishi_tui.app.screens.plugins import PluginsScreen
from lishi_tui.app.widgets.panels import Panel
from lishi_tui.config.schema import PageConfig, PanelConfig, PanelKind, resolve_language
from lishi_tui.domain.model import Frequency, Indicator, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.roles import Role
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import (
    FIXED_NOW,
    REPORT,
    build_config,
    build_registry,
    observation,
    screen_text,
)
from tests.support.dashboard_app import app_for, filled_store, first_page_up, page_of, panel_for
from tests.support.waiting import until, until_shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


async def test_first_page_shows_figures_with_period_and_source(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await until_shown(
            pilot, "地区生产总值增速", "≥10.0 %", "2021年", "来源: report", "51 %"
        )
        await until(pilot, lambda: app.focused is panel_for(app, "gdp_growth"), what="gdp focused")
        assert "地区生产总值增速" in text
        assert "≥10.0 %" in text  # the qualifier is shown, not a bare 10
        assert "2021年" in text
        assert "来源: report" in text
        assert "51 %" in text
        assert app.focused is panel_for(app, "gdp_growth")


async def test_arrows_and_hjkl_move_between_panels(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        gdp, tertiary = panel_for(app, "gdp_growth"), panel_for(app, "tertiary_share")
        projects = panel_for(app, "transformation_projects")
        await until(pilot, lambda: app.focused is gdp, what="the first panel focused")
        await pilot.press("right")
        await until(pilot, lambda: app.focused is tertiary, what="right: tertiary")
        await pilot.press("h")
        await until(pilot, lambda: app.focused is gdp, what="h: gdp")
        await pilot.press("j")
        await until(pilot, lambda: app.focused is projects, what="j: projects")
        await pilot.press("k")
        await until(pilot, lambda: app.focused is gdp, what="k: gdp")
        await pilot.press("down", "down")
        await until(pilot, lambda: app.focused is not gdp, what="down down: off gdp")
        await until(pilot, lambda: app.focused is not projects, what="down down: the table")
        assert isinstance(app.focused, Panel)
        assert app.focused.config.kind == "table"


async def test_tab_shift_tab_and_number_keys_switch_pages(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await until(pilot, lambda: app.focused is panel_for(app, "gdp_growth"), what="page 0 up")
        await pilot.press("tab")
        await until(pilot, lambda: screen.page_index == 1, what="tab: page 1")
        text = await until_shown(pilot, "1,581 / 1,787", "截至2021年10月底")
        assert "1,581 / 1,787" in text
        assert "截至2021年10月底" in text
        await until(
            pilot, lambda: app.focused is panel_for(app, "requests_done"), what="its panel focused"
        )
        await pilot.press("shift+tab")
        await until(pilot, lambda: screen.page_index == 0, what="shift+tab: page 0")
        await pilot.press("3")
        await until(pilot, lambda: screen.page_index == 2, what="3: page 2")
        await until_shown(pilot, "绿化造林面积")
        await pilot.press("tab")  # wraps round to the first page
        await until(pilot, lambda: screen.page_index == 0, what="tab: round to page 0")


async def test_enter_opens_detail_and_escape_goes_back(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == "requests_done"
        text = await until_shown(pilot, "(1,581 / 1,787)", "2021-10")
        assert "全区各级接收实事办结 / Citizen requests handled" in text
        assert "(1,581 / 1,787)" in text
        assert "离石区发展报道 (2021)" in text  # provenance: where the figure came from
        assert "2021-10" in text  # history table row
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="back")


async def test_every_table_row_reaches_its_detail_by_keyboard(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is panel_for(app, "gdp_growth"), what="page 0 up")
        table = next(p for p in app.dashboard.panels if len(p.indicator_ids) == 3)
        for row, indicator in enumerate(table.indicator_ids):
            await pilot.press("j", "j")  # the table is below the two stat rows
            await until(pilot, lambda: app.focused is table, what="app.focused is table")
            await pilot.press("enter")
            await until(
                pilot,
                lambda: isinstance(app.screen, RowPicker),
                what="isinstance(app.screen, RowPicker)",
            )
            await until_shown(pilot, "转型项目")  # every row is listed
            await pilot.press(*["down"] * row, "enter")
            await until(
                pilot,
                lambda: isinstance(app.screen, DetailScreen),
                what="isinstance(app.screen, DetailScreen)",
            )
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.indicator_id == indicator
            await pilot.press("escape")
            await until(
                pilot,
                lambda: isinstance(app.screen, DashboardScreen),
                what="isinstance(app.screen, DashboardScreen)",
            )
        # Escape in the picker goes back without opening anything.
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, RowPicker),
            what="isinstance(app.screen, RowPicker)",
        )
        await pilot.press("escape")
        await until(
            pilot,
            lambda: isinstance(app.screen, DashboardScreen),
            what="isinstance(app.screen, DashboardScreen)",
        )
        assert app.focused is table


async def test_detail_explains_pace_and_lists_revisions(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(120, 50)) as pilot:
        app.open_detail("greening")
        text = await until_shown(pilot, "需每月新增 8.8 万亩方能按期完成", "演示数据")
        # 78 of 300 万亩 with 25.35 months from 2021-11-20 to 2023-12-31: 222 / 25.35 = 8.76.
        assert "需每月新增 8.8 万亩方能按期完成" in text
        assert "演示数据" in text
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        from textual.widgets import DataTable

        table = screen.query_one("#detail-history", DataTable)
        await until(pilot, lambda: table.row_count > 0, what="the history rows")
        revisions = [table.get_row_at(i) for i in range(table.row_count)]
        october = [r for r in revisions if r[0].plain == "2021-10"]
        # The demo figure was generated twice: the second replaced the first, no revision.
        assert [(r[1].plain, r[2].plain) for r in october] == [("78.0 万亩", "1")]
        # A real figure revised by its source lists both revisions, newest first.
        store.write([observation("tertiary_share", Period.year(2021), 52, origin=REPORT)])
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="back")
        app.open_detail("tertiary_share")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, DetailScreen) and app.screen.indicator_id == "tertiary_share"
            ),
            what="its detail",
        )
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        table = screen.query_one("#detail-history", DataTable)
        await until(pilot, lambda: table.row_count >= 3, what="both revisions listed")
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        y2021 = [(r[1].plain, r[2].plain) for r in rows if r[0].plain == "2021"]
        assert y2021 == [("52 %", "2"), ("51 %", "1")]


async def test_detail_shows_source_errors_literally(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_detail("good_air_days")
        text = await until_shown(pilot, "HTTP 503 from http://127.0.0.1:9/aqi")
        # The whole escape sequence is stripped; markup-like text is shown as is.
        assert "HTTP 503 from http://127.0.0.1:9/aqi: Service Unavailable[/b]" in text
        assert "\x1b" not in text


def palette_pick(app: LishiApp) -> str:
    """The command palette's highlighted hit ("" while it searches)."""
    from textual.command import CommandList

    hits = app.screen.query_one(CommandList)
    if hits.highlighted is None:
        return ""
    return str(hits.get_option_at_index(hits.highlighted).prompt)


async def test_palette_finds_indicator_by_pinyin_initials(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await until(pilot, lambda: app.screen is not app.dashboard, what="the palette")
        await pilot.press(*"qqgj")  # 全区各级…
        name = app.config.indicators["requests_done"].name_zh
        await until(pilot, lambda: name in palette_pick(app), what=f"{name} picked")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen),
            what="isinstance(app.screen, DetailScreen)",
        )
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == "requests_done"


@pytest.mark.parametrize(
    ("query", "expected"), [("第三产业", "tertiary_share"), ("greening", "greening")]
)
async def test_palette_finds_by_chinese_and_english(
    store: SqliteStore, query: str, expected: str
) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen is not app.dashboard, what="the palette")
        await pilot.press(*query)
        name = app.config.indicators[expected].name_zh
        await until(pilot, lambda: name in palette_pick(app), what=f"{name} picked")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen),
            what="isinstance(app.screen, DetailScreen)",
        )
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == expected


async def test_help_lists_every_binding(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        assert isinstance(app.screen, HelpScreen)
        text = await until_shown(pilot, "键盘操作", *(keys for keys, _ in HELP_ROWS))
        assert "键盘操作" in text
        listed = " ".join(keys for keys, _ in HELP_ROWS)
        display = {
            "question_mark": "?",
            "slash": "/",
            "shift+tab": "Shift+Tab",
            "tab": "Tab",
            "enter": "Enter",
            "left": "←",
            "right": "→",
            "up": "↑",
            "down": "↓",
        }
        for binding in dashboard_bindings("zh"):
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                shown = display.get(key, key)
                assert shown in listed or (key.isdigit() and "0-9" in listed), key
        for keys, _ in HELP_ROWS:
            assert keys in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="back")


async def test_failing_source_shows_on_its_panels_only(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_page_up(pilot, app)
        gdp = panel_for(app, "gdp_growth")
        assert not gdp.has_class("-failing")
        store.log_fetch(
            SourceRunOutcome("report", FIXED_NOW, 10.0, ok=False, error="timed out after 10s")
        )
        await until(pilot, lambda: gdp.has_class("-failing"), what='gdp.has_class("-failing")')
        text = await until_shown(pilot, "⚠ 数据源故障", "≥10.0 %")
        assert "⚠ 数据源故障" in text
        assert "≥10.0 %" in text  # the last good figure stays on screen
        assert not gdp.has_class("-red")
        # A failing source is not a stale figure and not a red status (the air panel's
        # page is read from the store when it is shown).
        air = panel_for(app, "good_air_days")
        app.dashboard.show_page(page_of(app, air))
        await until(pilot, lambda: air.has_class("-failing"), what='air.has_class("-failing")')
        assert air.has_class("-failing") and not air.has_class("-stale")


async def test_no_change_is_shown_against_a_demo_previous_figure(store: SqliteStore) -> None:
    # 2021 is a published figure; 2020 exists only as a demo point.
    store.write([observation("gdp_growth", Period.year(2020), 10, source="report", demo=True)])
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await until_shown(pilot, "上期为演示数据，不作比较", "较上期 +2 %")
        assert "上期为演示数据，不作比较" in text
        assert "较上期 ±0" not in text
        assert "较上期 +2 %" in text  # tertiary share: 51 % against a published 49 %


async def test_data_age_is_when_the_source_last_succeeded(store: SqliteStore) -> None:
    # The figures were first stored a day ago; the report source last succeeded an hour ago.
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        gdp = panel_for(app, "gdp_growth")
        text = await until_shown(pilot, "核实于1 小时前")
        assert "核实于1 小时前" in text
        assert "24 小时前" not in text
        # A new successful run with an unchanged figure: the age follows the run.
        before = gdp.updates
        store.log_fetch(
            SourceRunOutcome("report", FIXED_NOW - timedelta(minutes=2), 0.1, ok=True, readings=6)
        )
        await until(pilot, lambda: gdp.updates > before, what="gdp.updates > before")
        await until_shown(pilot, "核实于2 分钟前")
        await until(pilot, lambda: app.focused is gdp, what="gdp focused")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen),
            what="isinstance(app.screen, DetailScreen)",
        )
        text = await until_shown(
            pilot, "首次入库: 2021-11-19 09:30", "数据源最近成功: 2021-11-20 09:28"
        )
        assert "首次入库: 2021-11-19 09:30" in text  # fetched_at stays in the provenance
        assert "数据源最近成功: 2021-11-20 09:28" in text


async def test_stale_figure_is_marked_differently(store: SqliteStore) -> None:
    config_now = FIXED_NOW + timedelta(days=700)  # the 2021 figures are now past their allowance
    app = make_app(build_config(), build_registry(), store, clock=lambda: config_now, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        gdp = panel_for(app, "gdp_growth")
        await until(pilot, lambda: gdp.has_class("-stale"), what="gdp stale")
        assert gdp.has_class("-stale") and not gdp.has_class("-failing")
        text = await until_shown(pilot, "⏱ 本期数据逾期未发布")
        # Overdue first, and the source's health apart from it: never "核实于… ⏱ 已过期".
        assert "⏱ 本期数据逾期未发布" in text
        assert "核实于1 小时前  ⏱" not in text


async def test_demo_data_is_marked_on_every_panel_that_shows_it(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: screen_text(app).count("演示") >= 4, what="the demo marks")
        for panel in app.dashboard.panels:
            if "greening" in panel.indicator_ids:
                assert panel.has_class("-demo")
                assert "演示" in str(panel.border_title)
        assert screen_text(app).count("演示") >= 4  # two titles, two bodies


async def test_english_by_locale_and_by_config(store: SqliteStore) -> None:
    app = app_for(store, env={"LANG": "en_GB.UTF-8"}, language="auto")
    async with app.run_test(size=(100, 30)) as pilot:
        text = await until_shown(pilot, "GDP growth", "Economy", "source: report")
        assert "GDP growth" in text and "Economy" in text and "source: report" in text
    assert resolve_language("zh", {"LANG": "en_US.UTF-8"}) == "zh"  # the config's word wins
    assert resolve_language("auto", {"LANG": "en_US.UTF-8"}) == "en"
    assert resolve_language("auto", {"LANG": "C.UTF-8"}) == "zh"
    assert resolve_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert resolve_language("zh", {}) == "zh"
    assert resolve_language("en", {"LISHI_TUI_LANG": "zh"}) == "zh"


def footer_of(app: LishiApp) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize(
    ("lang", "keys", "words", "foreign"),
    [
        ("zh", ["enter"], ["返回", "退出"], ["Back", "Quit"]),
        ("zh", ["p"], ["返回", "刷新", "退出"], ["Back", "Refresh", "Quit"]),
        ("en", ["enter"], ["Back", "Quit"], ["返回", "退出"]),
        ("en", ["p"], ["Back", "Refresh", "Quit"], ["返回", "刷新", "退出"]),
    ],
)
async def test_detail_and_plugins_footers_follow_the_ui_language(
    store: SqliteStore, lang: str, keys: list[str], words: list[str], foreign: list[str]
) -> None:
    app = app_for(store, language=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*keys)
        await until(
            pilot,
            lambda: not isinstance(app.screen, DashboardScreen),
            what="not isinstance(app.screen, DashboardScreen)",
        )
        await until(
            pilot,
            lambda: all(word in footer_of(app) for word in words),
            what=f"the footer to show {words}",
            show=lambda: footer_of(app),
        )
        footer = footer_of(app)
        for word in words:
            assert word in footer
        for word in foreign:
            assert word not in footer


async def test_instant_chart_axis_is_short_china_time(store: SqliteStore) -> None:
    aqi = Indicator(
        id="aqi",
        name_zh="空气质量指数",
        name_en="AQI",
        unit="",
        decimals=0,
        frequency=Frequency.REALTIME,
        source="air_api",
    )
    base = build_config()
    config = dataclasses.replace(
        base,
        indicators={**base.indicators, "aqi": aqi},
        pages=(
            PageConfig("air", "空气", "Air", (PanelConfig(PanelKind.CHART, ("aqi",), width=2),)),
        ),
    )
    # Hourly readings from 2021-11-19 11:00Z to 2021-11-20 01:00Z: 19:00 to 09:00 Beijing time.
    first = datetime(2021, 11, 19, 11, tzinfo=UTC)
    store.write(
        [
            observation("aqi", Period.instant(first + timedelta(hours=h)), 60 + h, source="air_api")
            for h in range(15)
        ]
    )
    app = make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(100, 24)) as pilot:
        text = await until_shown(pilot, "11-19 19:00", "11-20 09:00")
        assert "11-19 19:00" in text  # the first tick, in Beijing time
        assert "11-20 09:00" in text  # the last
        assert "T11:00" not in text and "Z " not in text


async def test_no_color_and_low_bandwidth(store: SqliteStore) -> None:
    app = app_for(store, env={"NO_COLOR": "1"})
    assert app.no_color and not app.colour
    slow = app_for(store, low_bandwidth=True)
    assert not slow.colour
    assert slow.poll_interval >= 1.0


async def test_plugins_screen_shows_plugin_and_source_errors(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PluginsScreen), what="the plugins screen")
        text = await until_shown(pilot, "broken_plugin", "ImportError", "air_api", "HTTP 503")
        assert "broken_plugin" in text and "ImportError" in text
        assert "air_api" in text and "故障" in text and "HTTP 503" in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="back")


def flat_text(app: LishiApp) -> str:
    return " ".join(line.strip() for line in screen_text(app).splitlines())


async def test_plugins_screen_is_usable_at_80x24_by_keyboard(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await until(
            pilot,
            lambda: isinstance(app.screen, PluginsScreen),
            what="isinstance(app.screen, PluginsScreen)",
        )
        screen = app.screen
        assert isinstance(screen, PluginsScreen)
        lines = (await until_shown(pilot, "下次运行", "连续失败")).splitlines()
        # Every column of the narrow sources table fits: the last header is on screen.
        assert any("下次运行" in line and "连续失败" in line for line in lines)
        sources = screen.query_one("#sources-table", DataTable)
        await until(pilot, lambda: app.focused is sources, what="the sources table focused")
        await pilot.press("down", "down")  # report, greening_demo, air_api
        await until(pilot, lambda: sources.cursor_row == 2, what="air_api picked")
        await until(
            pilot,
            lambda: "Service Unavailable[/b]" in flat_text(app),
            what="its error in full",
            show=lambda: flat_text(app),
        )
        flat = flat_text(app)
        # The picked row's error in full (control characters stripped, markup literal).
        assert "HTTP 503 from http://127.0.0.1:9/aqi:" in flat
        assert "Service Unavailable[/b]" in flat and "\x1b" not in flat
        screen.reload()  # the once-a-second refresh keeps the picked row
        await pilot.pause()
        assert sources.cursor_row == 2
        plugins = screen.query_one("#plugins-table", DataTable)
        await pilot.press("tab")  # to the plugins table; its row error shows in full too
        await until(pilot, lambda: app.focused is plugins, what="the plugins table focused")
        await pilot.press("down")
        await until(
            pilot,
            lambda: "ImportError: no module named 'yaml'" in flat_text(app),
            what="the plugin's error in full",
            show=lambda: flat_text(app),
        )
        assert app.focused is plugins
        if plugins.max_scroll_x > 0:  # what is wider than the screen scrolls by key
            await pilot.press("right", "right")
            assert plugins.scroll_target_x > 0


class RecordingCollector:
    """A stand-in with the Collector's surface: records calls, writes one figure on refresh."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.refreshed: list[str | None] = []
        self.running = asyncio.Event()
        self.stopped = False

    async def run_forever(self) -> None:
        self.running.set()
        await asyncio.Event().wait()

    def refresh(self, source_id: str | None = None) -> None:
        self.refreshed.append(source_id)
        self.store.write(
            [observation("transformation_projects", Period.year(2021), 97, fetched_at=FIXED_NOW)]
        )

    async def stop(self) -> None:
        self.stopped = True

    def states(self) -> dict[str, object]:
        return {}


async def test_collector_runs_in_app_refreshes_on_r_and_stops_on_quit(store: SqliteStore) -> None:
    collector = RecordingCollector(store)
    app = make_app(
        build_config(),
        build_registry(),
        store,
        collector=collector,
        clock=lambda: FIXED_NOW,
        env={},
        role=Role.OPERATOR,  # a viewer may not start source runs (tests/test_roles.py)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, collector.running.is_set, what="the collector running")
        await pilot.press("r")
        await until(pilot, lambda: collector.refreshed, what="a refresh asked for")
        assert collector.refreshed == [None]
        await until_shown(pilot, "97 个")
        await pilot.press("q")
    assert collector.stopped
