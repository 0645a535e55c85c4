"""The excel source type on a workbook laid out as a statistics office's monthly report.

tests/data/payloads/statistics_office_monthly.xlsx is written by make_xlsx.py beside it.
Sheet 主要指标: A1:D1 merged title; A2:A3 指标, B2:B3 单位, C2:D2 2021年1-10月 over
C3 绝对量 | D3 同比增长(%); rows 4-8 the indicators; A9:D9 a merged footnote and A10 its
continuation. Sheet 社零月度: a monthly long table whose 2021年1-11月 row is blank.
Expected figures are read off make_xlsx.py's rows by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.domain.model import ObservationStatus
from lishi_tui.sources.api import FetchError
from tests.test_source_formats import PAYLOADS, payload, plugin, values

EXCEL = plugin("source_excel")
BOOK = "statistics_office_monthly.xlsx"


def read(**options: Any) -> Any:
    return EXCEL.parse_excel(payload(BOOK), options, indicator="x", origin="book.xlsx")


def test_two_header_rows_under_a_merged_period_heading() -> None:
    # 社会消费品零售总额 | 亿元 | 38.74 | 12.3 under 2021年1-10月 (a year-to-date month)
    row = {"指标": "社会消费品零售总额"}
    assert values(read(layout="wide", filter=row, value_column="绝对量")) == {"2021-10": 38.74}
    assert values(read(layout="wide", filter=row, value_column="同比增长")) == {"2021-10": 12.3}
    # 一般公共预算收入 | 万元 | "52,311" (text with a separator) | -2.5
    income = {"指标": "一般公共预算收入"}
    assert values(read(layout="wide", filter=income, value_column="绝对量")) == {"2021-10": 52311}
    assert values(read(layout="wide", filter=income, value_column="同比增长(%)")) == {
        "2021-10": -2.5
    }
    # 规模以上工业增加值 | 亿元 | — : a dash is no figure, never zero
    (gap,) = read(layout="wide", filter={"指标": "规模以上工业增加值"}, value_column="绝对量")
    assert gap.value is None and gap.status is ObservationStatus.MISSING


def test_two_columns_for_one_period_is_refused_naming_them() -> None:
    with pytest.raises(FetchError, match=r"2021-10 has 2 columns .*绝对量.*同比增长.*value_column"):
        read(layout="wide", filter={"指标": "地区生产总值"})


def test_footnote_rows_are_not_indicators() -> None:
    with pytest.raises(FetchError, match=r"0 rows match .*'地区生产总值', '规模以上工业增加值'"):
        read(
            layout="wide",
            filter={"指标": "注：1.地区生产总值为初步核算数。"},
            value_column="绝对量",
        )


def test_long_sheet_by_name_and_by_index() -> None:
    by_name = read(sheet="社零月度", period_column="月份", value_column="累计")
    # 2021年1-1月 3.51 … 2021年1-10月 38.74; 2021年1-11月 blank
    got = values(by_name)
    assert got["2021-01"] == 3.51 and got["2021-05"] == 18.8 and got["2021-10"] == 38.74
    assert got["2021-11"] is None
    by_index = read(sheet=1, period_column=0, value_column="同比增长(%)")
    assert values(by_index)["2021-10"] == 12.3 and values(by_index)["2021-01"] == 35.2


def test_long_sheet_without_a_header_skips_the_label_rows() -> None:
    # header_rows = 0: the title row and the 月份 | 累计(亿元) row hold no digit in the period
    # column, so they are labels; the figures are the same as by header names
    headerless = read(sheet="社零月度", header_rows=0, period_column=0, value_column=1)
    named = read(sheet="社零月度", period_column="月份", value_column="累计")
    assert values(headerless) == values(named) and len(values(named)) == 11
    with pytest.raises(FetchError, match=r"no column '累计'; the headers are: '0', '1', '2'"):
        read(sheet="社零月度", header_rows=0, period_column=0, value_column="累计")


def test_month_typed_as_a_date_reads_as_the_month() -> None:
    # 日期格式: 2021-09-01 and 2021-10-01 shown as yyyy"年"m"月"
    dated = read(sheet="日期格式", period_column="月份", value_column="值")
    assert values(dated) == {"2021-09": 1.5, "2021-10": 2.5}


def test_scale_is_exact() -> None:
    # 一般公共预算收入 52,311 万元 in 亿元: 5.2311
    income = {"指标": "一般公共预算收入"}
    got = read(layout="wide", filter=income, value_column="绝对量", scale=0.0001)
    assert values(got) == {"2021-10": 5.2311}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"sheet": "月报"}, r"no sheet '月报'; the sheets are '主要指标', '社零月度', '日期格式'"),
        ({"sheet": 5}, r"sheet index 5 is out of range: the workbook has 3 sheet"),
        ({"sheet": 1, "period_column": "月份"}, r"the long layout needs `value_column`"),
        ({"sheet": 1, "period_column": "月份", "value_column": "总额"}, r"no column '总额'"),
    ],
)
def test_faults_are_located(options: dict[str, Any], match: str) -> None:
    with pytest.raises(FetchError, match=match):
        read(**options)


def test_not_a_workbook() -> None:
    with pytest.raises(FetchError, match="not a workbook"):
        EXCEL.parse_excel(b"PK\x03\x04 not really", {}, indicator="x", origin="bad.xlsx")


def test_missing_reader_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import fails as if absent
    with pytest.raises(FetchError, match=r"pip install 'lishi-tui\[excel\]'"):
        read(layout="wide")


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=config.parent,
    )


def test_workbook_end_to_end_through_fetch_and_show(tmp_path: Path) -> None:
    book = tmp_path / "月报.xlsx"
    book.write_bytes((PAYLOADS / BOOK).read_bytes())
    (tmp_path / "旧格式.xls").write_bytes((PAYLOADS / "statistics_office_monthly.xls").read_bytes())
    config = tmp_path / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            """
            [app]
            language = "zh"

            [plugins]
            allow = ["source_excel"]

            [storage]
            path = "history.db"

            [indicators.retail_growth]
            name_zh = "社会消费品零售总额增速"
            unit = "%"
            frequency = "monthly"
            measure = "yoy"

            [indicators.retail_total]
            name_zh = "社会消费品零售总额（累计）"
            unit = "亿元"
            frequency = "monthly"
            measure = "ytd"

            [indicators.retail_month]
            name_zh = "社会消费品零售总额（当月）"
            unit = "亿元"
            frequency = "monthly"

            [sources.report_xls]
            type = "excel"
            interval = "1d"
            indicator = "retail_month"
            path = "旧格式.xls"
            sheet = "社零月度"
            period_column = "月份"
            value_column = "当月(亿元)"

            [sources.report_growth]
            type = "excel"
            interval = "1d"
            indicator = "retail_growth"
            path = "月报.xlsx"
            layout = "wide"
            filter = { "指标" = "社会消费品零售总额" }
            value_column = "同比增长"

            [sources.report_monthly]
            type = "excel"
            interval = "1d"
            indicator = "retail_total"
            path = "月报.xlsx"
            sheet = "社零月度"
            period_column = "月份"
            value_column = "累计(亿元)"
            """
        ),
        encoding="utf-8",
    )
    fetched = _cli(config, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    result = _cli(config, "show", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["indicator"]: row for row in json.loads(result.stdout)}
    growth = rows["retail_growth"]
    assert (growth["value"], growth["period"], growth["obs_status"]) == (12.3, "2021-10", "normal")
    assert growth["source"] == "report_growth" and growth["origin"].endswith("月报.xlsx")
    total = rows["retail_total"]
    # 2021年1-11月 is blank: the latest figure stays 2021年1-10月's 38.74
    assert (total["value"], total["period"]) == (38.74, "2021-10")
    assert total["period_label"] == "截至2021年10月底"
    # the .xls: 2021-11 typed as a date but blank; the latest is 2021-10's 4.27
    month = rows["retail_month"]
    assert (month["value"], month["period"], month["source"]) == (4.27, "2021-10", "report_xls")


# -- .xls (BIFF8, Excel 97-2003) ----------------------------------------------------------
# statistics_office_monthly.xls is written by make_xls.py (xlwt): sheet 主要指标 has the
# layout above (A1:D1 title, A2:A3 指标, B2:B3 单位, C2:D2 2021年1-10月 over C3 绝对量 |
# D3 同比增长(%), rows 4-8, A9:D9 footnote, A10 its continuation); sheet 社零月度 has
# A1:C1 a title, A2 月份 | 当月(亿元) | 同比增长(%), A3:A6 the months 2021-08 … 2021-11
# typed as dates, 2021-11 blank, A7 a footnote. Figures are read off make_xls.py.

XLS = "statistics_office_monthly.xls"


def read_xls(**options: Any) -> Any:
    return EXCEL.parse_excel(payload(XLS), options, indicator="x", origin="book.xls")


def test_xls_is_a_real_biff8_file() -> None:
    # the OLE2 compound-document signature every .xls starts with
    assert payload(XLS)[:8] == bytes.fromhex("d0cf11e0a1b11ae1")


def test_xls_merged_headers_and_footnotes() -> None:
    row = {"指标": "社会消费品零售总额"}  # row 6: 38.74 | 12.3
    assert values(read_xls(layout="wide", filter=row, value_column="绝对量")) == {"2021-10": 38.74}
    assert values(read_xls(layout="wide", filter=row, value_column="同比增长")) == {"2021-10": 12.3}
    income = {"指标": "一般公共预算收入"}  # row 7: "52,311" | -2.5
    got = read_xls(layout="wide", filter=income, value_column="绝对量", scale=0.0001)
    assert values(got) == {"2021-10": 5.2311}
    (gap,) = read_xls(layout="wide", filter={"指标": "规模以上工业增加值"}, value_column="绝对量")
    assert gap.value is None and gap.status is ObservationStatus.MISSING  # "—"
    with pytest.raises(FetchError, match=r"0 rows match"):
        read_xls(layout="wide", filter={"指标": "注：1.地区生产总值为初步核算数。"})


def test_xls_months_typed_as_dates_and_a_blank_newest_month() -> None:
    got = values(read_xls(sheet="社零月度", period_column="月份", value_column="当月(亿元)"))
    assert got == {"2021-08": 3.86, "2021-09": 4.06, "2021-10": 4.27, "2021-11": None}
    by_index = read_xls(sheet=1, period_column=0, value_column=2)
    assert values(by_index)["2021-10"] == 9.8


FORMATS = "excel_cell_formats.xlsx"  # written by make_xlsx_formats.py beside it


def read_formats(**options: Any) -> Any:
    return EXCEL.parse_excel(payload(FORMATS), options, indicator="x", origin="f.xlsx")


def test_percent_formatted_cells_read_as_shown_like_csv() -> None:
    # Sheet 增速: B2:B4 store 0.452, 0.038, -0.023 formatted 0.0% (shown 45.2%, 3.8%,
    # -2.3%); B5 stores 0.5 formatted 0% (shown 50%). These were read as 0.452 … 0.5.
    readings = read_formats(period_column="月份", value_column="同比增长(%)")
    assert values(readings) == {"2024-01": 45.2, "2024-02": 3.8, "2024-03": -2.3, "2024-04": 50}
    # C2:C5 hold the same figures typed as plain numbers: unchanged.
    plain = read_formats(period_column="月份", value_column="环比增长(%)")
    assert values(plain) == values(readings)


def test_a_month_typed_as_a_number_is_refused_with_its_cell() -> None:
    # Sheet 月度: A2 is the number 2024.1 (typed 2024.10, shown with 0.00): it was read
    # as January 2024.
    with pytest.raises(
        FetchError, match=r"f\.xlsx 月度!A2: column A: the period is the number 2024\.1"
    ):
        read_formats(sheet="月度", period_column="月份", value_column="用电量")


def test_a_year_typed_as_a_number_is_still_a_period() -> None:
    # A whole number (2024.0) is the year 2024; only the 1.5 is marked fractional.
    rows = EXCEL.grid_rows([["年份", "值"], [2024.0, 1.5]], [], origin="g.xlsx", sheet="s")
    assert rows[1].cells == ["2024", "1.5"] and rows[1].fractional == frozenset({1})
