"""The detail screen of a long series: a page of revisions, paged on, a chart from SQL buckets."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from lishi_tui.app import make_app
from lishi_tui.app.screens.detail import HISTORY_PAGE, DetailScreen
from lishi_tui.app.widgets.chart import PlotChart
from lishi_tui.config.schema import PageConfig, PanelConfig, PanelKind
from lishi_tui.domain.model import Frequency, Indicator, Observation
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, observation
from tests.support.waiting import until, until_shown

FIRST = datetime(2021, 11, 1, tzinfo=UTC)
AQI = Indicator(
    id="aqi",
    name_zh="空气质量指数",
    name_en="AQI",
    unit="",
    decimals=0,
    frequency=Frequency.REALTIME,
    source="air_api",
)


class RowCountingStore(SqliteStore):
    """The real SQLite store, recording how many observations each read handed back."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.rows_read: list[tuple[str, int]] = []

    def _note(self, name: str, got: Any) -> Any:
        self.rows_read.append((name, len(got)))
        return got

    def revisions(self, indicator_id: str, period_key: str | None = None, **kw: Any) -> Any:
        return self._note("revisions", super().revisions(indicator_id, period_key, **kw))

    def history(self, indicator_id: str, **kw: Any) -> Any:
        return self._note("history", super().history(indicator_id, **kw))

    def series(self, indicator_id: str, **kw: Any) -> Any:
        return self._note("series", super().series(indicator_id, **kw))


def aqi_readings(n: int) -> list[Observation]:
    return [
        observation(
            "aqi", Period.instant(FIRST + timedelta(minutes=i)), 50 + i % 40, source="air_api"
        )
        for i in range(n)
    ]


async def open_detail(store: RowCountingStore) -> tuple[Any, Any]:
    base = build_config()
    config = dataclasses.replace(
        base,
        indicators={**base.indicators, "aqi": AQI},
        pages=(PageConfig("air", "空气", "Air", (PanelConfig(PanelKind.STAT, ("aqi",)),)),),
    )
    return config, make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})


async def shown_detail(app: Any, pilot: Any) -> DetailScreen:
    """Open the AQI detail screen and let its first store read land."""
    await pilot.pause()
    app.open_detail("aqi")  # not a key press: the dashboard may not have focus yet
    screen = await until(
        pilot,
        lambda: app.screen if isinstance(app.screen, DetailScreen) else None,
        what="the detail screen",
    )
    assert isinstance(screen, DetailScreen)
    await until(pilot, lambda: screen.reads, what="the detail's first store read")
    return screen


async def test_detail_of_a_long_series_reads_a_page_and_pages_on(tmp_path: Path) -> None:
    store = RowCountingStore(tmp_path / "h.db")
    store.write(aqi_readings(3_000))
    _, app = await open_detail(store)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await shown_detail(app, pilot)
        table = screen.query_one("#detail-history", DataTable)
        assert table.row_count == HISTORY_PAGE
        text = await until_shown(pilot, "显示 100 / 共 3,000 条", "共 3,000 个数据点")
        assert "显示 100 / 共 3,000 条" in text
        assert "共 3,000 个数据点" in text  # the chart is drawn from SQL buckets of all of it
        assert screen.query_one("#detail-chart", PlotChart).spec is not None
        read = [n for name, n in store.rows_read if name in {"revisions", "series"}]
        assert max(read) <= max(HISTORY_PAGE, 200)  # never a row per stored observation

        table.focus()
        table.move_cursor(row=HISTORY_PAGE - 1)
        await until(pilot, lambda: table.row_count > HISTORY_PAGE, what="the next page read")
        assert table.row_count == 2 * HISTORY_PAGE
        # the second page continues where the first stopped: older minutes, no repeat
        assert table.get_row_at(HISTORY_PAGE)[0].plain < table.get_row_at(HISTORY_PAGE - 1)[0].plain
    store.close()


async def test_detail_reads_the_same_rows_for_ten_times_the_history(tmp_path: Path) -> None:
    counts = []
    for n in (1_000, 10_000):
        store = RowCountingStore(tmp_path / f"h{n}.db")
        store.write(aqi_readings(n))
        _, app = await open_detail(store)
        async with app.run_test(size=(100, 40)) as pilot:
            assert (await shown_detail(app, pilot)).reads
        counts.append(sum(c for _, c in store.rows_read))
        store.close()
    small, large = counts
    assert large <= small * 1.1, counts  # reading every revision would be 10x
