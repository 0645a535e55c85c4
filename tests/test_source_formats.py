"""Pure parser tests of every built-in source type on faithful payloads, faults included."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.domain.model import ObservationStatus, Qualifier, Reading
from lishi_tui.plugin_host import discover_folder
from lishi_tui.registry import PluginOrigin
from lishi_tui.sources.api import FetchError

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = ROOT / "tests" / "data" / "payloads"


def plugin(name: str) -> Any:
    """A built-in plugin module, imported the way the plugin host imports it."""
    (candidate,) = [
        c for c in discover_folder(ROOT / "plugins", PluginOrigin.BUILTIN) if c.name == name
    ]
    return candidate.load()


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def values(readings: list[Reading]) -> dict[str, float | None]:
    return {r.period.key: r.value for r in readings}


# -- csv ----------------------------------------------------------------------------------

CSV = plugin("source_csv")
LONG = {"skip_rows": 1, "period_column": "月份", "value_column": "社会消费品零售总额(万元)"}


def test_csv_long_gb18030_with_separators_notes_and_gaps() -> None:
    readings = CSV.parse_csv(
        payload("retail_long_gb18030.csv"), LONG, indicator="retail", origin="r.csv"
    )
    assert values(readings) == {
        "2021-01": 123456.7,
        "2021-02": 234812.0,
        "2021-03": 361090.5,
        "2021-04": None,  # "-" is no figure, never zero
        "2021-05": 612330.2,
    }
    assert readings[3].status is ObservationStatus.MISSING
    assert {r.origin for r in readings} == {"r.csv"}


def test_csv_columns_by_index_and_scale() -> None:
    options = {"skip_rows": 1, "period_column": 0, "value_column": 1, "scale": 0.0001}
    readings = CSV.parse_csv(payload("retail_long_gb18030.csv"), options, indicator="r", origin="f")
    assert readings[0].value == pytest.approx(12.34567)


def test_csv_percent_column() -> None:
    options = {"skip_rows": 1, "period_column": "月份", "value_column": "同比增长"}
    readings = CSV.parse_csv(payload("retail_long_gb18030.csv"), options, indicator="r", origin="f")
    assert values(readings)["2021-01"] == 15.2


def test_csv_wide_picks_the_row_by_filter() -> None:
    options = {"layout": "wide", "filter": {"指标": "规上工业增加值增速"}}
    readings = CSV.parse_csv(
        payload("indicators_wide_utf8bom.csv"), options, indicator="ind", origin="w.csv"
    )
    assert values(readings) == {"2019": 8.1, "2020": -2.3, "2021": 10.0}
    assert readings[2].qualifier is Qualifier.AT_LEAST


def test_csv_wide_needs_one_row() -> None:
    with pytest.raises(FetchError, match=r"exactly one row; 3 rows match: add `filter") as info:
        CSV.parse_csv(
            payload("indicators_wide_utf8bom.csv"),
            {"layout": "wide"},
            indicator="i",
            origin="w.csv",
        )
    assert info.value.where == "w.csv:1"


def test_csv_errors_name_file_and_line() -> None:
    body = "月份,值\n2021-01,1\n2021-02,abc\n".encode()
    with pytest.raises(FetchError, match=r"not a number: abc") as info:
        CSV.parse_csv(
            body, {"period_column": "月份", "value_column": "值"}, indicator="i", origin="d.csv"
        )
    assert info.value.where == "d.csv:3"
    with pytest.raises(FetchError, match=r"no column '金额'; the headers are: '月份', '值'"):
        CSV.parse_csv(
            body, {"period_column": "月份", "value_column": "金额"}, indicator="i", origin="d.csv"
        )
    bad_period = "月份,值\n上月,1\n".encode()
    with pytest.raises(FetchError, match=r"not a period") as info:
        CSV.parse_csv(
            bad_period, {"period_column": 0, "value_column": 1}, indicator="i", origin="d.csv"
        )
    assert info.value.where == "d.csv:2"


def test_csv_empty_and_duplicate_periods() -> None:
    with pytest.raises(FetchError, match=r"series is empty"):
        CSV.parse_csv(
            "月份,值\n".encode(),
            {"period_column": 0, "value_column": 1},
            indicator="i",
            origin="d.csv",
        )
    dup = "区,月份,值\n离石,2021-01,1\n交城,2021-01,2\n".encode()
    options = {"period_column": "月份", "value_column": "值"}
    with pytest.raises(FetchError, match=r"appears again .*add a `filter`"):
        CSV.parse_csv(dup, options, indicator="i", origin="d.csv")
    picked = CSV.parse_csv(dup, options | {"filter": {"区": "交城"}}, indicator="i", origin="d")
    assert values(picked) == {"2021-01": 2.0}


def test_csv_not_text() -> None:
    with pytest.raises(FetchError, match=r"neither UTF-8 nor GB18030"):
        CSV.parse_csv(b"\x81\x30\xff\xff", {}, indicator="i", origin="d.csv")


# -- http_json ----------------------------------------------------------------------------

HTTP_JSON = plugin("source_http_json")
API = b"""{"code": 0, "data": {"rows": [
  {"stat": {"month": "2021-09", "rate": "87.9%"}, "area": "lishi"},
  {"stat": {"month": "2021-10", "rate": "88.47%"}, "area": "lishi"},
  {"stat": {"month": "2021-10", "rate": null}, "area": "jiaocheng"}
]}}"""
HJ = {
    "records": "data.rows",
    "period": "stat.month",
    "value": "stat.rate",
    "filter": {"area": "lishi"},
}


def test_http_json_paths_and_filter() -> None:
    readings = HTTP_JSON.parse_http_json(API, HJ, indicator="done", origin="http://h/api")
    assert values(readings) == {"2021-09": 87.9, "2021-10": 88.47}


def test_http_json_null_is_missing() -> None:
    options = HJ | {"filter": {"area": "jiaocheng"}}
    (reading,) = HTTP_JSON.parse_http_json(API, options, indicator="d", origin="u")
    assert reading.value is None and reading.status is ObservationStatus.MISSING


def test_http_json_wrong_shape_names_the_path() -> None:
    with pytest.raises(FetchError) as info:
        HTTP_JSON.parse_http_json(b'{"code": 0, "result": []}', HJ, indicator="d", origin="u")
    text = str(info.value)
    assert "path 'data.rows' did not match" in text and "[code, result]" in text
    assert 'got: {"code": 0, "result": []}' in text
    with pytest.raises(FetchError, match=r"path 'stat.rate' did not match") as info:
        HTTP_JSON.parse_http_json(
            b'{"data": {"rows": [{"stat": {"month": "2021-01"}}]}}',
            {**HJ, "filter": {}},
            indicator="d",
            origin="u",
        )
    assert info.value.where == "u record [0]"


def test_http_json_empty_and_truncated() -> None:
    with pytest.raises(FetchError, match=r"the series is empty"):
        HTTP_JSON.parse_http_json(b'{"data": {"rows": []}}', HJ, indicator="d", origin="u")
    with pytest.raises(FetchError, match=r"cut off"):
        HTTP_JSON.parse_http_json(API[:60], HJ, indicator="d", origin="u")


# -- worldbank ----------------------------------------------------------------------------

WB = plugin("source_worldbank")


def test_worldbank_pages_with_string_counts_and_nulls_skipped() -> None:
    first = WB.parse_worldbank_page(payload("worldbank_gdp_page1.json"), indicator="g", origin="u")
    second = WB.parse_worldbank_page(payload("worldbank_gdp_page2.json"), indicator="g", origin="u")
    assert (first.page, first.pages, second.page, second.pages) == (1, 2, 2, 2)
    assert "2024" not in values(first.readings)  # null value skipped
    assert values(first.readings)["2023"] == pytest.approx(5.249, abs=1e-3)
    assert len(first.readings) + len(second.readings) == 8


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("worldbank_monthly.json", ["2023-04", "2023-03", "2023-02"]),
        ("worldbank_quarterly.json", ["2023-Q3", "2023-Q2", "2023-Q1"]),
    ],
)
def test_worldbank_sub_annual_dates(name: str, keys: list[str]) -> None:
    page = WB.parse_worldbank_page(payload(name), indicator="g", origin="u")
    assert [r.period.key for r in page.readings] == keys


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("worldbank_error.json", "World Bank API error: 120 Invalid value: The provided"),
        ("worldbank_xml_error.xml", "World Bank API error: The indicator was not found"),
        ("worldbank_wrong_shape.json", r"expected \[page information, records\]"),
        ("worldbank_truncated.json", "cut off"),
    ],
)
def test_worldbank_faults(name: str, match: str) -> None:
    with pytest.raises(FetchError, match=match) as info:
        WB.parse_worldbank_page(payload(name), indicator="g", origin="http://h/v2")
    assert info.value.where == "http://h/v2"


def test_worldbank_no_data_page_is_empty() -> None:
    page = WB.parse_worldbank_page(payload("worldbank_empty.json"), indicator="g", origin="u")
    assert (page.readings, page.pages) == ([], 0)


def test_worldbank_query_keeps_the_urls_own_parameters() -> None:
    base, params = WB.page_params(
        "https://h/v2/country/CHN/indicator/X?source=2", {"per_page": 100, "date": "2010:2023"}, 3
    )
    assert base == "https://h/v2/country/CHN/indicator/X"
    assert params == {
        "source": "2",
        "format": "json",
        "per_page": "100",
        "page": "3",
        "date": "2010:2023",
    }


# -- sdmx_json ----------------------------------------------------------------------------

SDMX = plugin("source_sdmx_json")


def test_sdmx_series_picked_by_dimension_code_with_statuses() -> None:
    readings = SDMX.parse_sdmx_json(
        payload("sdmx_gdp_growth.json"),
        {"series": {"REF_AREA": "CHN"}},
        indicator="g",
        origin="http://h/data",
    )
    assert values(readings) == {
        "2022-Q4": 2.9,
        "2023-Q1": 4.5,
        "2023-Q2": 6.3,
        "2023-Q3": 4.9,
        "2023-Q4": 5.2,
    }
    statuses = {r.period.key: r.status for r in readings}
    assert statuses["2023-Q3"] is ObservationStatus.ESTIMATED
    assert statuses["2023-Q4"] is ObservationStatus.PROVISIONAL
    assert statuses["2023-Q1"] is ObservationStatus.NORMAL
    assert {r.origin for r in readings} == {"http://h/data"}


def test_sdmx_missing_status_drops_the_value() -> None:
    readings = SDMX.parse_sdmx_json(
        payload("sdmx_gdp_growth.json"), {"series": {"REF_AREA": "USA"}}, indicator="g", origin="u"
    )
    missing = [r for r in readings if r.period.key == "2023-Q2"]
    assert missing[0].value is None and missing[0].status is ObservationStatus.MISSING


def test_sdmx_unit_mult_and_decimals() -> None:
    data = payload("sdmx_gdp_level_unitmult.json")
    in_millions = SDMX.parse_sdmx_json(data, {"unit_mult": 6}, indicator="g", origin="u")
    # DECIMALS = 1 is a display hint: the value is kept as sent (29012345.6700001)
    assert values(in_millions) == {
        "2021": 29012345.6700001,
        "2022": 29900000.0,
        "2023": 31234567.89,
    }
    in_yi = SDMX.parse_sdmx_json(data, {"unit_mult": 8}, indicator="g", origin="u")
    assert values(in_yi)["2021"] == 290123.456700001  # 29012345.6700001 / 100, exactly
    base = SDMX.parse_sdmx_json(data, {}, indicator="g", origin="u")
    assert values(base)["2022"] == 29.9e12


def test_sdmx_flat_all_dimensions_form() -> None:
    readings = SDMX.parse_sdmx_json(
        payload("sdmx_flat_alldimensions.json"), {}, indicator="i", origin="u"
    )
    assert values(readings) == {"2024-01": 1.5, "2024-02": 0.2, "2024-03": 0.7}
    assert readings[1].status is ObservationStatus.ESTIMATED


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("sdmx_gdp_growth.json", {}, "2 series match .* name REF_AREA in `series`"),
        (
            "sdmx_gdp_growth.json",
            {"series": {"REF_AREA": "JPN"}},
            "no series matches .* REF_AREA: CHN, USA",
        ),
        (
            "sdmx_gdp_growth.json",
            {"series": {"AREA": "CHN"}},
            r"dimension\(s\) \['AREA'\] that the message does not have",
        ),
        ("sdmx_empty_series.json", {"series": {"REF_AREA": "CHN"}}, "the series is empty"),
        ("sdmx_error.json", {}, "SDMX service error: 404 NoResultsFound"),
        ("sdmx_wrong_shape.json", {}, "path 'data.dataSets' did not match"),
    ],
)
def test_sdmx_faults(name: str, options: dict[str, Any], match: str) -> None:
    with pytest.raises(FetchError, match=match):
        SDMX.parse_sdmx_json(payload(name), options, indicator="g", origin="u")


# -- nbs ----------------------------------------------------------------------------------

NBS = plugin("source_nbs")


def test_nbs_hasdata_false_is_missing_never_zero() -> None:
    readings = NBS.parse_nbs(
        payload("nbs_cpi_monthly.json"), {"code": "A01010102"}, indicator="food_cpi", origin="u"
    )
    assert values(readings) == {"2023-12": 96.3, "2023-11": 95.8, "2023-10": 95.6, "2023-09": None}
    assert readings[3].status is ObservationStatus.MISSING


def test_nbs_index_to_growth() -> None:
    readings = NBS.parse_nbs(
        payload("nbs_cpi_monthly.json"),
        {"code": "A01010101", "index_to_growth": True},
        indicator="cpi",
        origin="u",
    )
    assert values(readings) == {"2023-12": -0.3, "2023-11": -0.5, "2023-10": -0.2, "2023-09": 0.0}


def test_nbs_regions_and_quarters() -> None:
    data = payload("nbs_gdp_regional_quarterly.json")
    readings = NBS.parse_nbs(
        data, {"code": "A010301", "region": "140000"}, indicator="g", origin="u"
    )
    assert values(readings) == {"2023-Q4": 5.0, "2023-Q3": 4.6, "2023-Q2": 4.9, "2023-Q1": 4.2}
    with pytest.raises(FetchError, match=r"several regions \(110000, 140000\); set `region`"):
        NBS.parse_nbs(data, {"code": "A010301"}, indicator="g", origin="u")


@pytest.mark.parametrize(
    ("name", "code", "match"),
    [
        (
            "nbs_cpi_monthly.json",
            "A0101",
            r"no indicator 'A0101' in the reply; it has: A01010101 居民消费价格指数\(上年同月=100\)",
        ),
        ("nbs_error.json", "A01", "NBS returncode 501: 参数错误"),
        ("nbs_wrong_shape.json", "A01", "path 'returndata.datanodes' did not match"),
        ("nbs_empty.json", "A01", "the series is empty"),
    ],
)
def test_nbs_faults(name: str, code: str, match: str) -> None:
    with pytest.raises(FetchError, match=match):
        NBS.parse_nbs(payload(name), {"code": code}, indicator="g", origin="u")


# -- prometheus ---------------------------------------------------------------------------

PROM = plugin("source_prometheus")


def test_prometheus_range_string_values_and_nan_gaps() -> None:
    readings = PROM.parse_prometheus_range(
        payload("prometheus_query_range.json"), {}, indicator="aqi", origin="u"
    )
    assert [r.value for r in readings] == [42.0, 45.0, 51.5, 48.0]
    assert readings[0].period.key == "2023-11-14T22:13:20Z"


def test_prometheus_range_labels_pick_a_series() -> None:
    data = payload("prometheus_query_range_multi.json")
    with pytest.raises(FetchError, match=r"returned 2 series .*pick one with `labels`"):
        PROM.parse_prometheus_range(data, {}, indicator="aqi", origin="u")
    readings = PROM.parse_prometheus_range(
        data, {"labels": {"station": "信义镇"}}, indicator="aqi", origin="u"
    )
    assert [r.value for r in readings] == [61.0, 63.0]


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("prometheus_empty.json", "no series: the series is empty"),
        ("prometheus_error.json", "Prometheus error bad_data: invalid parameter"),
        ("prometheus_wrong_shape.json", "expected a matrix result"),
    ],
)
def test_prometheus_range_faults(name: str, match: str) -> None:
    with pytest.raises(FetchError, match=match):
        PROM.parse_prometheus_range(payload(name), {}, indicator="aqi", origin="u")


NOW = datetime(2024, 1, 1, tzinfo=UTC)


def test_prometheus_exposition_sample_with_labels_and_timestamp() -> None:
    (r,) = PROM.parse_exposition(
        payload("prometheus_metrics.txt"),
        {"metric": "lishi_air_aqi", "labels": {"station": "离石区环保局"}},
        indicator="aqi",
        origin="http://h/metrics",
        now=NOW,
    )
    assert r.value == 42.0 and r.period.key == "2023-11-14T22:13:20Z"
    (r,) = PROM.parse_exposition(
        payload("prometheus_metrics.txt"),
        {"metric": "lishi_requests_handled_total"},
        indicator="d",
        origin="u",
        now=NOW,
    )
    assert r.value == 1581.0 and r.period.key == "2024-01-01T00:00:00Z"  # no timestamp: now


def test_prometheus_exposition_faults() -> None:
    data = payload("prometheus_metrics.txt")
    with pytest.raises(FetchError, match=r"3 lishi_air_aqi samples match"):
        PROM.parse_exposition(data, {"metric": "lishi_air_aqi"}, indicator="a", origin="u", now=NOW)
    with pytest.raises(FetchError, match=r"no metric 'aqi' on the page; it has: http_request"):
        PROM.parse_exposition(data, {"metric": "aqi"}, indicator="a", origin="u", now=NOW)
    with pytest.raises(FetchError, match=r"label .a. has no quoted value: x{a=1} 2") as info:
        PROM.parse_exposition(
            b"# TYPE x gauge\nx{a=1} 2\n", {"metric": "x"}, indicator="a", origin="u", now=NOW
        )
    assert info.value.where == "u:2"


def test_prometheus_range_refuses_too_many_points() -> None:
    from datetime import timedelta

    with pytest.raises(FetchError, match=r"11000"):
        PROM.range_params("up", NOW, timedelta(days=60), timedelta(seconds=15))
    params = PROM.range_params("up", NOW, timedelta(hours=1), timedelta(minutes=5))
    assert params["step"] == "300" and float(params["end"]) - float(params["start"]) == 3600
