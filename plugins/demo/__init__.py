"""The ``demo`` source type: plausible, reproducible synthetic series, every reading flagged demo.

The first run of a source returns a history (e.g. two years of months, two days of
hours) and the current period; each later run is one tick at the run's clock: a new
instant for real-time series, the current period's provisional figure generated again
otherwise (the store replaces the stored demo figure: it is not counted as a revision).
Values are a pure function of ``seed``, the indicator id and time, so a given seed and
clock always give the same figures.

A demo value is never generated for an (indicator, period) that a published figure
covers: the published data files (by default every ``*/published.toml`` in the
bundled plugins folder) are read on every run and their periods skipped. A demo path
that leads up to a published figure of its own period kind arrives exactly at it (a
monthly path to the published October figure ends there), so the real figure never
looks like a fall or a jump from the synthetic one before it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lishi_tui.plugin import (
    CHINA_TZ,
    FetchContext,
    FetchError,
    ObservationStatus,
    Option,
    OptionKind,
    Period,
    PeriodError,
    PublishedFile,
    PublishedFormatError,
    Reading,
    RegisterSourceType,
    SourceType,
    covers,
    hookimpl,
    load_published,
)

from .profiles import (
    PERIOD_KINDS,
    PROFILES,
    Anchor,
    SeriesSpec,
    containing,
    finish,
    instant_grid,
    pinned_value,
    shift,
    unit_hash,
)

__version__ = "0.1.0"

# Options that shape a series; each may also be set per indicator under `series`.
SERIES_OPTIONS: dict[str, Option] = {
    "profile": Option(
        OptionKind.STR,
        default="walk",
        choices=PROFILES,
        help="walk: drifting wander; seasonal: yearly cycle; ramp: rising total; "
        "aqi: heating-season and morning peaks",
    ),
    "period": Option(
        OptionKind.STR,
        default="month",
        choices=PERIOD_KINDS,
        help="instant (real-time points), day, month or year",
    ),
    "start": Option(OptionKind.FLOAT, default=50.0, help="value at the anchor (ytd: at 1 January)"),
    "step": Option(OptionKind.FLOAT, default=0.0, help="drift per period (instant: per hour)"),
    "noise": Option(
        OptionKind.FLOAT, default=1.0, help="wander size; ramp: wobble 0-1; aqi: log-scale spread"
    ),
    "amplitude": Option(
        OptionKind.FLOAT, default=0.0, help="seasonal swing (aqi: as a fraction of start)"
    ),
    "peak_month": Option(OptionKind.INT, default=1, help="month of the seasonal peak, 1-12"),
    "min": Option(OptionKind.FLOAT, help="lower bound"),
    "max": Option(OptionKind.FLOAT, help="upper bound"),
    "decimals": Option(OptionKind.INT, default=2, help="rounding of generated values"),
    "ytd": Option(OptionKind.BOOL, default=False, help="restart from `start` every 1 January"),
    "history": Option(OptionKind.INT, default=24, help="periods (or `every` steps) of history"),
    "every": Option(OptionKind.DURATION, default="1h", help="spacing of instant history"),
    "anchor": Option(OptionKind.STR, default="2021-01-01", help="where `start` applies"),
    "since": Option(OptionKind.STR, help="first period of a fixed history, e.g. 2016"),
    "until": Option(OptionKind.STR, help="last period of a fixed history: no live ticks"),
    "jitter": Option(
        OptionKind.FLOAT, default=0.0, help="extra spread of the live tick, so panels move"
    ),
    "stream": Option(
        OptionKind.STR,
        default="",
        help="noise stream (default: the indicator id); share to correlate",
    ),
}

OPTIONS: dict[str, Option] = {
    "seed": Option(OptionKind.INT, default=0, help="change to get other, equally plausible series"),
    **SERIES_OPTIONS,
    "series": Option(
        OptionKind.TABLE,
        default={},
        help="per-indicator overrides: series.<indicator> = { start = 40, ... }",
    ),
    "published": Option(
        OptionKind.LIST,
        default=[],
        help="published data files whose periods are never generated "
        "(default: every */published.toml in the bundled plugins folder)",
    ),
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(value: Any, where: str) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str) and (m := _DURATION.match(value.strip())):
        return timedelta(seconds=float(m[1]) * _DURATION_UNITS[m[2]])
    raise FetchError(f'must be a duration such as "1h", got {value!r}', where=where)


def _check(name: str, value: Any, where: str) -> Any:
    """Type-check one series option given per indicator (the config loader checks the rest)."""
    option = SERIES_OPTIONS.get(name)
    if option is None:
        raise FetchError(
            f"unknown series option {name!r} (allowed: {', '.join(sorted(SERIES_OPTIONS))})",
            where=where,
        )
    kind = option.kind
    ok = {
        OptionKind.STR: isinstance(value, str),
        OptionKind.INT: isinstance(value, int) and not isinstance(value, bool),
        OptionKind.FLOAT: isinstance(value, int | float) and not isinstance(value, bool),
        OptionKind.BOOL: isinstance(value, bool),
        OptionKind.DURATION: isinstance(value, str | timedelta),
    }.get(kind, True)
    if not ok:
        raise FetchError(f"must be {kind.value}, got {value!r}", where=where)
    if option.choices and value not in option.choices:
        raise FetchError(f"must be one of {', '.join(option.choices)}, got {value!r}", where=where)
    return value


def _period(value: Any, where: str) -> Period | None:
    if value is None or value == "":
        return None
    try:
        return Period.parse(str(value))
    except PeriodError as exc:
        raise FetchError(str(exc), where=where) from exc


def series_spec(ctx: FetchContext, indicator: str) -> SeriesSpec:
    """The source's series options with the indicator's overrides from ``series`` applied."""
    where = f"sources.{ctx.source_id}"
    merged: dict[str, Any] = {
        name: ctx.options.get(name, option.default) for name, option in SERIES_OPTIONS.items()
    }
    overrides = (ctx.options.get("series") or {}).get(indicator, {})
    if not isinstance(overrides, Mapping):
        raise FetchError("must be a table of series options", where=f"{where}.series.{indicator}")
    for name, value in overrides.items():
        merged[name] = _check(name, value, f"{where}.series.{indicator}.{name}")
    anchor = _period(merged["anchor"], f"{where}.anchor")
    spec = SeriesSpec(
        profile=str(merged["profile"]),
        period=str(merged["period"]),
        start=float(merged["start"]),
        step=float(merged["step"]),
        noise=float(merged["noise"]),
        amplitude=float(merged["amplitude"]),
        peak_month=int(merged["peak_month"]),
        minimum=None if merged["min"] is None else float(merged["min"]),
        maximum=None if merged["max"] is None else float(merged["max"]),
        decimals=int(merged["decimals"]),
        ytd=bool(merged["ytd"]),
        history=max(int(merged["history"]), 0),
        every=_duration(merged["every"], f"{where}.every"),
        since=_period(merged["since"], f"{where}.since"),
        until=_period(merged["until"], f"{where}.until"),
        jitter=float(merged["jitter"]),
        stream=str(merged["stream"]),
    )
    if anchor is not None:
        spec = replace(spec, anchor=anchor.start)
    if spec.profile not in PROFILES:
        raise FetchError(f"unknown profile {spec.profile!r}", where=f"{where}.profile")
    if spec.period not in PERIOD_KINDS:
        raise FetchError(f"unknown period kind {spec.period!r}", where=f"{where}.period")
    if spec.every <= timedelta(0):
        raise FetchError("must be longer than zero", where=f"{where}.every")
    return spec


def published_figures(ctx: FetchContext) -> dict[str, list[tuple[Period, float | None]]]:
    """Every (indicator, period) the published data files cover, with its value."""
    listed = list(ctx.options.get("published") or [])
    if listed:
        paths = [ctx.resolve_path(str(p)) for p in listed]
    else:
        # The bundled files ship with the package: looked for once, not on every tick
        # (the search was a sixth of a tick's CPU); each one's changes are still seen below.
        bundled: list[Path] | None = ctx.state.get("bundled_published")
        if bundled is None:
            bundled = sorted(ctx.builtin_dir.glob("*/published.toml"))
            ctx.state["bundled_published"] = bundled
        paths = bundled
    # Parsed files are kept between ticks and re-read only when they change on disk.
    cache: dict[Path, tuple[tuple[int, int], PublishedFile]] = ctx.state.setdefault(
        "published_cache", {}
    )
    found: dict[str, list[tuple[Period, float | None]]] = {}
    for path in paths:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = cache.get(path)
            if cached is not None and cached[0] == stamp:
                data = cached[1]
            else:
                data = load_published(path)
                cache[path] = (stamp, data)
        except OSError as exc:
            raise FetchError(
                f"cannot read published figures to avoid them: {exc.strerror or exc}",
                where=str(path),
            ) from exc
        except PublishedFormatError as exc:
            # Without the published periods the demo could shadow a real figure: refuse.
            raise FetchError(
                f"cannot read published figures to avoid them: {exc.message}", where=exc.where
            ) from exc
        for fig in data.figures:
            value = fig.value
            if value is None and fig.numerator is not None and fig.denominator:
                value = fig.numerator / fig.denominator * 100.0  # as a ratio reading derives it
            found.setdefault(fig.indicator, []).append((fig.period, value))
    return found


def anchors_for(spec: SeriesSpec, published: list[tuple[Period, float | None]]) -> list[Anchor]:
    """The published figures of the series' own period kind that its path must arrive at."""
    kind = containing(spec.period, spec.anchor).kind if spec.period != "instant" else None
    return [
        Anchor(period.end, value, period.start.astimezone(CHINA_TZ).year)
        for period, value in published
        if value is not None and period.kind is kind
    ]


