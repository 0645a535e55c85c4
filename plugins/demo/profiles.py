"""Pure, seeded series shapes for the demo source: a value is a function of seed, stream and time.

Nothing here keeps state, so the same seed and clock give the same figures in every
process, and a restarted dashboard redraws the history it showed before.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from lishi_tui.plugin import CHINA_TZ, Period, PeriodKind

PROFILES = ("walk", "seasonal", "ramp", "aqi")
PERIOD_KINDS = ("instant", "day", "month", "year")


@dataclass(frozen=True)
class SeriesSpec:
    """How one indicator's demo series is shaped; see the demo source's options for meanings."""

    profile: str = "walk"
    period: str = "month"
    start: float = 50.0
    step: float = 0.0
    noise: float = 1.0
    amplitude: float = 0.0
    peak_month: int = 1
    minimum: float | None = None
    maximum: float | None = None
    decimals: int = 2
    ytd: bool = False
    history: int = 24
    every: timedelta = timedelta(hours=1)
    anchor: datetime = datetime(2021, 1, 1, tzinfo=CHINA_TZ)
    since: Period | None = None
    until: Period | None = None
    jitter: float = 0.0
    stream: str = ""


@lru_cache(maxsize=65536)
def unit_hash(seed: int, stream: str, *parts: object) -> float:
    """A reproducible number in [-1, 1]: blake2b, not hash(), which differs between processes."""
    text = "\x1f".join(str(p) for p in (seed, stream, *parts))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**63 - 1.0


def smooth_noise(seed: int, stream: str, x: float) -> float:
    """Value noise in about [-1, 1]: random knots at whole x, cosine-interpolated, two octaves."""
    total = 0.0
    for octave, (scale, weight) in enumerate(((1.0, 0.75), (3.0, 0.25))):
        xs = x * scale
        k = math.floor(xs)
        frac = xs - k
        a = unit_hash(seed, stream, octave, k)
        b = unit_hash(seed, stream, octave, k + 1)
        mix = (1 - math.cos(math.pi * frac)) / 2
        total += weight * (a + (b - a) * mix)
    return total


def month_of_year(t: datetime) -> float:
    """1.0 at the start of January, 12.97 at the end of December (China time)."""
    local = t.astimezone(CHINA_TZ)
    year_start = datetime(local.year, 1, 1, tzinfo=CHINA_TZ)
    year_len = datetime(local.year + 1, 1, 1, tzinfo=CHINA_TZ) - year_start
    return 1.0 + 12.0 * ((local - year_start) / year_len)


def elapsed_units(kind: str, origin: datetime, t: datetime) -> float:
    """Time from ``origin`` to ``t`` in the series' units: years, months, days or hours."""
    a, b = origin.astimezone(CHINA_TZ), t.astimezone(CHINA_TZ)
    if kind in ("year", "month"):
        months: float = (b.year - a.year) * 12 + (b.month - a.month)
        month_start = datetime(b.year, b.month, 1, tzinfo=CHINA_TZ)
        next_start = Period.month(b.year, b.month).end
        months += (b - month_start) / (next_start - month_start)
        months -= (a - datetime(a.year, a.month, 1, tzinfo=CHINA_TZ)) / (
            Period.month(a.year, a.month).end - datetime(a.year, a.month, 1, tzinfo=CHINA_TZ)
        )
        return months / 12.0 if kind == "year" else months
    if kind == "day":
        return (b - a) / timedelta(days=1)
    return (b - a) / timedelta(hours=1)


def value_at(spec: SeriesSpec, seed: int, stream: str, t: datetime, year_of: int) -> float:
    """The series' value at moment ``t``; ``year_of`` is the year a year-to-date value counts in."""
    origin = datetime(year_of, 1, 1, tzinfo=CHINA_TZ) if spec.ytd else spec.anchor
    x = elapsed_units(spec.period, origin, t)
    if spec.profile == "ramp":
        # Monotone: the slope step·(1 + w·cos) never changes sign while the wobble w <= 1.
        w = min(max(spec.noise, 0.0), 1.0)
        phase = math.pi * unit_hash(seed, stream, "phase")
        cycle = 12.0
        wobble = (
            w
            * cycle
            / (2 * math.pi)
            * (math.sin(2 * math.pi * x / cycle + phase) - math.sin(phase))
        )
        v = spec.start + spec.step * (x + wobble)
    elif spec.profile == "seasonal":
        season = math.cos(2 * math.pi * (month_of_year(t) - spec.peak_month) / 12.0)
        v = spec.start + spec.step * x + spec.amplitude * season
        v += spec.noise * smooth_noise(seed, stream, x)
    elif spec.profile == "aqi":
        # Lüliang's air is worst in the heating season and around the morning inversion.
        local = t.astimezone(CHINA_TZ)
        heating = math.cos(2 * math.pi * (month_of_year(t) - spec.peak_month) / 12.0)
        hour = local.hour + local.minute / 60 + local.second / 3600
        daily = math.cos(2 * math.pi * (hour - 8.0) / 24.0)
        v = spec.start * (1 + spec.amplitude * heating) * (1 + 0.15 * daily)
        hours = (t - spec.anchor) / timedelta(hours=1)
        v *= math.exp(spec.noise * smooth_noise(seed, stream, hours / 6.0))
    else:  # walk
        v = spec.start + spec.step * x + spec.noise * smooth_noise(seed, stream, x)
    return v


