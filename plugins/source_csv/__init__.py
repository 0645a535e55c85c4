"""The ``csv`` source type: a local CSV file or one at a URL, long or wide, UTF-8 or GB18030."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from lishi_tui.plugin import (
    Cells,
    DecodeError,
    FetchError,
    Option,
    OptionKind,
    Reading,
    decode_text,
    file_source_type,
    readings_from_table,
    source_types_hook,
    table_from_rows,
    table_options,
)

OPTIONS: dict[str, Option] = table_options(
    "CSV file",
    value_help="long layout: the column holding values (name, name without its (unit), or index)",
    skip_help="lines to drop above the header (one-cell title lines are skipped anyway)",
) | {
    "encoding": Option(
        OptionKind.STR,
        default="auto",
        help="auto (UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030) or a codec",
    ),
    "delimiter": Option(OptionKind.STR, default=",", help='field separator, e.g. "," or "\\t"'),
    "header_rows": Option(
        OptionKind.INT,
        default=1,
        minimum=0,
        maximum=1,
        help="1: the first line that is not a title holds the headers; 0: no header "
        "(columns by index; label lines above the first period, as in ONS downloads, "
        "are skipped)",
    ),
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
        header_rows=int(options.get("header_rows", 1)),
        origin=origin,
    )
    return readings_from_table(table, options, indicator=indicator, origin=origin)


# The file, or one GET of the URL (with `headers`), then parse_csv.
SOURCE_TYPE = file_source_type(
    "csv",
    parse_csv,
    OPTIONS,
    description="A CSV file (local or URL): long or wide layout, UTF-8 or GB18030",
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
