"""A chart of a long series from the store's SQL buckets: each slice drawn as its low and high."""

from __future__ import annotations

from collections.abc import Sequence

from lishi_tui.app.formatting import unit
from lishi_tui.app.widgets.chart import ChartSpec, month_number
from lishi_tui.app.widgets.chart_spec import tick_labels
from lishi_tui.domain.model import Indicator
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Bucket

# Slices asked of the store for a detail chart: two points each (low, high), about two
# braille dots per column of the widest chart we lay out.
DETAIL_BUCKETS = 200


def bucket_chart_spec(
    indicator: Indicator,
    buckets: Sequence[Bucket],
    *,
    title: str = "",
    note: str = "",
    lang: str = "zh",
) -> ChartSpec | None:
    """The range of every slice (its lowest then highest figure), so no spike is thinned away."""
    points = [b for b in buckets if b.low is not None and b.high is not None]
    if not points:
        return None
    scale = indicator.multiplier or 1.0
    xs: list[float] = []
    ys: list[float] = []
    for b in points:
        assert b.low is not None and b.high is not None
        start, end = month_number(b.start), month_number(b.last_start)
        xs += [start, max(start, end)]
        ys += [b.low / scale, b.high / scale]
    first, last = Period.instant(points[0].start), Period.instant(points[-1].last_start)
    middle = Period.instant(points[len(points) // 2].start)
    marks = [first, middle, last] if len(points) > 2 else [first, last]
    names = tick_labels(marks, span=(first, last))
    ticks = tuple((month_number(p.start), name) for p, name in zip(marks, names, strict=True))
    demo = tuple(flag for b in points for flag in (b.demo, b.demo))
    return ChartSpec(
        xs=tuple(xs),
        ys=tuple(ys),
        title=f"{title} · {note}" if note else title,
        x_ticks=ticks,
        target=indicator.target.value / scale if indicator.target else None,
        demo=demo if any(demo) else (),
        unit=unit(indicator, lang),
        lang=lang,
    )
