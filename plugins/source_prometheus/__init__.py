"""The ``prometheus`` source type: a range query's matrix, or one sample of the text exposition format.

``mode = "range"`` asks ``/api/v1/query_range`` for ``query`` over the last ``lookback`` at
``step`` resolution; the one series it returns (pick among several with ``labels``) becomes
one reading per point. ``mode = "instant_text"`` reads a ``/metrics``-style page and takes
the current value of ``metric`` (with ``labels``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui import hookimpl
from lishi_tui.config.durations import parse_duration
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.hookspecs import RegisterSourceType
from lishi_tui.sources.api import FetchContext, FetchError, Option, OptionKind, SourceType
from lishi_tui.sources.parsing import (
    DecodeError,
    decode_text,
    excerpt,
    load_json,
    resolve_or_fail,
    strip_control,
)

OPTIONS: dict[str, Option] = {
    "url": Option(
        OptionKind.URL,
        required=True,
        help="range: the server (…:9090, /api/v1/query_range is added); instant_text: the page",
    ),
    "mode": Option(OptionKind.STR, default="range", choices=("range", "instant_text")),
    "query": Option(OptionKind.STR, help="range: the PromQL expression"),
    "step": Option(OptionKind.DURATION, default="5m", help="range: resolution"),
    "lookback": Option(OptionKind.DURATION, default="1d", help="range: how far back from now"),
    "metric": Option(OptionKind.STR, help="instant_text: the metric name"),
    "labels": Option(
        OptionKind.TABLE, default={}, help="{ label = value }: picks one series or sample"
    ),
    "headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers"),
}

QUERY_RANGE = "/api/v1/query_range"
MAX_POINTS = 11_000  # Prometheus refuses range queries with more points per series


def _duration(raw: Any, name: str) -> timedelta:
    if isinstance(raw, timedelta):
        return raw
    try:
        return parse_duration(str(raw))
    except ValueError as exc:
        raise FetchError(f"{name}: {exc}") from None


def _labels_text(labels: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _matches(labels: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(str(labels.get(k)) == str(v) for k, v in wanted.items())


def _finite(raw: Any, where: str) -> float | None:
    try:
        value = float(raw)  # Prometheus sends "1.5", "NaN", "+Inf" as strings
    except (TypeError, ValueError):
        raise FetchError(f"sample value is not a number: {excerpt(raw, 40)}", where=where) from None
    return value if math.isfinite(value) else None


# -- range queries -------------------------------------------------------------------


def range_params(query: str, now: datetime, lookback: timedelta, step: timedelta) -> dict[str, str]:
    """The query string of a range query ending ``now``."""
    if step <= timedelta():
        raise FetchError("step must be longer than zero")
    points = lookback / step
    if points > MAX_POINTS:
        raise FetchError(
            f"lookback / step asks for {points:.0f} points; Prometheus allows {MAX_POINTS}: "
            "lengthen `step` or shorten `lookback`"
        )
    end = now.timestamp()
    return {
        "query": query,
        "start": f"{end - lookback.total_seconds():.3f}",
        "end": f"{end:.3f}",
        "step": f"{step.total_seconds():g}",
    }


def parse_prometheus_range(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """One reading per point of the one series in a ``matrix`` (or ``vector``) result."""
    document = load_json(content, origin)
    if isinstance(document, Mapping) and document.get("status") == "error":
        raise FetchError(
            f"Prometheus error {document.get('errorType', '')}: "
            f"{strip_control(str(document.get('error', '')))}",
            where=origin,
        )
    status = resolve_or_fail(document, "status", origin)
    if status != "success":
        raise FetchError(f"status is {excerpt(status, 40)}, not 'success'", where=origin)
    kind = resolve_or_fail(document, "data.resultType", origin)
    result = resolve_or_fail(document, "data.result", origin)
    if kind not in ("matrix", "vector") or not isinstance(result, list):
        raise FetchError(
            f"expected a matrix result (a range query); got resultType {excerpt(kind, 20)}",
            where=origin,
        )
    wanted = dict(options.get("labels") or {})
    series = [s for s in result if isinstance(s, Mapping) and _matches(s.get("metric", {}), wanted)]
    if not series:
        more = f" with labels {_labels_text(wanted)}" if wanted and result else ""
        raise FetchError(f"the query returned no series{more}: the series is empty", where=origin)
    if len(series) > 1:
        sets = "; ".join(_labels_text(s.get("metric", {})) for s in series[:5])
        raise FetchError(
            f"the query returned {len(series)} series ({sets}); "
            "aggregate in the query (e.g. sum(...)) or pick one with `labels`",
            where=origin,
        )
    points = series[0].get("values") if kind == "matrix" else [series[0].get("value")]
    if not isinstance(points, list):
        raise FetchError(f"a series has no 'values' list: {excerpt(series[0])}", where=origin)
    readings = []
    for i, point in enumerate(points):
        at = f"{origin} data.result[0].values[{i}]"
        if not (isinstance(point, list) and len(point) == 2):
            raise FetchError(f"a point should be [time, value]: {excerpt(point, 60)}", where=at)
        try:
            moment = datetime.fromtimestamp(float(point[0]), UTC)
        except (TypeError, ValueError, OverflowError):
            raise FetchError(f"not a timestamp: {excerpt(point[0], 30)}", where=at) from None
        value = _finite(point[1], at)
        if value is not None:  # NaN and ±Inf are not figures: a gap, not a reading
            readings.append(Reading(indicator, Period.instant(moment), value, origin=origin))
    if not readings:
        raise FetchError("the series has no finite points: the series is empty", where=origin)
    return readings


# -- text exposition format ------------------------------------------------------------

_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(?P<labels>.*)\})?\s+"
    r"(?P<value>\S+)(?:\s+(?P<ts>-?\d+(?:\.\d+)?))?\s*$"
)
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def _parse_labels(text: str, where: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if not m:
            raise FetchError(f"cannot read the labels at {excerpt(text[pos:], 40)}", where=where)
        labels[m[1]] = re.sub(r"\\[\\\"n]", lambda e: _UNESCAPE[e[0]], m[2])
        pos = m.end()
    return labels


def parse_exposition(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str, now: datetime
) -> list[Reading]:
    """The current value of ``options["metric"]`` (with ``labels``) as one reading."""
    try:
        text, _ = decode_text(content)
    except DecodeError as exc:
        raise FetchError(str(exc), where=origin) from None
    metric = str(options.get("metric") or "")
    if not metric:
        raise FetchError("mode instant_text needs `metric`", where=origin)
    wanted = dict(options.get("labels") or {})
    # OpenMetrics (ends with "# EOF") gives timestamps in seconds, the Prometheus text
    # format in milliseconds.
    seconds = text.rstrip().endswith("# EOF")
    names: set[str] = set()
    found: list[tuple[dict[str, str], float | None, datetime, int]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        at = f"{origin}:{line_no}"
        m = _SAMPLE.match(line)
        if not m:
            raise FetchError(f"not a sample line: {excerpt(line, 80)}", where=at)
        names.add(m["name"])
        if m["name"] != metric:
            continue
        labels = _parse_labels(m["labels"] or "", at)
        if not _matches(labels, wanted):
            continue
        moment = now
        if m["ts"]:
            stamp = float(m["ts"]) if seconds else float(m["ts"]) / 1000.0
            moment = datetime.fromtimestamp(stamp, UTC)
        found.append((labels, _finite(m["value"], at), moment, line_no))
    if not found:
        if metric not in names:
            shown = ", ".join(sorted(names)[:12]) or "no samples at all"
            raise FetchError(f"no metric {metric!r} on the page; it has: {shown}", where=origin)
        raise FetchError(
            f"no {metric} sample with labels {_labels_text(wanted)}: the series is empty",
            where=origin,
        )
    if len(found) > 1:
        sets = "; ".join(_labels_text(f[0]) for f in found[:5])
        raise FetchError(
            f"{len(found)} {metric} samples match ({sets}); pick one with `labels`", where=origin
        )
    _labels, value, moment, line_no = found[0]
    return [Reading(indicator, Period.instant(moment), value, origin=origin)]


# -- fetching --------------------------------------------------------------------------


def query_range_url(url: str) -> str:
    """The query_range endpoint of a server URL (left alone if it already is one)."""
    base = url.split("?", 1)[0].rstrip("/")
    return base if base.endswith(QUERY_RANGE) else base + QUERY_RANGE


async def fetch(ctx: FetchContext) -> list[Reading]:
    """Run the range query, or read the exposition page."""
    url = str(ctx.options["url"])
    headers = {str(k): str(v) for k, v in dict(ctx.options.get("headers") or {}).items()}
    if ctx.options.get("mode", "range") == "instant_text":
        result = await ctx.http.get(url, headers=headers or None, conditional=False)
        return parse_exposition(
            result.content, ctx.options, indicator=ctx.indicator, origin=result.url, now=ctx.now
        )
    query = ctx.options.get("query")
    if not query:
        raise FetchError("mode range needs `query`", where=ctx.source_id)
    try:
        params = range_params(
            str(query),
            ctx.now,
            _duration(ctx.options.get("lookback", "1d"), "lookback"),
            _duration(ctx.options.get("step", "5m"), "step"),
        )
    except FetchError as exc:
        raise FetchError(exc.message, where=ctx.source_id) from None
    # Every query asks about a new time window, so a conditional request never helps.
    result = await ctx.http.get(
        query_range_url(url), params=params, headers=headers or None, conditional=False
    )
    return parse_prometheus_range(
        result.content, ctx.options, indicator=ctx.indicator, origin=result.url
    )


SOURCE_TYPE = SourceType(
    "prometheus",
    fetch,
    OPTIONS,
    description="Prometheus: a range query, or one sample of the text exposition format",
)


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(SOURCE_TYPE)