def _points(
    spec: SeriesSpec, now: datetime, first_run: bool
) -> list[tuple[Period, datetime, bool]]:
    """(period, moment its value is taken at, live?) for this run."""
    if spec.period == "instant":
        grid = instant_grid(now, spec.every, spec.history) if first_run else []
        return [(Period.instant(t), t, False) for t in grid] + [(Period.instant(now), now, True)]
    current = containing(spec.period, now)
    if spec.until is not None and containing(spec.period, spec.until.start) < current:
        last = containing(spec.period, spec.until.start)
        first = (
            containing(spec.period, spec.since.start)
            if spec.since is not None
            else shift(last, -max(spec.history - 1, 0))
        )
        points: list[tuple[Period, datetime, bool]] = []
        p = first
        while p <= last:
            points.append((p, p.end, False))
            p = shift(p, 1)
        return points
    if first_run:
        first = (
            containing(spec.period, spec.since.start)
            if spec.since is not None
            else shift(current, -spec.history)
        )
    else:
        # The previous period too: its last provisional tick becomes its final value.
        first = shift(current, -1)
    points = []
    p = first
    while p < current:
        points.append((p, p.end, False))
        p = shift(p, 1)
    points.append((current, now, True))
    return points


def _spec(ctx: FetchContext, indicator: str) -> SeriesSpec:
    """``series_spec``, worked out again only when the source's options change (a reload):
    a tick reuses the last one (it was a fifth of a tick's CPU)."""
    specs: dict[str, tuple[Mapping[str, Any], SeriesSpec]] = ctx.state.setdefault("specs", {})
    kept = specs.get(indicator)
    if kept is not None and kept[0] == ctx.options:
        return kept[1]
    spec = series_spec(ctx, indicator)
    specs[indicator] = (dict(ctx.options), spec)
    return spec


