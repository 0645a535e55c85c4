"""The chart's y axis and display units as pure functions: 1-2-5 ticks on whole rows, 万/亿."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lishi_tui.app.formatting import scaled_unit
from lishi_tui.app.widgets.chart_axis import nice_axis

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(a=finite, b=finite, rows=st.integers(min_value=3, max_value=80))
def test_ticks_are_nice_even_and_cover_the_data(a: float, b: float, rows: int) -> None:
    lo, hi = min(a, b), max(a, b)
    axis = nice_axis(lo, hi, rows)
    ticks = axis.ticks
    assert 2 <= len(ticks) <= 6
    assert axis.mantissa in (1, 2, 5)
    step = axis.mantissa * 10.0**axis.exponent
    gaps = [later - earlier for earlier, later in pairwise(ticks)]
    assert all(math.isclose(g, step, rel_tol=1e-9) for g in gaps)
    slack = step * 1e-6
    assert ticks[0] <= lo + slack and ticks[-1] >= hi - slack
    # Every tick on a whole row, the same number of rows apart, inside the plot.
    assert (len(ticks) - 1) * axis.rows_per_step <= rows - 1
    assert axis.rows_per_step >= (2 if rows >= 5 else 1)
    span = axis.upper - axis.lower
    for i, tick in enumerate(ticks):
        row = (tick - axis.lower) / span * (rows - 1)
        assert math.isclose(row, i * axis.rows_per_step, abs_tol=1e-6)


@given(value=finite, rows=st.integers(min_value=3, max_value=40))
def test_a_flat_series_gets_room_around_its_value(value: float, rows: int) -> None:
    axis = nice_axis(value, value, rows)
    assert axis.ticks[0] < value < axis.ticks[-1] or value in axis.ticks


@pytest.mark.parametrize(
    ("lo", "hi", "rows", "labels"),
    [
        # The reported case: 3.7 .. 10.0 on three rows read "10.0 / 8.4 / 3.7".
        (3.7, 10.0, 3, ["0", "5", "10"]),
        (3.1, 3.4, 5, ["3.0", "3.2", "3.4"]),
        (0.0, 100.0, 11, ["0", "20", "40", "60", "80", "100"]),
        (0.0, 320.0, 9, ["0", "100", "200", "300", "400"]),
        (-1.0, 1.0, 3, ["-1", "0", "1"]),
        (1200.0, 18000.0, 9, ["0", "5,000", "10,000", "15,000", "20,000"]),
    ],
)
def test_labels_read_as_written(lo: float, hi: float, rows: int, labels: list[str]) -> None:
    axis = nice_axis(lo, hi, rows)
    assert [axis.label(t) for t in axis.ticks] == labels


def test_too_few_rows_or_infinite_data_is_refused() -> None:
    with pytest.raises(ValueError, match="three rows"):
        nice_axis(0, 1, 2)
    with pytest.raises(ValueError, match="cannot scale"):
        nice_axis(0, math.inf, 10)


@pytest.mark.parametrize(
    ("largest", "unit", "lang", "expected"),
    [
        (3.2e6, "亩", "zh", (1e4, "万亩")),  # 3.2e6 亩 is 320 万亩
        (3.2e6, "mu", "en", (1e6, "M mu")),
        (9_999.0, "个", "zh", (1.0, "个")),
        (3.0e8, "元", "zh", (1e8, "亿元")),
        (12_000.0, "万吨", "zh", (1e4, "亿吨")),  # 12,000 万吨 is 1.2 亿吨
        (5_000.0, "万吨", "zh", (1.0, "万吨")),
        (2e4, "亿元", "zh", (1.0, "亿元")),
        (250_000.0, "", "zh", (1e4, "万")),
        (250_000.0, "", "en", (1e4, "k")),
        (2.5e9, "yuan", "en", (1e9, "bn yuan")),
        (1e6, "%", "zh", (1.0, "%")),  # a share is never rescaled
        (1e6, "吨标准煤/万元", "zh", (1.0, "吨标准煤/万元")),  # nor is a rate
        (math.inf, "亩", "zh", (1.0, "亩")),
    ],
)
def test_scaled_unit(largest: float, unit: str, lang: str, expected: tuple[float, str]) -> None:
    assert scaled_unit(largest, unit, lang) == expected


@given(
    largest=st.floats(min_value=0, max_value=1e15, allow_nan=False),
    unit=st.sampled_from(["亩", "元", "万吨", "个", "mu", ""]),
    lang=st.sampled_from(["zh", "en"]),
)
def test_scaled_figures_keep_few_digits(largest: float, unit: str, lang: str) -> None:
    divisor, label = scaled_unit(largest, unit, lang)
    assert divisor >= 1
    shown = largest / divisor
    if divisor > 1:
        assert shown >= 1 and label != unit
    # Below 10,000 nothing changes; from 10,000 up a prefix (万, 亿, k, M, bn) takes over.
    assert (divisor == 1) == (largest < 1e4)
