"""A stat or gauge panel in a tall row (a big window, beside a chart or a table) fills its rows
with stored facts: the change, where the figure is from, its note, every stored period (demo
ones marked); at 80x24 it shows exactly what it did, each figure whole with period and source."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from lishi_tui.app.app import LishiApp
from lishi_tui.app.formatting import delta_text, period_text, target_text, value_text
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import read_view
from lishi_tui.app.widgets.panels import GaugePanel, Panel, StatPanel
from lishi_tui.app.widgets.panels.tall import tall_lines
from lishi_tui.config.schema import Config, PageConfig, PanelConfig, PanelKind
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import (
    FIXED_NOW,
    INDICATORS,
    REPORT,
    build_config,
    build_registry,
    fill_store,
    screen_text,
)
from tests.support.bundled_app import BUNDLED_NOW, bundled_app
from tests.support.waiting import until

BIG, SMALL = (160, 50), (80, 24)


def tall_config(*, low_bandwidth: bool = False, language: str = "zh") -> Config:
    """A stat, then a gauge, each beside a table: a wide window puts each pair in one row,
    which the table makes as tall as the window allows."""
    table = ("gdp_growth", "tertiary_share", "transformation_projects")
    pages = (
        PageConfig(
            "stat",
            "统计",
            "Stat",
            (
                PanelConfig(PanelKind.STAT, ("tertiary_share",)),
                PanelConfig(PanelKind.TABLE, table, title="一览", width=2),
            ),
        ),
        PageConfig(
            "gauge",
            "进度",
            "Gauge",
            (
                PanelConfig(PanelKind.GAUGE, ("requests_done",)),
                PanelConfig(PanelKind.TABLE, table, title="一览", width=2),
            ),
        ),
        PageConfig(
            "demo",
            "演示",
            "Demo",
            (
                PanelConfig(PanelKind.CHART, ("greening",), width=2),
                PanelConfig(PanelKind.STAT, ("greening",)),
            ),
        ),
    )
    config = build_config(language=language, low_bandwidth=low_bandwidth)
    return dataclasses.replace(config, pages=pages)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    yield store
    store.close()


def make(store: SqliteStore, config: Config, registry: Registry | None = None) -> LishiApp:
    from lishi_tui.app import make_app

    app = make_app(config, registry or build_registry(), store, clock=lambda: FIXED_NOW, env={})
    app.animation_level = "none"
    return app


def cells(line: str, start: int, end: int) -> str:
    """The characters of ``line`` in terminal cells ``start`` to ``end``."""
    out, x = [], 0
    for char in line:
        if start <= x < end:
            out.append(char)
        x += cell_len(char)
    return "".join(out)


def inner_rows(app: LishiApp, panel: Panel) -> list[str]:
    """The panel's content rows as the screen shows them (inside border and padding)."""
    region = panel.content_region
    lines = screen_text(app).splitlines()
    rows = lines[region.y : region.y + region.height]
    return [cells(row, region.x, region.x + region.width).rstrip() for row in rows]


def border_rows(app: LishiApp, panel: Panel) -> tuple[str, str]:
    region = panel.region
    lines = screen_text(app).splitlines()
    top, bottom = lines[region.y], lines[region.y + region.height - 1]
    return cells(top, region.x, region.right), cells(bottom, region.x, region.right)


async def show_page(pilot: Pilot[Any], app: LishiApp, key: int) -> list[Panel]:
    board = app.dashboard
    await until(pilot, lambda: app.focused is not None, what="the first page up")
    await pilot.press(str(key))
    index = board.page_keys[key]
    await until(pilot, lambda: board.page_index == index, what=f"page {key} shown")
    panels = list(board.pages[index][1])
    await until(
        pilot,
        lambda: all(p.views and p.content_size.area for p in panels),
        what="the page's figures read and laid out",
    )
    await pilot.pause()
    return panels


def one(panels: list[Panel], kind: type[Panel]) -> Panel:
    return next(p for p in panels if isinstance(p, kind))


