"""Status arithmetic: RAG colour, progress to target, on-track projection and staleness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from lishi_tui.domain.model import (
    Direction,
    Frequency,
    Indicator,
    Observation,
    Rag,
    ThresholdMode,
)
from lishi_tui.domain.periods import CHINA_TZ, PeriodKind

# How long after a period ends its figure is still current: one period plus a
# publication lag typical of statistics offices.
DEFAULT_ALLOWANCE: dict[Frequency, timedelta] = {
    Frequency.REALTIME: timedelta(minutes=15),
    Frequency.DAILY: timedelta(days=2),
    Frequency.MONTHLY: timedelta(days=31 + 30),
    Frequency.QUARTERLY: timedelta(days=92 + 60),
    Frequency.YEARLY: timedelta(days=366 + 120),
}

DAYS_PER_MONTH = 365.25 / 12


def rag(indicator: Indicator, value: float | None) -> Rag:
    """Colour a value by the indicator's thresholds; NONE if there is nothing to judge."""
    t = indicator.thresholds
    if value is None or t is None:
        return Rag.NONE
    if t.mode is ThresholdMode.PERCENT_OF_TARGET:
        if indicator.target is None or indicator.target.value == 0:
            return Rag.NONE
        measured = value / indicator.target.value * 100.0
    else:
        measured = value
    if indicator.direction is Direction.HIGHER:
        if measured >= t.green:
            return Rag.GREEN
        return Rag.AMBER if measured >= t.amber else Rag.RED
    if measured <= t.green:
        return Rag.GREEN
    return Rag.AMBER if measured <= t.amber else Rag.RED


def progress(indicator: Indicator, value: float | None) -> float | None:
    """Fraction of the way from baseline (or zero) to target; 1.0 means reached.

    Unclamped: above 1 is beyond target, below 0 is moving away from it.
    """
    if value is None or indicator.target is None:
        return None
    start = indicator.baseline.value if indicator.baseline else 0.0
    goal = indicator.target.value
    span = goal - start
    if span == 0:
        return 1.0 if value == goal else 0.0
    return (value - start) / span


@dataclass(frozen=True)
class Projection:
    """Where the linear path from baseline to target says the value should be now."""

    expected: float
    on_track: bool
    gap: float  # value minus expected, signed so that positive is good
    remaining: float  # still to go to reach target (0 once reached)
    months_left: float
    pace_per_month: float | None  # needed from now on; None once past the deadline


class Missing(StrEnum):
    """What stops a projection from being made."""

    BASELINE = "baseline"
    TARGET = "target"
    DEADLINE = "deadline"
    VALUE = "value"  # no figure yet
    ORDER = "order"  # the deadline is not after the baseline date


def projection_missing(indicator: Indicator, value: float | None) -> tuple[Missing, ...]:
    """Exactly what ``projection`` lacks, in the order the detail names them; () if nothing.

    A target without a deadline lacks only the deadline; no target lacks the deadline too
    (a deadline belongs to a target).
    """
    b, t = indicator.baseline, indicator.target
    missing = []
    if b is None:
        missing.append(Missing.BASELINE)
    if t is None:
        missing.append(Missing.TARGET)
    if t is None or t.deadline is None:
        missing.append(Missing.DEADLINE)
    if missing:
        return tuple(missing)
    assert b is not None and t is not None and t.deadline is not None
    if (t.deadline - b.on).days <= 0:
        return (Missing.ORDER,)
    return (Missing.VALUE,) if value is None else ()


def projection(indicator: Indicator, value: float | None, on: date) -> Projection | None:
    """Linear pace from baseline to target deadline, inverted for lower-is-better.

    Needs a baseline, a target and a deadline (``projection_missing`` says which are absent).
    """
    b, t = indicator.baseline, indicator.target
    if value is None or b is None or t is None or t.deadline is None:
        return None
    total_days = (t.deadline - b.on).days
    if total_days <= 0:
        return None
    elapsed = min(max((on - b.on).days, 0), total_days)
    expected = b.value + (t.value - b.value) * elapsed / total_days
    sign = 1.0 if indicator.direction is Direction.HIGHER else -1.0
    gap = (value - expected) * sign
    remaining = max((t.value - value) * sign, 0.0)
    months_left = max((t.deadline - on).days, 0) / DAYS_PER_MONTH
    pace = remaining / months_left if months_left > 0 else None
    return Projection(
        expected=expected,
        on_track=gap >= 0,
        gap=gap,
        remaining=remaining,
        months_left=months_left,
        pace_per_month=pace,
    )


class Freshness(StrEnum):
    """Whether the newest figure is still current. Distinct from a failing source."""

    FRESH = "fresh"
    STALE = "stale"
    NO_DATA = "no_data"


def allowance(indicator: Indicator) -> timedelta:
    return indicator.stale_after or DEFAULT_ALLOWANCE[indicator.frequency]


def freshness(indicator: Indicator, latest: Observation | None, now: datetime) -> Freshness:
    """Stale when the newest period ended longer ago than the indicator's allowance."""
    if latest is None or latest.value is None:
        return Freshness.NO_DATA
    period = latest.period
    ended = period.start if period.kind is PeriodKind.INSTANT else period.end
    return Freshness.STALE if now - ended > allowance(indicator) else Freshness.FRESH


def age(latest: Observation, now: datetime) -> timedelta:
    """Time since the figure's period ended (for instants, since the instant)."""
    period = latest.period
    ended = period.start if period.kind is PeriodKind.INSTANT else min(period.end, now)
    return max(now - ended, timedelta(0))


def today_in_china(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(CHINA_TZ).date()
