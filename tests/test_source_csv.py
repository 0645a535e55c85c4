"""The csv source type on statistics-office exports: footnotes, UTF-16, the NBS export layout.

Expected figures are read by hand off the payloads under tests/data/payloads.
"""

from __future__ import annotations

import pytest

from lishi_tui.sources.api import FetchError
from tests.test_source_formats import payload, plugin, values

CSV = plugin("source_csv")
LONG = {"skip_rows": 1, "period_column": "月份", "value_column": "社会消费品零售总额(万元)"}


def with_continued_footnote() -> bytes:
    # The footnote "注：…" continued on lines of their own, as offices' exports do: one
    # indented with ideographic spaces, one with text in the first cell only.
    text = payload("retail_long_gb18030.csv").decode("gb18030")
    text += "\u3000\u30002.社会消费品零售总额按在地原则统计。\r\n"
    text += "3.累计数据按可比口径计算\r\n"
    return text.encode("gb18030")


def test_long_layout_skips_footnote_continuation_rows() -> None:
    readings = CSV.parse_csv(with_continued_footnote(), LONG, indicator="r", origin="r.csv")
    # rows "2021年1-1月,\"123,456.7\"" … "2021年1-5月,\"612,330.2\""
    assert values(readings) == {
        "2021-01": 123456.7,
        "2021-02": 234812.0,
        "2021-03": 361090.5,
        "2021-04": None,
        "2021-05": 612330.2,
    }


def test_a_row_with_only_a_period_is_a_blank_period_not_a_footnote() -> None:
    text = payload("retail_long_gb18030.csv").decode("gb18030")
    text = text.replace("注：", "2021年1-6月\r\n注：")
    readings = CSV.parse_csv(text.encode("gb18030"), LONG, indicator="r", origin="r.csv")
    assert values(readings)["2021-06"] is None  # not yet published, kept as such


def test_nbs_export_wide_with_footnotes() -> None:
    # 数据库：年度数据 / 时间：最近5年 / 指标,2024年,…; row 人口出生率(‰),6.77,6.39,6.77,7.52,8.52
    options = {"layout": "wide", "skip_rows": 2, "filter": {"指标": "人口出生率(‰)"}}
    content = payload("nbs_export_population_wide_gb18030.csv")
    readings = CSV.parse_csv(content, options, indicator="b", origin="nbs.csv")
    assert values(readings) == {
        "2024": 6.77,
        "2023": 6.39,
        "2022": 6.77,
        "2021": 7.52,
        "2020": 8.52,
    }
    # 人口自然增长率(‰),-0.99,-1.48,-0.60,0.34,1.45
    options["filter"] = {"指标": "人口自然增长率"}
    readings = CSV.parse_csv(content, options, indicator="b", origin="nbs.csv")
    assert values(readings)["2022"] == -0.6


def test_utf16_unicode_text_export() -> None:
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
    text = payload("nbs_export_population_wide_gb18030.csv").decode("gb18030").replace(",", "\t")
    options = {
        "layout": "wide",
        "skip_rows": 2,
        "delimiter": "\\t",
        "filter": {"指标": "人口死亡率(‰)"},
    }
    readings = CSV.parse_csv(text.encode("utf-16"), options, indicator="d", origin="u16.txt")
    # 人口死亡率(‰),7.76,7.87,7.37,7.18,7.07
    assert values(readings) == {
        "2024": 7.76,
        "2023": 7.87,
        "2022": 7.37,
        "2021": 7.18,
        "2020": 7.07,
    }


def test_scale_is_exact() -> None:
    options = {**LONG, "scale": 0.0001}  # 万元 -> 亿元
    readings = CSV.parse_csv(payload("retail_long_gb18030.csv"), options, indicator="r", origin="f")
    # "612,330.2" 万元 = 61.23302 亿元 (float arithmetic gives 61.233019999999996)
    assert 612330.2 * 0.0001 != 61.23302
    assert values(readings)["2021-05"] == 61.23302
    assert values(readings)["2021-01"] == 12.34567


def test_wide_filter_that_matches_nothing_names_the_candidates() -> None:
    options = {"layout": "wide", "skip_rows": 2, "filter": {"指标": "人口出生"}}
    content = payload("nbs_export_population_wide_gb18030.csv")
    with pytest.raises(FetchError, match=r"0 rows match.*人口出生率\(‰\)"):
        CSV.parse_csv(content, options, indicator="b", origin="nbs.csv")


# A year's row stacked with its quarters and months under one header, as ONS time-series
# downloads and many office tables lay them out (figures made up here). Stored as one
# indicator the annual figure would be charted among the months, and could be taken for
# the latest one: refused, naming what it found.
STACKED = (
    "期间,频度,指数\n2024,年,133.9\n2024Q1,季,132.1\n"
    "2024年1月,月,131.5\n2024年2月,月,132.3\n2024年3月,月,132.5\n2024年4月,月,133.0\n"
)


