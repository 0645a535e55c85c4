"""Percent-formatted cells of .ods and .xls workbooks read as shown (45.2%: 45.2).

excel_percent_cells.ods and excel_percent_cells.xls are written by LibreOffice through
make_excel_percent.py beside them; the 增速 sheet of statistics_office_monthly.xls by
xlwt (make_xls.py). Expected figures are what LibreOffice shows in each cell, read off
the sheets by hand (see the generators' docstrings for the layouts).
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from lishi_tui.sources.api import FetchError
from tests.test_source_formats import payload, plugin, values

EXCEL = plugin("source_excel")
BOOKS = ["excel_percent_cells.ods", "excel_percent_cells.xls"]


def read(book: str, content: bytes | None = None, **options: Any) -> Any:
    data = payload(book) if content is None else content
    return EXCEL.parse_excel(data, options, indicator="x", origin=book)


@pytest.mark.parametrize("book", BOOKS)
def test_percent_cells_read_as_shown(book: str) -> None:
    # 增速 B2:B6 show 45.2%, 3.8%, -2.3%, 50%, 12.34% (stored 0.452 … 0.1234); these
    # were read as 0.452 ….
    got = values(read(book, period_column="月份", value_column="同比增长(%)"))
    want = {"2024-01": 45.2, "2024-02": 3.8, "2024-03": -2.3, "2024-04": 50, "2024-05": 12.34}
    assert got == want
    # C2:C6: the same figures typed as plain numbers are unchanged.
    assert values(read(book, period_column="月份", value_column="环比增长(%)")) == want


@pytest.mark.parametrize("book", BOOKS)
def test_percent_formatted_text_and_period_cells_are_not_changed(book: str) -> None:
    # The periods A2:A6 and the heading B1 are text carrying the 0.0% format: still the
    # periods and the heading, beside B2:B6 read as shown. D2:D6 are the text "12.5%" …:
    # read as 12.5, not 1250.
    got = values(read(book, period_column="月份", value_column="同比增长(%)"))
    assert list(got) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert got["2024-01"] == 45.2
    text = values(read(book, period_column="月份", value_column="上年同期(%)"))
    assert text == {
        "2024-01": 12.5,
        "2024-02": 4.1,
        "2024-03": -0.5,
        "2024-04": 48,
        "2024-05": 11.25,
    }


WIDE = {
    # three equal percent cells, one cell repeated 3 columns in the .ods
    "城镇化率": {"2024-01": 60, "2024-02": 60, "2024-03": 60},
    "失业率": {"2024-01": 5.1, "2024-02": 5.2, "2024-03": 5},
    "人口(万人)": {"2024-01": 120, "2024-02": 121, "2024-03": 122},  # plain: unchanged
    "合计占比": {"2024-01": 100, "2024-02": 100, "2024-03": 100},  # 0%: 100%
    # after two blank rows (one row repeated twice in the .ods)
    "增加值增速": {"2024-01": 8, "2024-02": 8.1, "2024-03": 8.2},
}


@pytest.mark.parametrize("book", BOOKS)
def test_wide_sheet_repeated_cells_and_rows(book: str) -> None:
    got = {
        indicator: values(read(book, sheet="宽表", layout="wide", filter={"指标": indicator}))
        for indicator in WIDE
    }
    assert got == WIDE


@pytest.mark.parametrize("book", BOOKS)
def test_a_merged_percent_cell_and_the_plain_cell_after_it(book: str) -> None:
    # 规上工业增速: B10:C10 merged over 7.0% (the .ods covers C10), D10 the plain 7.
    got = values(read(book, sheet=1, layout="wide", filter={"指标": "规上工业增速"}))
    assert got["2024-01"] == 7 and got["2024-03"] == 7


def test_xlwt_workbook_with_built_in_percent_formats() -> None:
    # statistics_office_monthly.xls 增速: B2 0.452 as 0.0% (45.2%), B3 0.5 as the
    # built-in 0% (50%), B4 0.0375 as the built-in 0.00% (3.75%); C2:C4 plain.
    book = "statistics_office_monthly.xls"
    got = values(read(book, sheet="增速", period_column="月份", value_column="同比增长(%)"))
    assert got == {"2024-01": 45.2, "2024-02": 50, "2024-03": 3.75}
    plain = read(book, sheet=2, period_column=0, value_column=2)
    assert values(plain) == got


# -- content.xml, changed as a writer or an attacker could -------------------------------


def ods_with(change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(payload(BOOKS[0]))) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == "content.xml" else data)
    return out.getvalue()


ROW_合计占比 = (
    '<table:table-row table:style-name="ro1"><table:table-cell office:value-type="string" '
    'calcext:value-type="string"><text:p>合计占比'
)


def repeated(times: int) -> str:
    """The 合计占比 row's start tag saying the row stands for ``times`` rows."""
    with zipfile.ZipFile(io.BytesIO(payload(BOOKS[0]))) as book:
        assert book.read("content.xml").count(ROW_合计占比.encode()) == 1
    return ROW_合计占比.replace('"ro1">', f'"ro1" table:number-rows-repeated="{times}">', 1)


