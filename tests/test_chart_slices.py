"""A chart panel of a long series of instants reads slices from SQL, not a row per reading.

A reading every few seconds (an AQI feed) fills a chart's 800 periods in under an hour. Its
panel reads the newest 800 readings as 200 slices (low, high, last) aggregated in the
database, and its history only as deep as a glance; a period series (months, years) and a
short run of instants are read and drawn point by point as before. Counted, never timed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from lishi_tui.app import make_app
from lishi_tui.app.snapshot import CHART_SLICES, GLANCE_POINTS, HISTORY_POINTS, read_view
from lishi_tui.app.widgets.chart import PlotChart
from lishi_tui.app.widgets.panels.chart import ChartPanel
from lishi_tui.config.schema import (
    AppSettings,
    Config,
    PageConfig,
    PanelConfig,
    PanelKind,
    SourceConfig,
)
from lishi_tui.domain.model import Frequency, Indicator, Observation
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Bucket
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_registry, observation
from tests.support.waiting import until

STEP = timedelta(seconds=3)
LONG = 3_000  # readings of the long feed: more than a chart's 800
SPIKE = 2_900  # one reading far above the others, among the newest 800
START = FIXED_NOW - LONG * STEP


def indicator(iid: str, frequency: Frequency) -> Indicator:
    return Indicator(
        id=iid,
        name_zh=f"{iid}中文",
        name_en=iid,
        unit="μg/m³" if frequency is Frequency.REALTIME else "%",
        decimals=0,
        frequency=frequency,
        source="feed",
    )


def config() -> Config:
    indicators = {
        "aqi": indicator("aqi", Frequency.REALTIME),
        "aqi_short": indicator("aqi_short", Frequency.REALTIME),
        "gdp": indicator("gdp", Frequency.MONTHLY),
    }
    panels = tuple(PanelConfig(PanelKind.CHART, (iid,)) for iid in indicators)
    return Config(
        path=None,
        app=AppSettings(),
        sources={"feed": SourceConfig("feed", "csv", timedelta(hours=1), tuple(indicators), {})},
        indicators=indicators,
        pages=(PageConfig("p", "页", "Page", panels),),
    )


def reading(iid: str, i: int, value: float) -> Observation:
    moment = START + i * STEP
    return observation(iid, Period.instant(moment), value, source="feed", fetched_at=moment)


class CountingStore(SqliteStore):
    """A real SQLite store that records the depth of every history read and every slice
    read, per indicator."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.history_limits: dict[str, list[int | None]] = {}
        self.series_reads: dict[str, list[dict[str, Any]]] = {}

    def history(self, indicator_id: str, *args: Any, **kw: Any) -> list[Observation]:
        self.history_limits.setdefault(indicator_id, []).append(kw.get("limit"))
        return super().history(indicator_id, *args, **kw)

    def series(self, indicator_id: str, **kw: Any) -> list[Bucket]:
        self.series_reads.setdefault(indicator_id, []).append(kw)
        return super().series(indicator_id, **kw)


def filled(tmp_path: Path) -> CountingStore:
    store = CountingStore(tmp_path / "feed.db")
    values = [40.0 + (i % 7) for i in range(LONG)]
    values[SPIKE] = 480.0
    store.write([reading("aqi", i, v) for i, v in enumerate(values)])
    store.write([reading("aqi_short", i, 30.0 + i % 5) for i in range(100)])
    store.write(
        [
            observation("gdp", Period.month(2000 + m // 12, m % 12 + 1), 5.0 + m % 3, source="feed")
            for m in range(300)
        ]
    )
    return store


def test_a_long_series_of_instants_is_read_as_slices_of_its_newest_readings(
    tmp_path: Path,
) -> None:
    store = filled(tmp_path)
    cfg = config()
    view = read_view(store, cfg.indicators["aqi"], FIXED_NOW, {}, history_points=HISTORY_POINTS)
    assert store.history_limits["aqi"] == [GLANCE_POINTS + 1]
    assert len(view.history) == GLANCE_POINTS and not view.history_whole
    assert 0 < len(view.buckets) <= CHART_SLICES
    # The slices hold the newest 800 readings, no more, no fewer: the window a chart of
    # raw points had.
    assert sum(b.count for b in view.buckets) == HISTORY_POINTS
    assert view.buckets[0].start == START + (LONG - HISTORY_POINTS) * STEP
    assert view.buckets[-1].last_start == START + (LONG - 1) * STEP
    assert view.buckets[-1].last == 40.0 + (LONG - 1) % 7
    # A spike in one reading is a slice's high: never averaged or thinned away.
    assert max(b.high or 0 for b in view.buckets) == 480.0
    # The latest figure and the one before it come from the glance-deep history.
    assert view.latest is not None and view.latest.value == 40.0 + (LONG - 1) % 7
    assert view.previous is not None and view.previous.period.start == START + (LONG - 2) * STEP

    # A panel as deep as a glance (a stat) reads no slices.
    store.series_reads.clear()
    read_view(store, cfg.indicators["aqi"], FIXED_NOW, {}, history_points=GLANCE_POINTS)
    assert store.series_reads == {}


def test_a_short_run_of_instants_and_a_period_series_are_read_point_by_point(
    tmp_path: Path,
) -> None:
    store = filled(tmp_path)
    cfg = config()
    short = read_view(store, cfg.indicators["aqi_short"], FIXED_NOW, {})
    assert short.buckets == () and len(short.history) == 100 and short.history_whole
    assert store.history_limits["aqi_short"] == [GLANCE_POINTS + 1]
    months = read_view(store, cfg.indicators["gdp"], FIXED_NOW, {})
    assert months.buckets == () and len(months.history) == 300 and months.history_whole
    assert store.history_limits["gdp"] == [HISTORY_POINTS + 1]
    assert store.series_reads == {}


async def test_the_chart_panel_draws_the_slices_low_and_high(tmp_path: Path) -> None:
    store = filled(tmp_path)
    app = make_app(config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(120, 40)) as pilot:

        def drawn() -> bool:
            panels = list(app.dashboard.query(ChartPanel))
            return len(panels) == 3 and all(
                p.is_mounted and p.query_one(PlotChart).spec is not None for p in panels
            )

        await until(pilot, drawn, what="the three charts drawn")
        charts = {p.indicator_ids[0]: p for p in app.dashboard.query(ChartPanel)}
        spec = charts["aqi"].query_one(PlotChart).spec
        assert spec is not None
        view = charts["aqi"].view()
        assert view is not None and view.buckets
        # Two points a slice, its low then its high; the spike is drawn.
        assert len(spec.xs) == 2 * len(view.buckets) <= 2 * CHART_SLICES
        assert 480.0 in spec.ys
        assert list(spec.ys[:2]) == [view.buckets[0].low, view.buckets[0].high]
        assert [len(store.series_reads.get(i, [])) > 0 for i in ("aqi", "aqi_short", "gdp")] == [
            True,
            False,
            False,
        ]
        # The others point by point.
        short = charts["aqi_short"].query_one(PlotChart).spec
        assert short is not None and len(short.xs) == 100
        months = charts["gdp"].query_one(PlotChart).spec
        assert months is not None and len(months.xs) == 300