def test_a_series_mixing_years_quarters_and_months_is_refused() -> None:
    options = {"period_column": "期间", "value_column": "指数"}
    with pytest.raises(
        FetchError,
        match=r"3 kinds \(year: 2024; quarter: 2024-Q1; month: 2024-01, 2024-02, 2024-03, …\)",
    ):
        CSV.parse_csv(STACKED.encode(), options, indicator="cpi", origin="cpi.csv")
    monthly = CSV.parse_csv(
        STACKED.encode(), options | {"filter": {"频度": "月"}}, indicator="cpi", origin="cpi.csv"
    )
    assert values(monthly) == {
        "2024-01": 131.5,
        "2024-02": 132.3,
        "2024-03": 132.5,
        "2024-04": 133.0,
    }


def test_decimal_commas_are_refused_with_the_row() -> None:
    # decimal_comma_semicolon.csv line 3: "2024-01";"3,1" (3.1, a French-style export):
    # this was read as 31.
    options = {
        "delimiter": ";",
        "skip_rows": 1,
        "period_column": "Période",
        "value_column": "Valeur",
    }
    content = payload("decimal_comma_semicolon.csv")
    with pytest.raises(FetchError, match=r"f\.csv:3: not a number: '3,1': .*decimal commas"):
        CSV.parse_csv(content, options, indicator="x", origin="f.csv")


def test_unicode_minus_sign_reads_as_negative() -> None:
    # unicode_minus_long.csv: 2024-01,−2.3 / 2024-02,0.4 / 2024-03,"−1,234.5" (U+2212)
    options = {"period_column": "month", "value_column": "value"}
    content = payload("unicode_minus_long.csv")
    readings = CSV.parse_csv(content, options, indicator="x", origin="m.csv")
    assert values(readings) == {"2024-01": -2.3, "2024-02": 0.4, "2024-03": -1234.5}


def test_quarters_without_di_in_a_long_table() -> None:
    # quarters_no_di_long.csv: 2024年一季度,5.3 / 二季度,4.7 / 三季度,4.6 / 四季度,5.4
    options = {"period_column": "季度", "value_column": "地区生产总值增速"}
    content = payload("quarters_no_di_long.csv")
    readings = CSV.parse_csv(content, options, indicator="g", origin="q.csv")
    assert values(readings) == {"2024-Q1": 5.3, "2024-Q2": 4.7, "2024-Q3": 4.6, "2024-Q4": 5.4}


def test_quarters_without_di_in_a_wide_table_keep_every_column() -> None:
    # nbs_quarters_wide_gb18030.csv: 指标,2023年第四季度,2024年一季度,2024年二季度,2024年三季度
    # and the row 地区生产总值增速(%),5.2,5.3,4.7,4.6; only 2023-Q4 was read before.
    options = {"layout": "wide", "filter": {"指标": "地区生产总值增速"}}
    content = payload("nbs_quarters_wide_gb18030.csv")
    readings = CSV.parse_csv(content, options, indicator="g", origin="q.csv")
    assert values(readings) == {"2023-Q4": 5.2, "2024-Q1": 5.3, "2024-Q2": 4.7, "2024-Q3": 4.6}


def test_a_wide_header_starting_with_a_year_that_is_no_period_is_refused() -> None:
    # The same table with a cumulative 前三季度 heading this reader does not know: its
    # column used to be dropped silently.
    text = payload("nbs_quarters_wide_gb18030.csv").decode("gb18030")
    text = text.replace("2024年三季度", "2024年前三季度")
    options = {"layout": "wide", "filter": {"指标": "地区生产总值增速"}}
    with pytest.raises(FetchError, match=r"q\.csv:1: column '2024年前三季度'.*starts with a year"):
        CSV.parse_csv(text.encode("gb18030"), options, indicator="g", origin="q.csv")


def test_a_wide_header_starting_with_a_year_but_naming_no_part_of_it_is_left_out() -> None:
    # A growth column beside the quarters ("2024年比上年增长") is no period: left out, as
    # before, while the four quarters are still read from the same row.
    text = payload("nbs_quarters_wide_gb18030.csv").decode("gb18030")
    lines = text.splitlines()
    lines[0] += ",2024年比上年增长"
    lines[1] += ",0.3"
    options = {"layout": "wide", "filter": {"指标": "地区生产总值增速"}}
    content = "\n".join(lines).encode("gb18030")
    readings = CSV.parse_csv(content, options, indicator="g", origin="q.csv")
    assert values(readings) == {"2023-Q4": 5.2, "2024-Q1": 5.3, "2024-Q2": 4.7, "2024-Q3": 4.6}


def test_fiscal_year_headers_are_refused_not_read_as_months() -> None:
    # 2008/09 would have been September 2008, and 2012/13 dropped: an error instead.
    content = "指标,2008/09,2012/13\n财政收入,1.5,2.5\n".encode()
    options = {"layout": "wide", "filter": {"指标": "财政收入"}}
    with pytest.raises(FetchError, match=r"column .2008/09.: .2008/09. starts with a year"):
        CSV.parse_csv(content, options, indicator="f", origin="fy.csv")
