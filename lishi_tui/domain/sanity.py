"""What a stored reading may be: finite values in a sane range, periods in years people report,
text of bounded size. Checked when a reading is stored and again when a row is read back."""

from __future__ import annotations

import math

from lishi_tui.domain.model import Observation, Reading

# Development statistics begin in the 20th century and plans reach a few decades ahead;
# a period outside this is a parsing slip ("9999,6" read as a year) or a hostile plugin.
FIRST_YEAR = 1900
LAST_YEAR = 2200
MAX_MAGNITUDE = 1e15  # larger than any GDP in yuan; beyond it formatting and sums misbehave
MAX_NAME = 200  # indicator and source ids
MAX_TEXT = 4000  # origin, URL, note


class InsaneReading(ValueError):
    """A reading that must not be stored (or, read back, shown)."""


def _number_problem(name: str, v: object) -> str | None:
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
        return f"{name} is not a finite number"
    if abs(v) > MAX_MAGNITUDE:
        return f"{name} {v:g} is beyond ±{MAX_MAGNITUDE:g}"
    return None


def reading_problem(reading: Reading) -> str | None:
    """Why ``reading`` must not be stored, or None when it is fine."""
    # Checked for every reading stored: the common case (floats in range, or None) is a few
    # comparisons inline; NaN fails the chained comparison and takes the slow path.
    value, num, den = reading.value, reading.numerator, reading.denominator
    if not (
        (value is None or (type(value) is float and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE))
        and (num is None or (type(num) is float and -MAX_MAGNITUDE <= num <= MAX_MAGNITUDE))
        and (den is None or (type(den) is float and -MAX_MAGNITUDE <= den <= MAX_MAGNITUDE))
    ):
        for name, v in (("value", value), ("numerator", num), ("denominator", den)):
            if v is not None and (problem := _number_problem(name, v)) is not None:
                return problem
    year = reading.period.start.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"period {reading.period.key} is outside the years {FIRST_YEAR}-{LAST_YEAR}"
    if not reading.indicator or len(reading.indicator) > MAX_NAME:
        return f"indicator id is empty or longer than {MAX_NAME} characters"
    if len(reading.origin or "") > MAX_TEXT:
        return f"origin is longer than {MAX_TEXT} characters"
    if len(reading.note or "") > MAX_TEXT or len(reading.note_en or "") > MAX_TEXT:
        return f"note is longer than {MAX_TEXT} characters"
    return None


def check_observation(obs: Observation) -> None:
    """Raise ``InsaneReading`` naming the figure when ``obs`` must not be stored."""
    problem = reading_problem(obs.reading)
    if problem is None and (not obs.source or len(obs.source) > MAX_NAME):
        problem = f"source id is empty or longer than {MAX_NAME} characters"
    if problem is None and len(obs.fetch_url or "") > MAX_TEXT:
        problem = f"fetch URL is longer than {MAX_TEXT} characters"
    if problem is not None:
        raise InsaneReading(
            f"refused {obs.reading.indicator[:MAX_NAME]!r} {obs.reading.period.key}: {problem}"
        )
