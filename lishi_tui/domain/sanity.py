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


def reading_problem(reading: Reading) -> str | None:
    """Why ``reading`` must not be stored, or None when it is fine."""
    for name in ("value", "numerator", "denominator"):
        v = getattr(reading, name)
        if v is None:
            continue
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            return f"{name} is not a finite number"
        if abs(v) > MAX_MAGNITUDE:
            return f"{name} {v:g} is beyond ±{MAX_MAGNITUDE:g}"
    year = reading.period.start.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"period {reading.period.key} is outside the years {FIRST_YEAR}-{LAST_YEAR}"
    if not reading.indicator or len(reading.indicator) > MAX_NAME:
        return f"indicator id is empty or longer than {MAX_NAME} characters"
    for name in ("origin", "note"):
        if len(getattr(reading, name) or "") > MAX_TEXT:
            return f"{name} is longer than {MAX_TEXT} characters"
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
