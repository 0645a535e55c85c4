"""The ``csv`` source type: a local CSV file or one at a URL, long or wide, UTF-8 or GB18030."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from lishi_tui import hookimpl
from lishi_tui.domain.model import Reading
from lishi_tui.hookspecs import RegisterSourceType
from lishi_tui.sources.api import FetchContext, FetchError, Option, OptionKind, SourceType
from lishi_tui.sources.parsing import DecodeError, decode_text
from lishi_tui.sources.tabular import Cells, readings_from_table, table_from_rows

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
        OptionKind.STR,
        default="auto",
        help="auto (UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030) or a codec",
    ),
    "delimiter": Option(OptionKind.STR, default=",", help='field separator, e.g. "," or "\\t"'),
    "skip_rows": Option(
        OptionKind.INT,
        default=0,
        help="lines to drop above the header (one-cell title lines are skipped anyway)",
    ),
    "scale": Option(OptionKind.FLOAT, default=1.0, help="multiply every value, e.g. 0.0001 万→亿"),
    "headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers for `url`"),
}


def _rows(text: str, delimiter: str, origin: str) -> list[Cells]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Cells] = []
    start = 1
    for row in reader:
        rows.append(Cells(f"{origin}:{start}", row))
        start = reader.line_num + 1
    return rows


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
    table = table_from_rows(
        _rows(text, delimiter, origin),
        skip_rows=int(options.get("skip_rows", 0)),
        header_rows=1,
        origin=origin,
    )
    return readings_from_table(table, options, indicator=indicator, origin=origin)


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