def generate(
    ctx: FetchContext,
    indicator: str,
    published: list[tuple[Period, float | None]],
    first_run: bool,
) -> list[Reading]:
    """One indicator's readings for this run, skipping periods a published figure covers and
    arriving at each published figure the path leads up to (see ``pinned_value``)."""
    spec = _spec(ctx, indicator)
    seed = int(ctx.options.get("seed", 0) or 0)
    stream = spec.stream or indicator
    origin = f"demo:{spec.profile}"
    anchors = anchors_for(spec, published)
    readings: list[Reading] = []
    for period, moment, live in _points(spec, ctx.now, first_run):
        if any(covers(pub, period) for pub, _ in published):
            continue
        year_of = period.start.astimezone(CHINA_TZ).year
        value = pinned_value(spec, seed, stream, moment, year_of, anchors)
        if live and spec.jitter:
            value += spec.jitter * unit_hash(seed, stream, "tick", int(moment.timestamp()))
        status = (
            ObservationStatus.PROVISIONAL
            if live and spec.period != "instant"
            else ObservationStatus.NORMAL
        )
        readings.append(
            Reading(
                indicator=indicator,
                period=period,
                value=finish(spec, value),
                status=status,
                origin=origin,
                demo=True,
                note="合成的演示数据，不是公布的数字",
                note_en="synthetic demo data, not a published figure",
            )
        )
    return readings


def fetch(ctx: FetchContext) -> list[Reading]:
    """History on the first run of the source, then one tick per run."""
    indicators = tuple(ctx.indicators) or tuple((ctx.options.get("series") or {}).keys())
    if not indicators:
        raise FetchError(
            "a demo source needs `indicators = [...]` (or `series` tables) to know what to generate",
            where=f"sources.{ctx.source_id}",
        )
    if ctx.now.tzinfo is None:
        raise FetchError("the clock must be timezone-aware", where=f"sources.{ctx.source_id}")
    published = published_figures(ctx)
    first_run = not ctx.state.get("history_sent", False)
    readings: list[Reading] = []
    for indicator in indicators:
        readings += generate(ctx, indicator, published.get(indicator, []), first_run)
    ctx.state["history_sent"] = True
    return readings


DEMO = SourceType(
    name="demo",
    fetch=fetch,
    options=OPTIONS,
    description="Synthetic, seeded series for a live demo; every reading is flagged demo.",
)


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(DEMO)