def test_a_percent_row_repeated_is_every_row_it_stands_for() -> None:
    # 合计占比 (row 6, 100% x3) said to repeat 3 times: rows 6-8 are that row, the
    # blank rows become 9-10 and 增加值增速 row 11.
    content = ods_with(lambda d: d.replace(ROW_合计占比.encode(), repeated(3).encode()))
    shown = EXCEL.formats.percent_cells(content, "宽表", origin="t.ods", rows=12, columns=4)
    # B:D of 城镇化率 (row 3), 失业率 (4), 合计占比 x3 (6-8), 增加值增速 (11), B12 merged
    want = {(r, c) for r in (2, 3, 5, 6, 7, 10) for c in (1, 2, 3)} | {(11, 1)}
    assert shown == want
    got = values(
        read(BOOKS[0], content, sheet="宽表", layout="wide", filter={"指标": "增加值增速"})
    )
    assert got == {"2024-01": 8, "2024-02": 8.1, "2024-03": 8.2}


def test_a_row_repeated_a_million_times_stays_within_the_sheet() -> None:
    # LibreOffice ends each sheet with an empty row repeated ~10^6 times; a percent row
    # so repeated is counted only as far as the sheet's grid.
    content = ods_with(lambda d: d.replace(ROW_合计占比.encode(), repeated(1_000_000).encode()))
    shown = EXCEL.formats.percent_cells(content, "宽表", origin="t.ods", rows=7, columns=4)
    assert shown == {(r, c) for r in (2, 3, 5, 6) for c in (1, 2, 3)}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        # well-formed enough for calamine, not XML: a duplicate attribute in a cell
        (b'<text:p text:a="1" text:a="2">', r"content\.xml is not well-formed XML \(duplicate"),
        (b"<text:p>\x01", r"content\.xml is not well-formed XML"),
    ],
)
def test_malformed_content_xml_is_a_located_error(change: bytes, match: str) -> None:
    content = ods_with(
        lambda d: d.replace("<text:p>城镇化率".encode(), change + "城镇化率".encode())
    )
    with pytest.raises(FetchError, match=match) as caught:
        read(BOOKS[0], content, sheet="宽表", layout="wide", filter={"指标": "失业率"})
    assert caught.value.where == BOOKS[0] and "percent" in caught.value.message


def test_content_xml_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # the cap (64 MiB) lowered below this content.xml's size instead of a 64 MiB file
    monkeypatch.setattr(EXCEL.formats, "MAX_PART_BYTES", 1000)
    with pytest.raises(FetchError, match=r"content\.xml is larger than 1000 bytes") as caught:
        read(BOOKS[0], period_column="月份", value_column="同比增长(%)")
    assert caught.value.where == BOOKS[0]


def test_a_missing_xls_format_reader_is_said_not_read_as_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import fails as if absent
    with pytest.raises(FetchError, match=r"\.xls workbook's percent cells needs xlrd"):
        read(BOOKS[1], period_column="月份", value_column="同比增长(%)")
