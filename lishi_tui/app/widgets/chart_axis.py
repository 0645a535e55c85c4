"""The chart's y axis as pure arithmetic: "nice" ticks in 1-2-5 steps placed on whole rows."""

from __future__ import annotations

import math
from dataclasses import dataclass

MANTISSAS = (1, 2, 5)
MAX_TICKS = 6


@dataclass(frozen=True)
class YAxis:
    """Ticks ``first + i * step`` for i in range(count), ``rows_per_step`` rows apart.

    ``lower``/``upper`` are the values of the bottom and top plot rows: with them as the
    plot's limits, tick i falls exactly on row ``i * rows_per_step`` (counted from the
    bottom), so the labels are evenly spaced at every height.
    """

    mantissa: int
    exponent: int
    first_index: int  # first tick = first_index * step
    count: int
    rows_per_step: int
    rows: int

    @property
    def step(self) -> float:
        return self.mantissa * 10.0**self.exponent

    @property
    def ticks(self) -> tuple[float, ...]:
        # Integer multiples of the step, computed once each: no accumulated float error.
        return tuple(self.value(self.first_index + i) for i in range(self.count))

    def value(self, index: int) -> float:
        if self.exponent >= 0:
            return float(index * self.mantissa * 10**self.exponent)
        return float(index * self.mantissa / 10 ** (-self.exponent))

    @property
    def lower(self) -> float:
        return self.ticks[0]

    @property
    def upper(self) -> float:
        """The top row's value: the last tick, or above it when rows are left over."""
        return self.lower + self.step * (self.rows - 1) / self.rows_per_step

    @property
    def decimals(self) -> int:
        """Places a label needs to tell the ticks apart (0.5 -> 1, 20 -> 0)."""
        return max(0, -self.exponent)

    def label(self, value: float) -> str:
        text = f"{value:,.{self.decimals}f}"
        return "0" if text.lstrip("-").strip("0.,") == "" else text


def _candidates(raw: float) -> list[tuple[int, int]]:
    """Nice steps (mantissa, exponent) from just under ``raw`` upwards."""
    k = math.floor(math.log10(raw)) - 1
    return [(m, e) for e in range(k, k + 4) for m in MANTISSAS]


def nice_axis(lo: float, hi: float, rows: int, max_ticks: int = MAX_TICKS) -> YAxis:
    """The finest 1-2-5 ticks covering [lo, hi] that fit ``rows`` plot rows evenly.

    At most ``max_ticks`` ticks and at least two, with at least two rows between labels
    when there are five rows or more (labels on every row read as a column of numbers).
    A flat series is given a little room around its value. Needs three rows or more.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"cannot scale an axis over {lo!r}..{hi!r}")
    if rows < 3:
        raise ValueError(f"an axis needs three rows or more, got {rows}")
    lo, hi = min(lo, hi), max(lo, hi)
    if hi - lo <= max(abs(hi), abs(lo), 1e-6) * 1e-9:
        pad = abs(lo) * 0.05 if abs(lo) >= 1e-6 else 1.0
        lo, hi = lo - pad, hi + pad
    min_gap = 2 if rows >= 5 else 1
    most = max(3, min(max_ticks, (rows - 1) // min_gap + 1))
    fits: list[YAxis] = []
    for mantissa, exponent in _candidates((hi - lo) / (most - 1)):
        step = mantissa * 10.0**exponent
        first = math.floor(lo / step + 1e-9)
        last = max(math.ceil(hi / step - 1e-9), first + 1)
        count = last - first + 1
        per = (rows - 1) // (count - 1)
        if count <= most and per >= min_gap:
            fits.append(YAxis(mantissa, exponent, first, count, per, rows))
    # The axis that leaves the data the most rows (the smallest span from the bottom to the
    # top row), keeping three labels where three fit; the finer step on a tie.
    three = [a for a in fits if a.count >= 3] or fits
    if not three:  # pragma: no cover - four decades of steps always hold one
        raise AssertionError(f"no nice step for {lo}..{hi} over {rows} rows")
    return min(three, key=lambda a: (a.upper - a.lower, a.step))
