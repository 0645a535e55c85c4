"""What a chart of one indicator shows: its history, target line, on-track path and x labels."""

from __future__ import annotations

from collections.abc import Sequence

from lishi_tui.app.formatting import period_text, target_text, unit, value_text
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.chart import ChartSpec, month_number, ticks_for
from lishi_tui.domain.model import Indicator, Observation
from lishi_tui.domain.periods import CHINA_TZ, Period, PeriodKind


def tick_labels(periods: Sequence[Period], *, span: Sequence[Period] = ()) -> list[str]:
    """x-axis labels: period keys ("2021-10"), and instants short in China time.

    Instants are stored in UTC ("2026-11-27T11:00:00Z"); everywhere else the UI shows
    Beijing time, so the axis says "11-27 19:00", or "19:00" when the series (``span``:
    its first and last periods; ``periods`` when not given) falls within one day.
    """
    if not any(p.kind is PeriodKind.INSTANT for p in periods):
        return [p.key for p in periods]
    whole = span or periods
    one_day = len({p.start.astimezone(CHINA_TZ).date() for p in whole}) <= 1
    form = "%H:%M" if one_day else "%m-%d %H:%M"
    return [
        p.start.astimezone(CHINA_TZ).strftime(form) if p.kind is PeriodKind.INSTANT else p.key
        for p in periods
    ]


def chart_spec(view: IndicatorView, lang: str, *, title: str = "") -> ChartSpec | None:
    """The chart of one indicator's history, with target and on-track path when known."""
    shown = [o for o in view.history if o.value is not None]
    if not shown:
        return None
    indicator = view.indicator
    scale = indicator.multiplier or 1.0
    xs = tuple(month_number(o.period.start) for o in shown)
    ys = tuple(o.value / scale for o in shown if o.value is not None)
    marks: list[tuple[float, Period | str]] = [
        (x, o.period) for x, o in zip(xs, shown, strict=True)
    ]
    path = None
    target = indicator.target.value / scale if indicator.target else None
    if indicator.baseline and indicator.target and indicator.target.deadline:
        path = (
            (month_number(indicator.baseline.on), indicator.baseline.value / scale),
            (month_number(indicator.target.deadline), indicator.target.value / scale),
        )
        marks.append((path[1][0], indicator.target.deadline.isoformat()[:7]))
        marks.sort(key=lambda mark: mark[0])  # a deadline already past sits inside the series
    # Label only the ticks drawn: formatting every point of a long series costs more
    # than drawing it.
    chosen = ticks_for(marks, 3)
    names = iter(
        tick_labels(
            [m for _, m in chosen if isinstance(m, Period)],
            span=(shown[0].period, shown[-1].period),
        )
    )
    ticks = tuple((x, m if isinstance(m, str) else next(names)) for x, m in chosen)
    return ChartSpec(
        xs=xs,
        ys=ys,
        title=title,
        x_ticks=ticks,
        target=target,
        path=path,
        demo=tuple(o.reading.demo for o in shown) if any(o.reading.demo for o in shown) else (),
        unit=unit(indicator, lang),
        lang=lang,
        single=single_stat(indicator, shown[0], lang) if len(shown) == 1 else (),
    )


def single_stat(indicator: Indicator, obs: Observation, lang: str) -> tuple[str, ...]:
    """One figure in words: value and unit, its period (and demo mark), the target."""
    period = period_text(indicator, obs, lang)
    if obs.reading.demo:
        period = f"{period} · {t('panel.demo', lang)}"
    lines = [value_text(indicator, obs, lang), period]
    if indicator.target is not None:
        lines.append(target_text(indicator, lang))
    return tuple(lines)