@pytest.mark.parametrize("low_bandwidth", [False, True], ids=["colour", "low-bandwidth"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_tall_stat_shows_change_target_origin_and_every_period(
    store: SqliteStore, lang: str, low_bandwidth: bool
) -> None:
    app = make(store, tall_config(low_bandwidth=low_bandwidth, language=lang))
    indicator = INDICATORS["tertiary_share"]
    async with app.run_test(size=BIG) as pilot:
        stat = one(await show_page(pilot, app, 1), StatPanel)
        assert stat.content_size.height > 20  # the table's row: the test can fail
        rows = inner_rows(app, stat)
        text = "\n".join(rows)
        view = stat.view()
        assert view is not None and view.latest is not None and view.previous is not None
        assert rows[0].startswith(value_text(indicator, view.latest, lang)), text
        assert rows[1] == period_text(indicator, view.latest, lang), text
        assert rows[2] == t("panel.change", lang, delta=delta_text(indicator, 2, lang)), text
        assert target_text(indicator, lang) in rows[3], text
        # Below the first six rows: where it is from, then both stored periods, newest first.
        assert t("panel.origin", lang) + REPORT in text, text
        heading = rows.index(t("panel.periods", lang))
        newest, older = rows[heading + 1], rows[heading + 2]
        for row, obs in ((newest, view.latest), (older, view.previous)):
            assert row.startswith(period_text(indicator, obs, lang)), text
            assert value_text(indicator, obs, lang) in row, text
        assert t("panel.periods.shown", lang) in newest, text
        assert t("panel.periods.shown", lang) not in older, text
        assert t("panel.demo", lang) not in text  # both real: nothing marked demo
        assert "…" not in text
        assert all(cell_len(row) <= stat.content_size.width for row in rows)


async def test_a_tall_stat_marks_every_demo_period(store: SqliteStore) -> None:
    app = make(store, tall_config())
    async with app.run_test(size=BIG) as pilot:
        stat = one(await show_page(pilot, app, 3), StatPanel)
        rows = inner_rows(app, stat)
        heading = rows.index(t("panel.periods", "zh"))
        periods = [row for row in rows[heading + 1 :] if row]
        assert len(periods) == 10, rows  # 2021-01 .. 2021-10, all demo
        assert all(row.split()[-1] == "演示" or "演示" in row for row in periods), rows
        assert periods[0].startswith("截至2021年10月底") and "78.0 万亩" in periods[0], rows
        assert "备注：revised" in "\n".join(rows)  # the demo figure's own note, as stored


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_tall_gauge_adds_the_change_and_origin(store: SqliteStore, lang: str) -> None:
    app = make(store, tall_config(language=lang))
    async with app.run_test(size=BIG) as pilot:
        gauge = one(await show_page(pilot, app, 2), GaugePanel)
        rows = inner_rows(app, gauge)
        text = "\n".join(rows)
        assert rows[0].startswith("1,581 / 1,787  88.5 %"), text
        assert rows[5] == t("panel.change_none", lang), text  # one period stored
        assert t("panel.origin", lang) + REPORT in text, text
        assert t("panel.periods", lang) not in text  # nothing to list but the figure above


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80x24_stat_and_gauge_keep_their_rows_whole(store: SqliteStore, lang: str) -> None:
    app = make(store, tall_config(language=lang))
    async with app.run_test(size=SMALL) as pilot:
        for key, kind, name in ((1, StatPanel, "tertiary_share"), (2, GaugePanel, "requests_done")):
            panel = one(await show_page(pilot, app, key), kind)
            indicator = INDICATORS[name]
            view = panel.view()
            assert view is not None and view.latest is not None
            rows = inner_rows(app, panel)
            text = "\n".join(rows)
            assert len(rows) == (6 if kind is StatPanel else 5), text  # its natural rows
            figure = value_text(indicator, view.latest, lang)
            assert figure in rows[0] and "…" not in rows[0], text
            period = period_text(indicator, view.latest, lang)
            assert any(row.startswith(period) for row in rows), text
            assert t("panel.origin", lang) not in text and t("panel.periods", lang) not in text
            _, bottom = border_rows(app, panel)
            assert f"{t('panel.source', lang)}: report" in bottom, bottom


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [SMALL, BIG, (200, 60)], ids=["80x24", "160x50", "200x60"])
async def test_the_governance_figures_read_whole_at_every_size(
    published: tuple[Path, Config, Registry], lang: str, size: tuple[int, int]
) -> None:
    path, config, registry = published
    app = bundled_app(SqliteStore(path), config, registry, lang=lang)
    assert isinstance(app, LishiApp)
    async with app.run_test(size=size) as pilot:
        panels = await show_page(pilot, app, 5)
        stats = [p for p in panels if isinstance(p, StatPanel)]
        assert len(stats) == 2
        for stat in stats:
            indicator = stat.indicators[0]
            view = stat.view()
            assert view is not None and view.latest is not None
            rows = inner_rows(app, stat)
            text = "\n".join(rows)
            assert rows[0] == value_text(indicator, view.latest, lang), text  # "1,831 个"
            assert rows[1] == period_text(indicator, view.latest, lang), text
            _, bottom = border_rows(app, stat)
            assert f"{t('panel.source', lang)}: governance_report" in bottom, bottom
            tall = stat.content_size.height > 6
            # The report's sentence, quoted whole where the row is tall (it fits 3 rows).
            assert ("1831个末端网格" in text) == tall, text
            assert (t("panel.origin", lang) + "离石区高质量发展报道" in text) == tall, text
        if size == BIG:  # beside the grid table, in its row of the spare rows
            assert all(s.content_size.height > 6 for s in stats)  # the test can fail


def test_tall_lines_cut_the_periods_with_how_many_more(store: SqliteStore) -> None:
    view = read_view(store, INDICATORS["greening"], FIXED_NOW, {})
    assert len(view.history) == 10 and view.latest is not None and view.latest.demo
    assert tall_lines(view, "zh", 40, 0) == []
    everything = [line.plain for line in tall_lines(view, "zh", 40, 100)]
    assert everything[:2] == ["", "备注：revised"]  # all fits: the sections stand apart
    assert sum(1 for line in everything if line.endswith("演示") or "演示  ◀" in line) == 10
    # Six rows: the note, the heading, three periods and how many more; no blank lines.
    cut = [line.plain for line in tall_lines(view, "zh", 40, 6)]
    assert len(cut) == 6 and "" not in cut, cut
    assert cut[-1] == t("panel.periods.more", "zh", n=7), cut
    assert cut[-2].startswith("截至2021年8月底"), cut
    assert view.history_whole and "至少" not in cut[-1]
    # A read stopped at its limit (5 of the 10 stored): 3 shown, "at least 2 more", not "2 more".
    short = read_view(store, INDICATORS["greening"], FIXED_NOW, {}, history_points=5)
    assert len(short.history) == 5 and not short.history_whole
    floor = [line.plain for line in tall_lines(short, "zh", 40, 6)]
    assert floor[-1] == t("panel.periods.more_floor", "zh", n=2) == "…另有至少 2 期，⏎ 查看详情"
    english = [line.plain for line in tall_lines(short, "en", 40, 6)]
    assert english[-1] == "… at least 2 more, ⏎ for the detail", english
    # Fewer than three rows for the periods: no heading over nothing, no period without its
    # "more" (a list that reads complete when it is not).
    assert [line.plain for line in tall_lines(view, "zh", 40, 3)] == ["备注：revised"]


NOTES = [
    "“全年谋划转型项目 96个，总投资 166亿元。” — 96 个谋划项目的总投资，亿元",
    "“办结全区各级接收实事 1787 件中的 1581件，办结率 88%。” — 截至2021年10月底；"
    "1581/1787 = 88.47 %，报道取整为 88 %",
    "households per grid, urban standard (the report: 1,581 / 1,787 handled)",
]
GLUED = ["166亿元", "1581件", "1787 件", "88.47 %", "1,581 / 1,787", "2021年10月底", "88 %"]


@pytest.mark.parametrize("width", range(16, 61))
def test_a_note_wraps_with_each_figure_whole(width: int) -> None:
    from lishi_tui.app.widgets.panels.tall import _wrapped

    for note in NOTES:
        lines = [line.plain for line in _wrapped("备注：", note, width, 99)]
        assert lines[0].startswith("备注：") and all(row.startswith("      ") for row in lines[1:])
        body = [row[3:] if i == 0 else row[6:] for i, row in enumerate(lines)]
        assert all(cell_len(row) <= width for row in lines), lines
        assert "".join(body).replace(" ", "") == note.replace(" ", "")  # nothing lost
        for figure in GLUED:
            if figure in note and cell_len(figure) <= width - 6:
                assert any(figure in row for row in body), (width, figure, lines)
        assert not any(row[:1] in "，。、”）" for row in body[1:]), lines
        assert not any(row.rstrip()[-1:] in "“（" for row in body), lines
    # Fewer rows than the note needs: the rest on the last, which fit() cuts with "…".
    cut = [line.plain for line in _wrapped("备注：", NOTES[1], width, 2)]
    assert len(cut) == 2 and cut[1].replace(" ", "").endswith("88%")


def test_a_local_file_is_named_by_its_name_a_url_whole() -> None:
    from lishi_tui.app.widgets.panels.tall import _origin_text

    assert _origin_text("/srv/lishi/月报/统计月报.xlsx") == "统计月报.xlsx"
    assert _origin_text("C:\\data\\monthly.csv") == "monthly.csv"
    url = "https://data.example.org/api?series=GDP&from=2016"
    assert _origin_text(url) == url  # the query says which series: kept
    assert _origin_text("离石区 (builtin:economy/published.toml)").startswith("离石区")


def test_the_indicators_unit_is_never_split_across_rows() -> None:
    from lishi_tui.app.widgets.panels.tall import _wrapped

    note = NOTES[0]  # ends "…的总投资，亿元": a unit after a comma, with no figure before it
    split_somewhere = False
    for width in range(16, 61):
        kept = [line.plain.rstrip() for line in _wrapped("备注：", note, width, 99, ("亿元",))]
        assert not any(row.endswith("亿") for row in kept), (width, kept)
        plain = [line.plain.rstrip() for line in _wrapped("备注：", note, width, 99)]
        split_somewhere |= any(row.endswith("亿") for row in plain)
    assert split_somewhere  # without the unit given, some width breaks it (the test can fail)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80x24_an_overdue_stat_without_history_keeps_its_status_whole(
    published: tuple[Path, Config, Registry], lang: str
) -> None:
    """Three years on the 2021 figures are overdue: "⏱ 本期数据逾期未发布 · 数据源正常（核实于…）"
    is wider than a 38-cell panel. With one period there is no sparkline, so the status takes
    that row, broken between its two facts, instead of cutting when the source answered."""
    path, config, registry = published
    later = BUNDLED_NOW + timedelta(days=3 * 365)
    app = bundled_app(SqliteStore(path), config, registry, lang=lang, clock=lambda: later)
    assert isinstance(app, LishiApp)
    async with app.run_test(size=SMALL) as pilot:
        panels = await show_page(pilot, app, 5)
        stats = [p for p in panels if isinstance(p, StatPanel)]
        assert len(stats) == 2
        for stat in stats:
            rows = inner_rows(app, stat)
            assert len(rows) == 6, rows
            view = stat.view()
            assert view is not None and view.stale and len(view.figured) == 1, rows
            whole = f"{t('panel.overdue', lang)} · {t('panel.source_ok', lang, age='')}"
            assert cell_len(whole) > stat.content_size.width  # one row could not hold it
            assert rows[4].rstrip() == t("panel.overdue", lang), rows
            head = t("panel.source_ok", lang, age="|").split("|")[0]
            assert rows[5].startswith(head) and "…" not in rows[5], rows
