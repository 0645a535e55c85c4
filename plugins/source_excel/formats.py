"""Which cells of a workbook's sheet hold a number shown as a percentage.

calamine gives a cell's stored value, not its format: ``45.2%`` is stored as 0.452. Each
workbook format says in its own way which numbers are shown as percentages:

* .xlsx / .xlsm: a cell's style (``s``) points to a cell format whose number format
  (built-in 9 or 10, or a ``numFmt`` code) has a ``%``; read from ``xl/styles.xml`` and
  the sheet's part with the stdlib, the sheet streamed.
* .ods: a cell's ``office:value-type`` is ``percentage``; read from ``content.xml``,
  streamed, counting ``table:number-columns-repeated`` / ``table:number-rows-repeated``
  and covered (merged-over) cells as the columns and rows they take.
* .xls (BIFF8): a NUMBER / RK / MULRK / FORMULA record's XF index points to a format
  (built-in 9 or 10, or a FORMAT record) with a ``%``; read with xlrd (the ``excel``
  extra), whose ``formatting_info`` gives exactly that.

A part that cannot be read, or is larger than :data:`MAX_PART_BYTES`, is a located
:class:`FetchError`: the figures would otherwise come silently as stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO, Any
from xml.etree import ElementTree

from lishi_tui.plugin import FetchError

EXTRA_HINT = "install the excel extra: pip install 'lishi-tui[excel]' (python-calamine, xlrd)"
MAX_PART_BYTES = 64 * 1024 * 1024
OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")

Cells = set[tuple[int, int]]


def is_percent_format(code: str) -> bool:
    """A number format that shows a percentage: a ``%`` outside quotes and escapes."""
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in code


def percent_cells(content: bytes, sheet: str, *, origin: str, rows: int, columns: int) -> Cells:
    """(row, column), 0-based, of the numbers of ``sheet`` shown as percentages.

    ``rows`` × ``columns`` is the sheet's grid as calamine read it: positions past it
    are not reported (an .ods row or cell repeated a million times stays cheap).
    """
    if content.startswith(OLE2_SIGNATURE):
        return _xls_cells(content, sheet, origin=origin, rows=rows, columns=columns)
    if not content.startswith(b"PK"):
        return set()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            names = set(book.namelist())
            if "content.xml" in names and "xl/workbook.xml" not in names:
                with _open_part(book, "content.xml") as stream:
                    try:
                        return _ods_cells(stream, sheet, origin=origin, rows=rows, columns=columns)
                    except ElementTree.ParseError as exc:
                        raise _malformed("content.xml", exc) from None
            if "xl/styles.xml" in names:
                return _xlsx_cells(book, sheet, origin=origin)
            return set()
    except FetchError as exc:
        exc.where = exc.where or origin
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise FetchError(
            f"cannot read the workbook's number formats (sheet {sheet!r}): {exc}", where=origin
        ) from None


def _malformed(name: str, exc: ElementTree.ParseError) -> FetchError:
    return FetchError(
        f"the workbook's {name} is not well-formed XML ({exc}): cannot tell which "
        "cells are percentages"
    )


def _parse(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(_small_part(book, name))
    except ElementTree.ParseError as exc:
        raise _malformed(name, exc) from None


def _check_size(book: zipfile.ZipFile, name: str) -> None:
    """A part past a size no real one reaches is refused, so that a crafted file cannot
    inflate without bound (the zip reader stops at the size the entry declares)."""
    if book.getinfo(name).file_size > MAX_PART_BYTES:
        raise FetchError(f"the workbook's {name} is larger than {MAX_PART_BYTES} bytes")


def _small_part(book: zipfile.ZipFile, name: str) -> bytes:
    """A workbook part read whole (styles, the workbook's sheet list), size-capped."""
    _check_size(book, name)
    return book.read(name)


def _open_part(book: zipfile.ZipFile, name: str) -> IO[bytes]:
    """A workbook part to stream (a sheet, an .ods content.xml), size-capped."""
    _check_size(book, name)
    return book.open(name)


# -- .xlsx / .xlsm (Office Open XML) ------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILTIN_PERCENT = frozenset({"9", "10"})  # ECMA-376 built-in formats 0% and 0.00%
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _percent_styles(book: zipfile.ZipFile) -> set[str]:
    """The cell style indexes (``s`` attribute) whose number format is a percentage."""
    root = _parse(book, "xl/styles.xml")
    percent_ids = set(_BUILTIN_PERCENT)
    for fmt in root.iter(f"{_MAIN}numFmt"):
        if is_percent_format(fmt.get("formatCode", "")):
            percent_ids.add(fmt.get("numFmtId", ""))
    xfs = root.find(f"{_MAIN}cellXfs")
    return {
        str(i)
        for i, xf in enumerate([] if xfs is None else xfs)
        if xf.get("numFmtId") in percent_ids
    }


def _styled_cells(stream: IO[bytes], styles: set[str]) -> Cells:
    """(row, column) of the numeric cells whose style is one of ``styles``, streamed (a
    sheet part may be large). A row or cell without its ``r`` reference (optional in the
    format) follows the one before it."""
    cells: Cells = set()
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


def _sheet_part(book: zipfile.ZipFile, name: str) -> str | None:
    workbook = _parse(book, "xl/workbook.xml")
    rels = _parse(book, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        if sheet.get("name") == name:
            target = targets.get(sheet.get(_REL), "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _xlsx_cells(book: zipfile.ZipFile, sheet: str, *, origin: str) -> Cells:
    styles = _percent_styles(book)
    if not styles:
        return set()
    part = _sheet_part(book, sheet)
    if part is None:
        raise FetchError(
            f"the workbook has percent formats but its sheet {sheet!r} has no part "
            "in xl/workbook.xml: cannot tell which cells are percentages",
            where=origin,
        )
    with _open_part(book, part) as stream:
        try:
            return _styled_cells(stream, styles)
        except ElementTree.ParseError as exc:
            raise _malformed(part, exc) from None


# -- .ods (OpenDocument spreadsheet) ------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_TABLE = f"{_TABLE}table"
_ODS_ROW = f"{_TABLE}table-row"
_ODS_CELLS = frozenset({f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"})
_ODS_NAME = f"{_TABLE}name"
_ODS_VALUE_TYPE = f"{_OFFICE}value-type"


def _repeated(el: ElementTree.Element, attribute: str, origin: str) -> int:
    raw = el.get(f"{_TABLE}{attribute}", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise FetchError(
            f"the workbook's content.xml has table:{attribute}={raw!r}: not a count",
            where=origin,
        )
    return int(raw)


def _ods_cells(stream: IO[bytes], sheet: str, *, origin: str, rows: int, columns: int) -> Cells:
    """(row, column) of the ``percentage`` cells of the table named ``sheet``, streamed.

    Rows count wherever they sit in the table (header rows, row groups); a covered cell
    (under a merge) takes its column like any other; a table nested in a cell is not
    the sheet's. Parsing stops at the end of the sheet's table.
    """
    cells: Cells = set()
    inside = False  # in the sheet's table (not a table nested in it)
    nested = 0
    row = col = 0
    repeat = 1
    percent: list[int] = []
    open_elements: list[ElementTree.Element] = []
    for event, el in ElementTree.iterparse(stream, events=("start", "end")):
        tag = el.tag
        if event == "start":
            open_elements.append(el)
            if tag == _ODS_TABLE:
                if inside:
                    nested += 1
                elif el.get(_ODS_NAME) == sheet:
                    inside = True
            elif not inside or nested:
                pass
            elif tag == _ODS_ROW:
                repeat, col, percent = _repeated(el, "number-rows-repeated", origin), 0, []
            elif tag in _ODS_CELLS:
                span = _repeated(el, "number-columns-repeated", origin)
                if el.get(_ODS_VALUE_TYPE) == "percentage" and col < columns:
                    percent.extend(range(col, min(col + span, columns)))
                col += span
            continue
        open_elements.pop()
        if open_elements:  # keep memory flat: drop what has been read
            open_elements[-1].remove(el)
        if not inside:
            continue
        if tag == _ODS_TABLE:
            if not nested:
                return cells
            nested -= 1
        elif tag == _ODS_ROW and not nested:
            for r in range(row, min(row + repeat, rows)):
                cells.update((r, c) for c in percent)
            row += repeat
    raise FetchError(
        f"the workbook's content.xml has no table named {sheet!r}: cannot tell which "
        "cells are percentages",
        where=origin,
    )


# -- .xls (BIFF8 in an OLE2 compound file) -------------------------------------------------


def _xlrd() -> Any:
    try:
        import xlrd  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise FetchError(
            f"reading an .xls workbook's percent cells needs xlrd: {EXTRA_HINT}"
        ) from None
    return xlrd


def _xls_cells(content: bytes, sheet: str, *, origin: str, rows: int, columns: int) -> Cells:
    xlrd = _xlrd()
    try:
        book = xlrd.open_workbook(
            file_contents=content,
            formatting_info=True,
            on_demand=True,
            logfile=io.StringIO(),  # xlrd warns on stdout otherwise, over the dashboard
            verbosity=0,
        )
    except Exception as exc:  # xlrd raises its own and struct / index errors on bad files
        raise FetchError(
            f"cannot read the .xls workbook's number formats (xlrd): {exc}", where=origin
        ) from None
    try:
        percent = set()
        for index, xf in enumerate(book.xf_list):
            fmt = book.format_map.get(xf.format_key)
            if fmt is not None and is_percent_format(fmt.format_str):
                percent.add(index)
        if not percent:
            return set()
        cells: Cells = set()
        table = book.sheet_by_name(sheet)
        for r in range(min(table.nrows, rows)):
            for c, kind in enumerate(table.row_types(r)[:columns]):
                if kind == xlrd.XL_CELL_NUMBER and table.cell_xf_index(r, c) in percent:
                    cells.add((r, c))
        return cells
    except Exception as exc:
        raise FetchError(
            f"cannot read the .xls workbook's number formats (xlrd), sheet {sheet!r}: {exc}",
            where=origin,
        ) from None
    finally:
        book.release_resources()
