"""The ``excel`` source type: an .xlsx / .xls / .ods workbook, from a file or a URL, read like ``csv``.

A sheet (by name, or 0-based index; the first by default) becomes the same table the
``csv`` type reads, through the shared code in ``lishi_tui.sources.tabular``: ``layout``,
``period_column``, ``value_column``, ``filter``, ``skip_rows`` and ``scale`` mean what
they mean there. Offices' layouts are understood: a merged title row is skipped, merged
header cells are copied over the columns they span, two header rows (``2021年1-10月``
over ``绝对量 | 同比增长(%)``) become one heading per column, and footnotes are dropped.

The workbook is read with python-calamine (the ``excel`` extra): see README.md,
Dependencies, for why. Excel keeps a month typed as ``2021年10月`` as the date
2021-10-01; a column (or heading row) whose dates all fall on the 1st of a month is read
as months.

A number in a cell with a percent number format (``0.0%``: stored 0.452, shown 45.2%)
is read as shown, 45.2, as the same table saved as CSV (``45.2%``) reads: the stored
value times 100 in decimal arithmetic (:func:`grid_rows`). calamine does not give
formats, so ``formats.py`` beside this file finds the percent cells in each format's
own terms: an .xlsx / .xlsm's styles, an .ods's ``percentage`` value type, an .xls's
cell XF records (with xlrd). Format parts that cannot be read are an error, not
figures as stored.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from lishi_tui.plugin import (
    Cells,
    FetchError,
    Option,
    OptionKind,
    Reading,
    file_source_type,
    readings_from_table,
    source_types_hook,
    table_from_rows,
    table_options,
)

from .formats import EXTRA_HINT, percent_cells

OPTIONS: dict[str, Option] = table_options(
    "workbook",
    value_help="the column holding values; in the wide layout, the heading under the period "
    "when the period heading spans several (e.g. 同比增长)",
    skip_help="rows to drop above the header (merged or one-cell title rows are skipped anyway)",
) | {
    "sheet": Option(
        OptionKind.STR_OR_INT, default=0, help="the sheet: its name, or a 0-based index"
    ),
    "header_rows": Option(
        OptionKind.INT,
        minimum=0,
        help="rows the header takes (default: as its merged cells say); 0: no header "
        "(columns by index, label rows above the first period skipped)",
    ),
}

Grid = list[list[Any]]


def _calamine() -> Any:
    try:
        import python_calamine
    except ImportError:
        raise FetchError(f"the excel source type needs python-calamine: {EXTRA_HINT}") from None
    return python_calamine


def _sheet(workbook: Any, wanted: Any, origin: str) -> Any:
    names: list[str] = list(workbook.sheet_names)
    if isinstance(wanted, str) and wanted.isdigit() and wanted not in names:
        wanted = int(wanted)
    if isinstance(wanted, int):
        if 0 <= wanted < len(names):
            return workbook.get_sheet_by_index(wanted)
        raise FetchError(
            f"sheet index {wanted} is out of range: the workbook has {len(names)} sheet(s) "
            f"({', '.join(repr(n) for n in names)})",
            where=origin,
        )
    if str(wanted) in names:
        return workbook.get_sheet_by_name(str(wanted))
    raise FetchError(
        f"no sheet {wanted!r}; the sheets are {', '.join(repr(n) for n in names)}", where=origin
    )


def _month_dates(values: Sequence[Any]) -> bool:
    dates = [v for v in values if isinstance(v, date)]
    return bool(dates) and all(
        d.day == 1 and (not isinstance(d, datetime) or d.time() == time()) for d in dates
    )


def _text(value: Any, as_month: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        if as_month:
            return f"{value.year:04d}-{value.month:02d}"
        if isinstance(value, datetime) and value.time() != time():
            return value.isoformat()
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, float):
        # A cell holds a binary double; repr is its shortest spelling, the one typed.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _as_shown_percent(value: Any) -> Any:
    """A percent-formatted number as Excel shows it, ×100 in decimal: 0.452 → ``"45.2%"``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    shown = Decimal(repr(value)).scaleb(2)
    return f"{shown.normalize():f}%"


def grid_rows(
    grid: Grid,
    merged: Sequence[Any],
    *,
    origin: str,
    sheet: str,
    percent: Collection[tuple[int, int]] = (),
) -> list[Cells]:
    """Rows of text from a sheet's values, merged ranges filled and remembered as spans.

    A number at a ``percent`` position (a cell with a percent format) is read as shown.
    """
    width = max((len(r) for r in grid), default=0)
    values = [list(r) + [None] * (width - len(r)) for r in grid]
    for r, c in percent:
        if r < len(values) and c < width:
            values[r][c] = _as_shown_percent(values[r][c])
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(values) or c0 >= width:
            continue
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        top = values[r0][c0]
        for r in range(r0, min(r1, len(values) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                values[r][c] = top
    month_columns = {c for c in range(width) if _month_dates([row[c] for row in values])}
    rows = []
    for r, row in enumerate(values):
        month_row = _month_dates(row) and sum(isinstance(v, date) for v in row) > 1
        cells = [_text(v, month_row or c in month_columns) for c, v in enumerate(row)]
        row_spans = {c: span for (r0, c), span in spans.items() if r0 == r}
        fractional = frozenset(
            c for c, v in enumerate(row) if isinstance(v, float) and not v.is_integer()
        )
        rows.append(Cells(f"{origin} {sheet}!A{r + 1}", cells, row_spans, fractional))
    return rows


def _merged_title_rows(rows: list[Cells]) -> list[Cells]:
    """A merged cell that repeats one text over a whole row is a title: keep it once."""
    out = []
    for row in rows:
        wide = [span for span in row.spans.values() if span[1] >= max(2, len(row.cells) - 1)]
        if wide and len({c for c in row.cells if c}) == 1:
            first = next(c for c in row.cells if c)
            row = Cells(row.where, [first] + [""] * (len(row.cells) - 1), {})
        out.append(row)
    return out


def parse_excel(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """Readings for ``indicator`` from a workbook's bytes; errors name the sheet and cell row."""
    calamine = _calamine()
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # the reader raises its own error types for every bad file
        raise FetchError(
            f"not a workbook calamine can read (.xlsx, .xlsm, .xls, .ods): {exc}", where=origin
        ) from None
    sheet = _sheet(workbook, options.get("sheet", 0), origin)
    try:
        grid = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise FetchError(f"cannot read sheet {sheet.name!r}: {exc}", where=origin) from None
    width = max((len(r) for r in grid), default=0)
    percent = percent_cells(content, sheet.name, origin=origin, rows=len(grid), columns=width)
    rows = grid_rows(
        grid, sheet.merged_cell_ranges or [], origin=origin, sheet=sheet.name, percent=percent
    )
    header_rows = options.get("header_rows")
    table = table_from_rows(
        _merged_title_rows(rows),
        skip_rows=int(options.get("skip_rows", 0)),
        header_rows=None if header_rows is None else int(header_rows),
        origin=f"{origin} {sheet.name}",
    )
    return readings_from_table(table, options, indicator=indicator, origin=origin)


# The workbook file, or one GET of the URL; which extra is missing is said before any download.
SOURCE_TYPE = file_source_type(
    "excel",
    parse_excel,
    OPTIONS,
    description="An Excel workbook (.xlsx, .xls, .ods; file or URL), read like csv",
    check=_calamine,
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
