"""The ``csv`` source type: a local CSV file or one at a URL, long or wide, UTF-8 or GB18030."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from lishi_tui import hookimpl
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import PeriodError
from lishi_tui.hookspecs import RegisterSourceType
from lishi_tui.sources.api import FetchContext, FetchError, Option, OptionKind, SourceType
from lishi_tui.sources.parsing import (
    DecodeError,
    NumberError,
    decode_text,
    excerpt,
    find_column,
    normalise_header,
    parse_period,
    parse_quantity,
    split_unit,
)

OPTIONS: dict[str, Option] = {
    "path": Option(OptionKind.PATH, help="the CSV file (relative to the config file); or `url`"),
    "url": Option(OptionKind.URL, help="the CSV file's URL; or `path`"),
    "layout": Option(
        OptionKind.STR,
        default="long",
        choices=("long", "wide"),
        help="long: one row per period; wide: one column per period, one row picked by `filter`",
    ),
    "period_column": Option(
        OptionKind.STR_OR_INT,
        help="long layout: the column holding periods (name or 0-based index)",
    ),
    "value_column": Option(
        OptionKind.STR_OR_INT,
        help="long layout: the column holding values (name, name without its (unit), or index)",
    ),
    "filter": Option(
        OptionKind.TABLE, default={}, help="{ column = value }: keep only rows where all match"
    ),
    "encoding": Option(
        OptionKind.STR, default="auto", help="auto (UTF-8, UTF-8 with BOM or GB18030) or a codec"
    ),
    "delimiter": Option(OptionKind.STR, default=",", help='field separator, e.g. "," or "\\t"'),
    "skip_rows": Option(OptionKind.INT, default=0, help="lines above the header row (titles)"),
    "scale": Option(OptionKind.FLOAT, default=1.0, help="multiply every value, e.g. 0.0001 万→亿"),
    "headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers for `url`"),
}

# Footnote rows under Chinese statistical tables ("注：…", "数据来源：…") carry text in the
# first cell only; they are skipped instead of being read as a bad period.
_NOTE_PREFIXES = ("注", "说明", "备注", "资料来源", "数据来源", "来源", "note", "source")


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return rows


def _is_note(row: Sequence[str]) -> bool:
    filled = [c for c in row if c.strip()]
    if not filled:
        return True
    first = normalise_header(filled[0]).lower()
    return len(filled) == 1 and first.startswith(_NOTE_PREFIXES)


def _column(headers: Sequence[str], wanted: Any, option: str, where: str) -> int:
    if isinstance(wanted, str) and wanted.isdigit() and wanted not in headers:
        wanted = int(wanted)  # a TOML key is always a string: "0" in a filter is an index
    try:
        return find_column(headers, wanted)
    except LookupError as exc:
        raise FetchError(f"{option}: {exc.args[0]}", where=where) from None


def _matches(row: Sequence[str], wanted: Mapping[int, str]) -> bool:
    return all(
        idx < len(row) and normalise_header(row[idx]) == value for idx, value in wanted.items()
    )


def parse_csv(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """Readings for ``indicator`` from CSV bytes; errors name ``origin`` and the line."""
    try:
        text, _encoding = decode_text(content, str(options.get("encoding", "auto")))
    except DecodeError as exc:
        raise FetchError(str(exc), where=origin) from None
    delimiter = str(options.get("delimiter", ","))
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    rows = _rows(text, delimiter)[int(options.get("skip_rows", 0)) :]
    while rows and not any(c.strip() for c in rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise FetchError("the file has no header row and no data", where=origin)
    header_line, headers = rows[0]
    headers = [normalise_header(h) for h in headers]
    where_header = f"{origin}:{header_line}"
    filters = {
        _column(headers, key, f"filter.{key}", where_header): normalise_header(str(value))
        for key, value in dict(options.get("filter") or {}).items()
    }
    body = [(line, row) for line, row in rows[1:] if not _is_note(row)]
    selected = [(line, row) for line, row in body if _matches(row, filters)]
    scale = float(options.get("scale", 1.0))
    if options.get("layout", "long") == "wide":
        return _wide(headers, selected, where_header, origin, indicator, scale, bool(filters))
    return _long(headers, selected, options, where_header, origin, indicator, scale)


def _reading(
    cell: str, indicator: str, period_text: str, where: str, origin: str, scale: float
) -> Reading:
    try:
        period = parse_period(period_text)
    except PeriodError as exc:
        raise FetchError(str(exc), where=where) from None
    try:
        q = parse_quantity(cell)
    except NumberError as exc:
        raise FetchError(str(exc), where=where) from None
    value = None if q.value is None else q.value * scale
    return Reading(indicator, period, value, qualifier=q.qualifier, origin=origin)


def _long(
    headers: list[str],
    rows: list[tuple[int, list[str]]],
    options: Mapping[str, Any],
    where_header: str,
    origin: str,
    indicator: str,
    scale: float,
) -> list[Reading]:
    for key in ("period_column", "value_column"):
        if options.get(key) is None:
            raise FetchError(f"the long layout needs `{key}`", where=where_header)
    p_col = _column(headers, options["period_column"], "period_column", where_header)
    v_col = _column(headers, options["value_column"], "value_column", where_header)
    if not rows:
        raise FetchError("no data rows (after `filter`): the series is empty", where=where_header)
    readings: dict[str, tuple[int, Reading]] = {}
    for line, row in rows:
        where = f"{origin}:{line}"
        if max(p_col, v_col) >= len(row):
            raise FetchError(
                f"row has {len(row)} fields, fewer than the header's {len(headers)}: "
                f"{excerpt(','.join(row), 80)}",
                where=where,
            )
        reading = _reading(row[v_col], indicator, row[p_col], where, origin, scale)
        if reading.period.key in readings:
            first = readings[reading.period.key][0]
            raise FetchError(
                f"period {reading.period.key} appears again (first on line {first}); "
                "add a `filter` so one row remains per period",
                where=where,
            )
        readings[reading.period.key] = (line, reading)
    return [r for _, r in readings.values()]


def _wide(
    headers: list[str],
    rows: list[tuple[int, list[str]]],
    where_header: str,
    origin: str,
    indicator: str,
    scale: float,
    filtered: bool,
) -> list[Reading]:
    period_columns: list[int] = []
    for idx, header in enumerate(headers):
        try:
            parse_period(split_unit(header)[0] or header)
        except PeriodError:
            continue
        period_columns.append(idx)
    if not period_columns:
        raise FetchError(
            "the wide layout needs period headers (e.g. 2021, 2021Q3, 2021年10月); "
            f"the headers are: {excerpt(', '.join(headers), 120)}",
            where=where_header,
        )
    if len(rows) != 1:
        hint = "change `filter`" if filtered else "add `filter = { column = value }`"
        raise FetchError(
            f"the wide layout needs exactly one row; {len(rows)} rows match: {hint}",
            where=where_header,
        )
    line, row = rows[0]
    return [
        _reading(
            row[idx] if idx < len(row) else "",
            indicator,
            split_unit(headers[idx])[0] or headers[idx],
            f"{origin}:{line} column {headers[idx]!r}",
            origin,
            scale,
        )
        for idx in period_columns
    ]


async def fetch(ctx: FetchContext) -> list[Reading]:
    """Read the file or download the URL, then parse it."""
    path, url = ctx.options.get("path"), ctx.options.get("url")
    if bool(path) == bool(url):
        raise FetchError("a csv source needs exactly one of `path` and `url`", where=ctx.source_id)
    if path:
        file = ctx.resolve_path(str(path))
        try:
            content = file.read_bytes()
        except FileNotFoundError:
            raise FetchError("file not found", where=str(file)) from None
        except OSError as exc:
            raise FetchError(f"cannot read the file: {exc.strerror}", where=str(file)) from None
        return parse_csv(content, ctx.options, indicator=ctx.indicator, origin=str(file))
    headers = dict(ctx.options.get("headers") or {})
    result = await ctx.http.get(str(url), headers=headers)
    # On a 304 the shared client hands back the body it remembered, so this always parses.
    return parse_csv(result.content, ctx.options, indicator=ctx.indicator, origin=result.url)


SOURCE_TYPE = SourceType(
    "csv",
    fetch,
    OPTIONS,
    description="A CSV file (local or URL): long or wide layout, UTF-8 or GB18030",
)


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(SOURCE_TYPE)