def finish(spec: SeriesSpec, v: float) -> float:
    """Clamp to the bounds and round as the series asks."""
    if spec.minimum is not None:
        v = max(v, spec.minimum)
    if spec.maximum is not None:
        v = min(v, spec.maximum)
    return round(v, spec.decimals)


def containing(kind: str, t: datetime) -> Period:
    """The period of ``kind`` that ``t`` falls in (China time)."""
    local = t.astimezone(CHINA_TZ)
    if kind == "year":
        return Period.year(local.year)
    if kind == "month":
        return Period.month(local.year, local.month)
    if kind == "day":
        return Period.day(local.date())
    return Period.instant(t)


def shift(period: Period, n: int) -> Period:
    """The period ``n`` steps after ``period`` (before, for negative ``n``)."""
    s = period.start
    match period.kind:
        case PeriodKind.YEAR:
            return Period.year(s.year + n)
        case PeriodKind.MONTH:
            index = s.year * 12 + (s.month - 1) + n
            return Period.month(index // 12, index % 12 + 1)
        case PeriodKind.DAY:
            return Period.day(date(s.year, s.month, s.day) + timedelta(days=n))
        case _:
            raise ValueError(f"cannot step a {period.kind} period")


def instant_grid(now: datetime, every: timedelta, count: int) -> list[datetime]:
    """The ``count`` whole multiples of ``every`` (from the Unix epoch) before ``now``."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    step = every / timedelta(seconds=1)
    last = math.floor(((now - epoch) / timedelta(seconds=1) - 1e-9) / step)
    return [epoch + timedelta(seconds=(last - i) * step) for i in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Anchor:
    """A published figure a demo path must arrive at: its value at the end of its period."""

    at: datetime  # the end of the published period
    value: float
    year: int  # the year the period counts in (for year-to-date series)


def pinned_value(
    spec: SeriesSpec, seed: int, stream: str, t: datetime, year_of: int, anchors: list[Anchor]
) -> float:
    """The series' value at ``t``, bent so that it arrives exactly at the next published figure.

    Between two fixed points (the series' origin, or a published figure already passed, and
    the next published figure) the generated path is remapped so that it meets both. A ramp
    is scaled (it stays monotone, so it never runs above a figure it rises to); other shapes
    are shifted by a blend that grows linearly across the stretch. Without a published figure
    ahead, or before the series' origin, the value is the plain ``value_at``.
    """
    raw = value_at(spec, seed, stream, t, year_of)
    origin = datetime(year_of, 1, 1, tzinfo=CHINA_TZ) if spec.ytd else spec.anchor
    if t < origin:
        return raw
    usable = sorted(
        (a for a in anchors if a.at > origin and (not spec.ytd or a.year == year_of)),
        key=lambda a: a.at,
    )
    ahead = next((a for a in usable if a.at >= t), None)
    if ahead is None:
        return raw
    behind = next((a for a in reversed(usable) if a.at < t), None)
    start_t = behind.at if behind is not None else origin
    start_raw = value_at(spec, seed, stream, start_t, year_of)
    start = behind.value if behind is not None else start_raw
    end_raw = value_at(spec, seed, stream, ahead.at, year_of)
    rise, wanted = end_raw - start_raw, ahead.value - start
    if spec.profile == "ramp" and rise != 0 and wanted / rise > 0:
        return start + (raw - start_raw) * wanted / rise
    w = (t - start_t) / (ahead.at - start_t) if ahead.at > start_t else 1.0
    return raw + (start - start_raw) * (1 - w) + (ahead.value - end_raw) * w
