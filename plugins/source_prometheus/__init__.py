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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui.plugin import (
    HTTP_OPTIONS,
    DecodeError,
    FetchContext,
    FetchError,
    Option,
    OptionKind,
    Period,
    Reading,
    SourceType,
    decode_text,
    excerpt,
    load_json,
    resolve_or_fail,
    source_types_hook,
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
        OptionKind.TABLE,
        default={},
        help='{ label = value }: picks one series or sample; a label it lacks equals "", as in '
        "PromQL; values are text (an integer is its digits; true or 1.0 is refused)",
    ),
} | HTTP_OPTIONS

QUERY_RANGE = "/api/v1/query_range"
MAX_POINTS = 11_000  # Prometheus refuses range queries with more points per series


def _labels_text(labels: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _label(labels: Mapping[str, Any], name: str) -> str:
    """A label's value, with an absent (or null) label read as "", as PromQL reads it."""
    value = labels.get(name)
    return "" if value is None else str(value)


def wanted_labels(options: Mapping[str, Any], where: str) -> dict[str, str]:
    """The ``labels`` option as text. Label values are strings: a TOML integer (``code =
    200``) is its digits; a boolean or a float is refused, since ``true`` would compare as
    "True" and ``1.0`` as "1.0", matching nothing an exporter writes."""
    wanted: dict[str, str] = {}
    for name, value in dict(options.get("labels") or {}).items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise FetchError(
                f"labels.{name} = {value!r}: a label value is text; write it quoted, "
                f'{name} = "{str(value).lower() if isinstance(value, bool) else value}"',
                where=where,
            )
        wanted[str(name)] = str(value)
    return wanted


def _matches(labels: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a series' labels hold every ``label = value`` asked for.

    PromQL's equality matcher: a label the series does not have equals "", so
    ``code = ""`` picks a series without ``code`` (or with ``code=""``); any other value,
    "None" included, needs the label present with exactly that value.
    """
    return all(_label(labels, k) == str(v) for k, v in wanted.items())


def _finite(raw: Any, where: str) -> float | None:
    try:
        value = float(raw)  # Prometheus sends "1.5", "NaN", "+Inf" as strings
    except (TypeError, ValueError):
        raise FetchError(f"sample value is not a number: {excerpt(raw, 40)}", where=where) from None
    return value if math.isfinite(value) else None


def _refuse_native_histogram(
    series: Mapping[str, Any], labels: Mapping[str, Any], kind: str, where: str
) -> None:
    """Refuse a series holding native histogram samples, saying what to query instead.

    An instant vector sends such a sample as ``"histogram": [time, {count, sum,
    buckets}]`` instead of ``"value"``; a range reply as ``"histograms"`` beside or instead
    of ``"values"`` (a series that changed type holds both). Its floats alone would be a
    series with the histogram instants silently left out.
    """
    key = "histograms" if kind == "matrix" else "histogram"
    held = series.get(key)
    if held is None or held == []:
        return
    if kind == "matrix":
        count = len(held) if isinstance(held, list) else 1
        floats = series.get("values")
        beside = (
            f" beside {len(floats)} float one(s)" if isinstance(floats, list) and floats else ""
        )
        what = f"holds {count} native histogram sample(s) under 'histograms'{beside}"
    else:
        what = "is a native histogram (its sample is under 'histogram', not 'value')"
    name = str(labels.get("__name__") or "") or "<metric>"
    raise FetchError(
        f"the series {_labels_text(labels)} {what}; the prometheus source reads float "
        f"samples only: query a figure of the histogram instead, e.g. "
        f"histogram_quantile(0.9, rate({name}[5m])) or histogram_count(rate({name}[5m]))",
        where=where,
    )


# -- range queries -------------------------------------------------------------------


def range_params(query: str, now: datetime, lookback: timedelta, step: timedelta) -> dict[str, str]:
    """The query string of a range query ending ``now``."""
    if step <= timedelta():
        raise FetchError("step must be longer than zero")
    if step < timedelta(seconds=1):
        raise FetchError(
            f"step is {step.total_seconds():g} s; readings are kept to the second, so points "
            "closer than that would share one instant: make `step` at least 1s"
        )
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
    wanted = wanted_labels(options, origin)
    series: list[tuple[int, Mapping[str, Any], Mapping[str, Any]]] = []
    for i, entry in enumerate(result):
        if not isinstance(entry, Mapping):
            raise FetchError(
                f"a series should be an object with 'metric': {excerpt(entry, 60)}",
                where=f"{origin} data.result[{i}]",
            )
        labels = entry.get("metric", {})
        if not isinstance(labels, Mapping):
            raise FetchError(
                f"a series' 'metric' should be its labels: {excerpt(labels, 60)}",
                where=f"{origin} data.result[{i}]",
            )
        if _matches(labels, wanted):
            series.append((i, entry, labels))
    if not series and wanted and result:
        held = "; ".join(_labels_text(s.get("metric", {})) for s in result[:5])
        raise FetchError(
            f"none of the {len(result)} series the query returned has labels "
            f"{_labels_text(wanted)} ({held}): the series is empty",
            where=origin,
        )
    if not series:
        raise FetchError("the query returned no series: the series is empty", where=origin)
    if len(series) > 1:
        sets = "; ".join(_labels_text(labels) for _i, _s, labels in series[:5])
        raise FetchError(
            f"the query returned {len(series)} series ({sets}); "
            "aggregate in the query (e.g. sum(...)) or pick one with `labels`",
            where=origin,
        )
    index, chosen, labels = series[0]
    where = f"{origin} data.result[{index}]"
    _refuse_native_histogram(chosen, labels, kind, where)
    unit = name_unit(str(labels.get("__name__") or ""), {})
    key = "values" if kind == "matrix" else "value"
    points = chosen.get("values") if kind == "matrix" else [chosen.get("value")]
    if not isinstance(points, list):
        raise FetchError(
            f"the series {_labels_text(labels)} has no {key!r} list: {excerpt(chosen)}",
            where=where,
        )
    readings = []
    seen: set[str] = set()
    for i, point in enumerate(points):
        at = f"{where}.values[{i}]" if kind == "matrix" else f"{where}.value"
        if not (isinstance(point, list) and len(point) == 2):
            raise FetchError(f"a point should be [time, value]: {excerpt(point, 60)}", where=at)
        try:
            moment = datetime.fromtimestamp(float(point[0]), UTC)
        except (TypeError, ValueError, OverflowError):
            raise FetchError(f"not a timestamp: {excerpt(point[0], 30)}", where=at) from None
        value = _finite(point[1], at)
        period = Period.instant(moment)
        if period.key in seen:
            raise FetchError(
                f"two points fall in the second {period.key} (readings are kept to the "
                "second): query with a `step` of at least 1s",
                where=at,
            )
        seen.add(period.key)
        if value is not None:  # NaN and ±Inf are not figures: a gap, not a reading
            readings.append(Reading(indicator, period, value, origin=origin, unit=unit))
    if not readings:
        raise FetchError("the series has no finite points: the series is empty", where=origin)
    return readings


# -- text exposition format ------------------------------------------------------------

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_UNESCAPE = {"\\": "\\", '"': '"', "n": "\n"}


class _LineError(ValueError):
    """A sample line that does not follow the text exposition format."""


@dataclass(frozen=True)
class Sample:
    """One sample line: metric name, labels, value and timestamp as written."""

    name: str
    labels: dict[str, str]
    value: str
    timestamp: str | None


def _quoted(line: str, pos: int) -> tuple[str, int]:
    """The string starting at the quote at ``pos``, unescaped, and the position after it."""
    out: list[str] = []
    i = pos + 1
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            out.append(_UNESCAPE.get(line[i + 1], "\\" + line[i + 1]))
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise _LineError("a quoted string is not closed")


def _skip_blanks(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    return pos


def _braces(line: str, pos: int) -> tuple[str | None, dict[str, str], int]:
    """The ``{...}`` at ``pos``: a quoted metric name if it holds one, the labels, and the end."""
    name: str | None = None
    labels: dict[str, str] = {}
    pos += 1
    while True:
        pos = _skip_blanks(line, pos)
        if pos >= len(line):
            raise _LineError("the labels are not closed with '}'")
        if line[pos] == "}":
            return name, labels, pos + 1
        if line[pos] == '"':
            key, pos = _quoted(line, pos)
        elif m := _LABEL_NAME.match(line, pos):
            key, pos = m[0], m.end()
        else:
            raise _LineError(f"cannot read the labels at {excerpt(line[pos:], 30)}")
        pos = _skip_blanks(line, pos)
        if pos < len(line) and line[pos] == "=":
            pos = _skip_blanks(line, pos + 1)
            if pos >= len(line) or line[pos] != '"':
                raise _LineError(f"label {key!r} has no quoted value")
            labels[key], pos = _quoted(line, pos)
        elif name is None and not labels:
            name = key  # UTF-8 names: {"my.dotted.metric", "label"="value"}
        else:
            raise _LineError(f"label {key!r} has no value")
        pos = _skip_blanks(line, pos)
        if pos < len(line) and line[pos] == ",":
            pos += 1
        elif pos < len(line) and line[pos] != "}":
            raise _LineError(f"expected ',' or '}}' at {excerpt(line[pos:], 30)}")


def parse_sample(line: str) -> Sample:
    """One sample line of the Prometheus text format or OpenMetrics (exemplars ignored)."""
    pos = 0
    name: str | None = None
    labels: dict[str, str] = {}
    if line.startswith('"'):
        name, pos = _quoted(line, 0)
    elif m := _NAME.match(line):
        name, pos = m[0], m.end()
    if pos < len(line) and line[pos] == "{":
        inner, labels, pos = _braces(line, pos)
        if inner is not None and name is not None:
            raise _LineError("the metric is named twice")
        name = name or inner
    if not name:
        raise _LineError("no metric name")
    rest = line[pos:]
    if rest and rest[0] not in " \t":
        raise _LineError(f"unexpected {excerpt(rest, 20)} after the metric name")
    # An OpenMetrics exemplar follows " # ": {trace_id="…"} 0.67 1520879607.789
    values = rest.split("#", 1)[0].split()
    if not 1 <= len(values) <= 2:
        raise _LineError(f"expected a value and an optional timestamp, got {excerpt(rest, 40)}")
    return Sample(name, labels, values[0], values[1] if len(values) == 2 else None)


def parse_exposition(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str, now: datetime
) -> list[Reading]:
    """The current value of ``options["metric"]`` (with ``labels``) as one reading.

    Lines are split on ``\\n`` only (a label value may hold U+2028 or other characters
    that ``str.splitlines`` would break on). A line that cannot be read and does not
    mention the metric is skipped, so one bad exporter line does not hide every metric;
    the error names such lines only when the metric is not found.
    """
    try:
        text, _ = decode_text(content)
    except DecodeError as exc:
        raise FetchError(str(exc), where=origin) from None
    metric = str(options.get("metric") or "")
    if not metric:
        raise FetchError("mode instant_text needs `metric`", where=origin)
    wanted = wanted_labels(options, origin)
    # OpenMetrics (ends with "# EOF") gives timestamps in seconds, the Prometheus text
    # format in milliseconds.
    seconds = text.rstrip().endswith("# EOF")
    names: set[str] = set()
    unreadable: list[str] = []
    found: list[tuple[dict[str, str], float | None, datetime]] = []
    others: list[dict[str, str]] = []  # the metric's samples whose labels do not match
    declared: dict[str, str] = {}  # OpenMetrics "# UNIT family unit"
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            if line.startswith("# UNIT "):
                _, _, family, *stated = line.split(None, 3)
                declared[family.strip('"')] = stated[0].strip() if stated else ""
            continue
        at = f"{origin}:{line_no}"
        try:
            sample = parse_sample(line)
        except _LineError as exc:
            if metric in line:
                raise FetchError(f"{exc}: {excerpt(line, 80)}", where=at) from None
            unreadable.append(f"line {line_no} ({exc})")
            continue
        names.add(sample.name)
        if sample.name != metric:
            continue
        if not _matches(sample.labels, wanted):
            others.append(sample.labels)
            continue
        moment = now
        if sample.timestamp:
            try:
                stamp = float(sample.timestamp)
                moment = datetime.fromtimestamp(stamp if seconds else stamp / 1000.0, UTC)
            except (ValueError, OverflowError, OSError):
                raise FetchError(
                    f"not a timestamp: {excerpt(sample.timestamp, 30)}", where=at
                ) from None
        found.append((sample.labels, _finite(sample.value, at), moment))
    if not found:
        skipped = (
            f"; {len(unreadable)} line(s) could not be read: {', '.join(unreadable[:3])}"
            if unreadable
            else ""
        )
        if metric not in names:
            shown = ", ".join(sorted(names)[:12]) or "no samples at all"
            raise FetchError(
                f"no metric {metric!r} on the page; it has: {shown}{skipped}", where=origin
            )
        held = "; ".join(_labels_text(labels) for labels in others[:5])
        raise FetchError(
            f"no {metric} sample with labels {_labels_text(wanted)} (the page has "
            f"{len(others)}: {held}): the series is empty",
            where=origin,
        )
    if len(found) > 1:
        sets = "; ".join(_labels_text(f[0]) for f in found[:5])
        raise FetchError(
            f"{len(found)} {metric} samples match ({sets}); pick one with `labels`", where=origin
        )
    _labels, value, moment = found[0]
    # A NaN sample (Prometheus's staleness marker is one) is no figure: a missing reading.
    note = "" if value is not None else "sample is NaN or infinite (stale or no figure)"
    unit = name_unit(metric, declared)
    return [Reading(indicator, Period.instant(moment), value, origin=origin, note=note, unit=unit)]


# A family's samples add these to its name (OpenMetrics: counters _total and _created,
# histograms and summaries _count, _sum, _bucket; gauge histograms _gcount, _gsum).
_SAMPLE_SUFFIXES = ("_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info")


def name_unit(name: str, declared: Mapping[str, str]) -> str:
    """The unit of metric ``name``: its family's ``# UNIT`` line, else the unit the naming
    convention puts last in the name when it is one the collector can compare (``_ratio``,
    a share written 0.88; ``_percent``). "" otherwise (seconds, bytes: shown as measured).
    """
    families = [name] + [name.removesuffix(s) for s in _SAMPLE_SUFFIXES if name.endswith(s)]
    for family in families:
        if declared.get(family):
            return declared[family]
    for family in families:
        for unit in ("ratio", "percent"):
            if family.endswith("_" + unit):
                return unit
    return ""


# -- fetching --------------------------------------------------------------------------


def query_range_url(url: str) -> str:
    """The query_range endpoint of a server URL (left alone if it already is one)."""
    base = url.split("?", 1)[0].rstrip("/")
    return base if base.endswith(QUERY_RANGE) else base + QUERY_RANGE


async def fetch(ctx: FetchContext) -> list[Reading]:
    """Run the range query, or read the exposition page."""
    url = str(ctx.options["url"])
    if ctx.options.get("mode", "range") == "instant_text":
        result = await ctx.get(url, conditional=False)
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
            ctx.options["lookback"],  # durations arrive parsed, defaults filled in
            ctx.options["step"],
        )
    except FetchError as exc:
        raise FetchError(exc.message, where=ctx.source_id) from None
    # Every query asks about a new time window, so a conditional request never helps.
    result = await ctx.get(query_range_url(url), params=params, conditional=False)
    return parse_prometheus_range(
        result.content, ctx.options, indicator=ctx.indicator, origin=result.url
    )


SOURCE_TYPE = SourceType(
    "prometheus",
    fetch,
    OPTIONS,
    description="Prometheus: a range query, or one sample of the text exposition format",
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
