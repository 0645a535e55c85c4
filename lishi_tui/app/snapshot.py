"""What one indicator looks like right now: the store's figures joined with status arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from lishi_tui.domain.model import Indicator, Observation, Rag
from lishi_tui.domain.periods import PeriodKind
from lishi_tui.domain.status import (
    Freshness,
    Projection,
    freshness,
    progress,
    projection,
    rag,
    today_in_china,
)
from lishi_tui.store.base import Bucket, SourceHealth, Store

# The newest periods read per indicator. A chart shows at most 2 braille dots per column,
# and thinning keeps 4 points per column; 4 x 200 columns (the widest terminal we lay out
# for) is all the widest chart can use. Reading more only costs time: ~7 us a row.
HISTORY_POINTS = 800
# A panel that draws the latest figure and no history (a table's rows, the overview's
# lines) needs the figure before it (change, trend): a few periods, in case the newest are
# demo periods after the latest real figure.
LATEST_POINTS = 8
# A stat or gauge draws a sparkline of one point a column and, when tall, lists one period
# a spare row: no more than 200 (the widest terminal we lay out for), and the few before
# them that a table's row reads. A chart's depth would read four times as many rows.
GLANCE_POINTS = 200 + LATEST_POINTS
# A chart of instants (a reading every few seconds) is read as this many slices of its
# newest HISTORY_POINTS readings, aggregated in SQL (low, high, last), and its history only
# as deep as a glance: two points a slice, a column's two braille dots on the widest
# terminal, with no spike thinned away, for a quarter of the rows decoded.
CHART_SLICES = 200


@dataclass(frozen=True)
class IndicatorView:
    """Everything a panel needs about one indicator, read once per change."""

    indicator: Indicator
    latest: Observation | None
    previous: Observation | None
    history: tuple[Observation, ...]
    rag: Rag
    progress: float | None
    projection: Projection | None
    freshness: Freshness
    health: SourceHealth | None
    data_version: int = 0  # bumped by the app each time the figures are re-read
    # False when the read stopped at its limit: earlier periods may be stored, so a count of
    # the history's periods is a lower bound, never "how many there are".
    history_whole: bool = True
    # A chart of instants longer than a glance: its newest HISTORY_POINTS readings in
    # slices (``CHART_SLICES``), drawn instead of ``history``; empty otherwise.
    buckets: tuple[Bucket, ...] = ()

    @property
    def demo(self) -> bool:
        """The figure shown is synthetic."""
        return self.latest is not None and self.latest.demo

    @cached_property
    def history_demo(self) -> bool:
        """Some of the history drawn (chart, sparkline) is synthetic (walked once per view:
        a panel asks for its classes and again for its title on each update)."""
        return any(o.demo for o in self.history)

    @cached_property
    def figured(self) -> tuple[Observation, ...]:
        """The history's periods that have a figure, newest first (worked out once a view:
        a tall panel lists them on every render)."""
        return tuple(o for o in reversed(self.history) if o.value is not None)

    @property
    def failing(self) -> bool:
        """The last run of the indicator's source failed."""
        h = self.health
        return h is not None and h.last_run is not None and not h.last_run.ok

    @property
    def stale(self) -> bool:
        return self.freshness is Freshness.STALE

    @property
    def source_id(self) -> str:
        if self.latest is not None:
            return self.latest.source
        return self.indicator.source

    def values(self, last: int | None = None) -> list[float]:
        """The history's figures, oldest first; with ``last``, only the newest ``last`` of
        them, walked from the end (a sparkline of 36 columns need not walk 800 points)."""
        if last is None:
            return [o.value for o in self.history if o.value is not None]
        out: list[float] = []
        for o in reversed(self.history):
            if len(out) >= last:
                break
            if o.value is not None:
                out.append(o.value)
        out.reverse()
        return out


def read_view(
    store: Store,
    indicator: Indicator,
    now: datetime,
    health: dict[str, SourceHealth],
    *,
    include_demo: bool = True,
    history_points: int = HISTORY_POINTS,
    data_version: int = 0,
) -> IndicatorView:
    """One indicator's view from the store; ``health`` is the store's per-source summary.

    A read deeper than a glance is a chart's: for a series of instants longer than a
    glance, its chart is read as ``CHART_SLICES`` slices of the newest ``history_points``
    readings and its history only as deep as a glance."""
    # The store's latest is the newest real figure when there is one, never a later demo point.
    latest = store.latest([indicator.id], include_demo=include_demo).get(indicator.id)
    sliced = (
        history_points > GLANCE_POINTS
        and latest is not None
        and latest.period.kind is PeriodKind.INSTANT
    )
    depth = GLANCE_POINTS if sliced else history_points
    # One row past the limit tells whether the history read is all there is.
    read = store.history(indicator.id, limit=depth + 1, include_demo=include_demo)
    whole = len(read) <= depth
    history = tuple(read if whole else read[len(read) - depth :])
    buckets: tuple[Bucket, ...] = ()
    if sliced and not whole:
        start = store.series_start(indicator.id, periods=history_points, include_demo=include_demo)
        if start is not None:
            end = history[-1].period.start + timedelta(seconds=1)
            buckets = tuple(
                store.series(
                    indicator.id,
                    start=start,
                    end=end,
                    buckets=CHART_SLICES,
                    include_demo=include_demo,
                )
            )
    earlier = [o for o in history if latest is not None and o.period.start < latest.period.start]
    previous = earlier[-1] if earlier else None
    return _with_status(
        indicator, latest, previous, history, now, health, data_version, whole, buckets
    )


def restatus(view: IndicatorView, now: datetime, health: dict[str, SourceHealth]) -> IndicatorView:
    """The same figures with the source's health and the clock-dependent status redone.

    A source run that stored nothing new changes only this: no store read, and the data
    version stays, so charts keep their drawing.
    """
    return _with_status(
        view.indicator,
        view.latest,
        view.previous,
        view.history,
        now,
        health,
        view.data_version,
        view.history_whole,
        view.buckets,
    )


def _with_status(
    indicator: Indicator,
    latest: Observation | None,
    previous: Observation | None,
    history: tuple[Observation, ...],
    now: datetime,
    health: dict[str, SourceHealth],
    data_version: int,
    history_whole: bool = True,
    buckets: tuple[Bucket, ...] = (),
) -> IndicatorView:
    value = latest.value if latest is not None else None
    source = latest.source if latest is not None else indicator.source
    return IndicatorView(
        indicator=indicator,
        latest=latest,
        previous=previous,
        history=history,
        rag=rag(indicator, value),
        progress=progress(indicator, value),
        projection=projection(indicator, value, today_in_china(now)),
        freshness=freshness(indicator, latest, now),
        health=health.get(source) or health.get(indicator.source),
        data_version=data_version,
        history_whole=history_whole,
        buckets=buckets,
    )
