"""Status arithmetic: RAG, progress, projection, staleness, readings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as s

from lishi_tui.domain import status as st
from lishi_tui.domain.model import (
    Baseline,
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    Observation,
    ObservationStatus,
    Rag,
    Reading,
    Target,
    ThresholdMode,
    Thresholds,
)
from lishi_tui.domain.periods import Period

REQUESTS = Indicator(
    "requests_done",
    "全区各级接收实事办结率",
    "Citizen requests handled",
    unit="%",
    measure=MeasureKind.RATIO,
    frequency=Frequency.MONTHLY,
    target=Target(100.0, date(2021, 12, 31)),
    thresholds=Thresholds(green=90, amber=80),
)
GREENING = Indicator(
    "greening_acreage",
    "“三个100万亩”绿化面积",
    "Greening acreage",
    unit="亩",
    frequency=Frequency.MONTHLY,
    baseline=Baseline(0.0, date(2021, 1, 1)),
    target=Target(3_000_000.0, date(2025, 12, 31)),
    thresholds=Thresholds(green=95, amber=80, mode=ThresholdMode.PERCENT_OF_TARGET),
)
EMISSIONS = Indicator(
    "xinyi_co2",
    "信义镇二氧化碳排放",
    "Xinyi CO2 emissions",
    unit="万吨",
    direction=Direction.LOWER,
    baseline=Baseline(10.0, date(2021, 1, 1)),
    target=Target(6.0, date(2030, 12, 31)),
    thresholds=Thresholds(green=8.0, amber=9.0),
)


def obs(indicator: Indicator, period: Period, value: float | None) -> Observation:
    return Observation(
        Reading(indicator.id, period, value),
        source="test",
        fetched_at=datetime(2021, 11, 1, tzinfo=UTC),
    )


def test_ratio_reading_derives_percentage() -> None:
    r = Reading("requests_done", Period.month(2021, 10), numerator=1581, denominator=1787)
    assert r.value == pytest.approx(88.47, abs=0.005)
    assert st.rag(REQUESTS, r.value) is Rag.AMBER  # below the 90 green bound, above 80


def test_reading_without_value_is_missing() -> None:
    r = Reading("x", Period.year(2021))
    assert r.status is ObservationStatus.MISSING


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True])
def test_reading_rejects_non_finite(bad: float) -> None:
    with pytest.raises(ValueError):
        Reading("x", Period.year(2021), bad)


def test_rag_lower_is_better() -> None:
    assert st.rag(EMISSIONS, 7.5) is Rag.GREEN
    assert st.rag(EMISSIONS, 8.5) is Rag.AMBER
    assert st.rag(EMISSIONS, 9.5) is Rag.RED
    assert st.rag(EMISSIONS, None) is Rag.NONE


def test_rag_percent_of_target() -> None:
    assert st.rag(GREENING, 2_900_000) is Rag.GREEN  # 96.7 % of target
    assert st.rag(GREENING, 2_500_000) is Rag.AMBER
    assert st.rag(GREENING, 1_000_000) is Rag.RED


def test_no_thresholds_no_colour() -> None:
    assert st.rag(replace(REQUESTS, thresholds=None), 50) is Rag.NONE


def test_progress_and_projection_for_greening() -> None:
    assert st.progress(GREENING, 1_500_000) == pytest.approx(0.5)
    p = st.projection(GREENING, 1_200_000, date(2023, 7, 1))
    assert p is not None
    total_days = (date(2025, 12, 31) - date(2021, 1, 1)).days
    expected = 3_000_000 * (date(2023, 7, 1) - date(2021, 1, 1)).days / total_days
    assert p.expected == pytest.approx(expected)
    assert p.on_track is (expected <= 1_200_000)
    assert p.remaining == pytest.approx(1_800_000)
    months_left = (date(2025, 12, 31) - date(2023, 7, 1)).days / st.DAYS_PER_MONTH
    assert p.pace_per_month == pytest.approx(1_800_000 / months_left)


def test_projection_lower_is_better() -> None:
    p = st.projection(EMISSIONS, 9.0, date(2026, 1, 1))
    assert p is not None
    assert p.expected < 10.0
    assert p.on_track is (p.expected >= 9.0)
    assert p.remaining == pytest.approx(3.0)


def test_projection_past_deadline_has_no_pace() -> None:
    p = st.projection(GREENING, 2_000_000, date(2026, 6, 1))
    assert p is not None and p.pace_per_month is None and p.months_left == 0


def test_freshness() -> None:
    latest = obs(REQUESTS, Period.month(2021, 10), 88.47)
    assert st.freshness(REQUESTS, latest, datetime(2021, 11, 20, tzinfo=UTC)) is st.Freshness.FRESH
    assert st.freshness(REQUESTS, latest, datetime(2022, 3, 1, tzinfo=UTC)) is st.Freshness.STALE
    assert st.freshness(REQUESTS, None, datetime(2022, 3, 1, tzinfo=UTC)) is st.Freshness.NO_DATA
    custom = replace(REQUESTS, stale_after=timedelta(days=1))
    assert st.freshness(custom, latest, datetime(2021, 11, 3, tzinfo=UTC)) is st.Freshness.STALE


finite = s.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(finite, finite, finite)
def test_rag_is_monotonic_higher_is_better(a: float, b: float, green: float) -> None:
    ind = replace(REQUESTS, thresholds=Thresholds(green=green, amber=green - 10))
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
    lo, hi = sorted((a, b))
    assert order[st.rag(ind, lo)] <= order[st.rag(ind, hi)]


@given(finite, finite, finite)
def test_rag_is_monotonic_lower_is_better(a: float, b: float, green: float) -> None:
    ind = replace(EMISSIONS, thresholds=Thresholds(green=green, amber=green + 10))
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
    lo, hi = sorted((a, b))
    assert order[st.rag(ind, lo)] >= order[st.rag(ind, hi)]


@given(finite, finite, finite)
def test_progress_is_zero_at_baseline_and_one_at_target(
    base: float, goal: float, value: float
) -> None:
    assume(abs(goal - base) > 1e-6)
    ind = replace(
        GREENING, baseline=Baseline(base, date(2021, 1, 1)), target=Target(goal, date(2025, 1, 1))
    )
    assert st.progress(ind, base) == pytest.approx(0.0, abs=1e-9)
    assert st.progress(ind, goal) == pytest.approx(1.0)


@given(
    s.floats(0, 1e7, allow_nan=False),
    s.dates(min_value=date(2021, 1, 1), max_value=date(2026, 12, 31)),
)
def test_projection_expected_stays_between_baseline_and_target(value: float, on: date) -> None:
    p = st.projection(GREENING, value, on)
    assert p is not None
    assert 0.0 <= p.expected <= 3_000_000.0
    assert p.on_track is (value >= p.expected)
    assert p.remaining >= 0
    if p.pace_per_month is not None:
        assert p.pace_per_month * p.months_left == pytest.approx(p.remaining, rel=1e-9, abs=1e-6)
