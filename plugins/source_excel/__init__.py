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
value times 100 in decimal arithmetic. calamine does not give formats, so they are read
from the .xlsx / .xlsm file's own styles; an .xls or .ods workbook's formats are not
read (its percent cells come as stored, 0.452): save it as .xlsx or CSV.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any
from xml.etree import ElementTree

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

EXTRA_HINT = "install the excel extra: pip install 'lishi-tui[excel]' (python-calamine)"

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


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILTIN_PERCENT = frozenset({"9", "10"})  # ECMA-376 built-in formats 0% and 0.00%
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
MAX_PART_BYTES = 64 * 1024 * 1024


def _is_percent_format(code: str) -> bool:
    """A number format that shows a percentage: a ``%`` outside quotes and escapes."""
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in code


def _percent_styles(book: zipfile.ZipFile) -> set[str]:
    """The cell style indexes (``s`` attribute) whose number format is a percentage."""
    root = ElementTree.fromstring(_small_part(book, "xl/styles.xml"))
    percent_ids = set(_BUILTIN_PERCENT)
    for fmt in root.iter(f"{_MAIN}numFmt"):
        if _is_percent_format(fmt.get("formatCode", "")):
            percent_ids.add(fmt.get("numFmtId", ""))
    xfs = root.find(f"{_MAIN}cellXfs")
    return {
        str(i)
        for i, xf in enumerate([] if xfs is None else xfs)
        if xf.get("numFmtId") in percent_ids
    }


def _styled_cells(stream: IO[bytes], styles: set[str]) -> set[tuple[int, int]]:
    """(row, column) of the numeric cells whose style is one of ``styles``, streamed (a
    sheet part may be large). A row or cell without its ``r`` reference (optional in the
    format) follows the one before it."""
    cells: set[tuple[int, int]] = set()
    row, col = -1, -1
    for event, el in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start" and el.tag == f"{_MAIN}row":
            ref = el.get("r", "")
            row, col = (int(ref) - 1 if ref.isdigit() else row + 1), -1
        elif event == "start" and el.tag == f"{_MAIN}c":
            m = _CELL_REF.fullmatch(el.get("r", ""))
            if m:
                col = 0
                for ch in m[1]:
                    col = col * 26 + ord(ch) - 64
                row, col = int(m[2]) - 1, col - 1
            else:
                col += 1
            if el.get("s") in styles and el.get("t", "n") == "n":
                cells.add((row, col))
        elif event == "end" and el.tag in (f"{_MAIN}c", f"{_MAIN}row"):
            el.clear()
    return cells


def _small_part(book: zipfile.ZipFile, name: str) -> bytes:
    """A workbook part read whole (styles, the workbook's sheet list), refused past a size
    no real one reaches, so that a crafted file cannot inflate without bound."""
    if book.getinfo(name).file_size > MAX_PART_BYTES:
        raise FetchError(f"the workbook's {name} is larger than {MAX_PART_BYTES} bytes")
    return book.read(name)


def _sheet_part(book: zipfile.ZipFile, name: str) -> str | None:
    workbook = ElementTree.fromstring(_small_part(book, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_small_part(book, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        if sheet.get("name") == name:
            target = targets.get(sheet.get(_REL), "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def xlsx_percent_cells(content: bytes, sheet: str) -> set[tuple[int, int]]:
    """(row, column), 0-based, of the numeric cells of ``sheet`` shown as percentages.

    calamine gives a cell's stored value, not its format: ``45.2%`` is stored as 0.452.
    The .xlsx's own parts say which cells carry a percent format. Not an .xlsx (.xls,
    .ods): an empty set.
    """
    if not content.startswith(b"PK"):
        return set()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            if "xl/styles.xml" not in book.namelist():
                return set()
            styles = _percent_styles(book)
            part = _sheet_part(book, sheet)
            if not styles or part is None:
                return set()
            with book.open(part) as stream:
                cells = _styled_cells(stream, styles)
            return cells
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return set()


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
    rows = grid_rows(
        grid,
        sheet.merged_cell_ranges or [],
        origin=origin,
        sheet=sheet.name,
        percent=xlsx_percent_cells(content, sheet.name),
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
