"""The dashboard redraws only what changed, and lays its panels out to the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from lishi_tui.app.screens.dashboard import DashboardScreen
from lishi_tui.app.screens.page_layout import (
    max_columns,
    pack,
    page_columns,
    row_heights,
)
from lishi_tui.app.snapshot import HISTORY_POINTS
from lishi_tui.app.widgets.chart import PlotChart
from lishi_tui.app.widgets.panels import ChartPanel, Panel, PanelContext, changed_spans
from lishi_tui.domain.model import Observation, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import (
    FIXED_NOW,
    build_config,
    build_registry,
    fill_store,
    observation,
    screen_text,
)
from tests.support.dashboard_app import app_for, filled_store, first_page_up, panel_for
from tests.support.waiting import until, until_shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


async def test_new_observation_redraws_only_its_panel(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_page_up(pilot, app)
        tertiary = panel_for(app, "tertiary_share")
        gdp = panel_for(app, "gdp_growth")
        before_t, before_g = tertiary.updates, gdp.updates
        # Another process (the collector) writes through its own connection.
        writer = SqliteStore(store.path)
        writer.write([observation("tertiary_share", Period.year(2021), 52, fetched_at=FIXED_NOW)])
        writer.close()
        await until(pilot, lambda: tertiary.updates > before_t, what="tertiary.updates > before_t")
        await until_shown(pilot, "52 %")
        assert gdp.updates == before_g


def repaint_counts(panel: Panel) -> tuple[int, int, int]:
    return panel.repaints, panel.border_rows_repainted, panel.rows_repainted


async def test_a_new_figure_repaints_only_the_cells_it_changed(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        stat = panel_for(app, "tertiary_share")
        table = next(p for p in app.dashboard.panels if len(p.indicator_ids) == 3)
        gdp = panel_for(app, "gdp_growth")
        panels = (stat, table, gdp)
        before = {p: repaint_counts(p) for p in panels}
        updates = stat.updates
        writer = SqliteStore(store.path)
        writer.write([observation("tertiary_share", Period.year(2021), 53, fetched_at=FIXED_NOW)])
        writer.close()
        await until(pilot, lambda: stat.updates > updates, what="stat.updates > updates")
        await until_shown(pilot, "53 %")
        await pilot.pause()  # the repaint of what changed is done in this pass
        # The stat panel (51 -> 53 %): the value, change and progress rows; never its border,
        # nor the period, sparkline (still ending at its top) and status rows, which read the same.
        repaints, border_rows, rows = repaint_counts(stat)
        assert (repaints, border_rows) == before[stat][:2]
        assert rows - before[stat][2] == 3
        # The table: the one row of tertiary_share; its header and other rows stay.
        assert repaint_counts(table) == (*before[table][:2], before[table][2] + 1)
        assert repaint_counts(gdp) == before[gdp]  # not even told

        # The same figures again (a re-read that finds nothing new): nothing is repainted.
        settled = {p: repaint_counts(p) for p in panels}
        app.apply_changes({"tertiary_share", "gdp_growth"})
        await until(pilot, lambda: stat.updates == updates + 2, what="the re-read applied")
        await pilot.pause()  # a repaint, were there one, is done in this pass
        assert stat.updates == updates + 2
        assert {p: repaint_counts(p) for p in panels} == settled
        assert "53 %" in screen_text(app)


async def test_a_new_source_repaints_the_subtitle_row_not_the_panel(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        stat = panel_for(app, "tertiary_share")
        repaints, border_rows, _ = repaint_counts(stat)
        updates = stat.updates
        store.write(
            [
                observation(
                    "tertiary_share", Period.year(2022), 54, source="bureau", fetched_at=FIXED_NOW
                )
            ]
        )
        await until(pilot, lambda: stat.updates > updates, what="stat.updates > updates")
        await until_shown(pilot, "来源: bureau")
        await pilot.pause()  # the repaint of what changed is done in this pass
        assert repaint_counts(stat)[:2] == (repaints, border_rows + 1)


def test_changed_spans_cover_whole_characters_and_shifted_text() -> None:
    def row(text: str, width: int = 24) -> Strip:
        return Strip([Segment(text + " " * (width - cell_len(text)))])

    # One digit after two wide characters: one cell, at the digit's column.
    assert changed_spans([row("第三 51 %")], [row("第三 52 %")]) == [Region(6, 0, 1, 1)]
    # A longer percentage shifts what follows it: everything up to the end of the text goes.
    assert changed_spans([row("93% 目标 55 %")], [row("150% 目标 55 %")]) == [
        Region(0, 0, cell_len("150% 目标 55 %"), 1)
    ]
    # A sparkline one point longer whose last character is the same as before.
    assert changed_spans([row("▁▃█")], [row("▁▂▃█")]) == [Region(1, 0, 3, 1)]
    # A style change alone counts; equal rows give nothing.
    bold = Strip([Segment("51 %", Style(bold=True)), Segment(" " * 20)])
    assert changed_spans([row("51 %")], [bold]) == [Region(0, 0, 4, 1)]
    assert changed_spans([row("a"), row("b")], [row("a"), row("b")]) == []


class CountingStore(SqliteStore):
    """The real SQLite store, counting history reads and the most rows one asked for."""

    history_reads = 0
    widest_read = 0

    def history(self, indicator_id: str, **kw: Any) -> list[Observation]:
        self.history_reads += 1
        self.widest_read = max(self.widest_read, kw.get("limit") or 10**9)
        return super().history(indicator_id, **kw)


async def test_a_source_run_without_new_data_keeps_the_chart_and_reads_no_history(
    tmp_path: Path,
) -> None:
    store = CountingStore(tmp_path / "lishi.db")
    fill_store(store)
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        panel = next(p for p in app.dashboard.panels if isinstance(p, ChartPanel))
        chart = await until(pilot, lambda: panel.query_one(PlotChart), what="the chart mounted")
        await until(pilot, lambda: chart.builds > 0, what="chart.builds > 0")
        builds, reads, updates = chart.builds, store.history_reads, panel.updates
        assert 0 < store.widest_read <= HISTORY_POINTS + 1  # bounded (one more: is it whole?)
        # The demo source runs and stores nothing new: the status changes, the data do not.
        store.log_fetch(
            SourceRunOutcome("greening_demo", FIXED_NOW - timedelta(minutes=2), 0.1, ok=True)
        )
        await until(pilot, lambda: panel.updates > updates, what="panel.updates > updates")
        await until_shown(pilot, "核实于2 分钟前")
        assert store.history_reads == reads
        assert chart.builds == builds
        # New figures do rebuild it.
        store.write(
            [
                observation(
                    "greening", Period.month(2021, 11), 90.0, source="greening_demo", demo=True
                )
            ]
        )
        await until(pilot, lambda: chart.builds > builds, what="chart.builds > builds")
        assert store.history_reads > reads
    store.close()


def test_layout_columns_follow_the_window() -> None:
    assert (max_columns(80), max_columns(120), max_columns(200)) == (2, 3, 5)


def test_rows_are_full_and_never_hang_off_the_edge() -> None:
    config = build_config()
    ctx = PanelContext("zh", True, lambda: FIXED_NOW)
    panels = DashboardScreen(config, ctx, overview="off", registry=build_registry()).pages[0][1]

    def spans(rows: list[list[tuple[Panel, int]]]) -> list[list[int]]:
        return [[s for _, s in row] for row in rows]

    # widths 1, 1, 1, 2: two columns give 1+1 / 1 widened / 2; three give 1+1+1 / 2 widened
    assert spans(pack(panels, 2)) == [[1, 1], [2], [2]]
    assert spans(pack(panels, 3)) == [[1, 1, 1], [3]]
    # The fewest rows, then the fewest gaps to close, then the most columns.
    assert page_columns(panels, 200) == 5  # 1+1+1+2: one row
    assert page_columns(panels, 120) == 3  # 1+1+1 / 2 widened, not three rows of two


def test_rows_share_the_height_and_charts_take_what_is_left() -> None:
    config = build_config()
    ctx = PanelContext("zh", True, lambda: FIXED_NOW)
    pages = DashboardScreen(config, ctx, overview="off", registry=build_registry()).pages
    chart_page = next(p for _, p in pages if any(isinstance(x, ChartPanel) for x in p))
    rows = pack(chart_page, 2)
    natural = row_heights(rows, 0)
    heights = row_heights(rows, sum(natural) + 10)
    assert sum(heights) == sum(natural) + 10  # the page fills the window exactly
    grew = [h - n for h, n in zip(heights, natural, strict=True)]
    chart_rows = [any(isinstance(p, ChartPanel) for p, _ in row) for row in rows]
    assert all((g > 0) == c for g, c in zip(grew, chart_rows, strict=True))
    assert row_heights(rows, 5) == natural  # too small: natural heights, and the page scrolls
