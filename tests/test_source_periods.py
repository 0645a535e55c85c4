"""Period spellings of ONS, BLS, StatCan and Eurostat, and series that stack several kinds.

Every spelling is tested accepted and, for its near misses, refused with a located error.
Expected figures are read by hand off the payloads under tests/data/payloads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lishi_tui.domain.periods import PeriodError
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.parsing import join_year_period, parse_period
from tests.support.bundled import fetch_published, load_bundled
from tests.test_source_e2e import cli, shown, write_config
from tests.test_source_formats import payload, plugin, values

CSV = plugin("source_csv")
HTTP_JSON = plugin("source_http_json")


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("2024 JAN", "2024-01"),  # ONS time-series downloads
        ("2023 SEP", "2023-09"),
        ("2024 jan", "2024-01"),
        ("2024 September", "2024-09"),
        ("2024 Q1", "2024-Q1"),  # ONS quarters
        ("2024-01", "2024-01"),  # StatCan REF_DATE, Eurostat SDMX-CSV TIME_PERIOD
        ("2024-Q1", "2024-Q1"),  # Eurostat / SDMX
        ("2024M01", "2024-01"),  # Eurostat's older bulk files
        ("2024-M01", "2024-01"),
        ("2024", "2024"),
    ],
)
def test_publishers_period_spellings_are_read(spelling: str, key: str) -> None:
    assert parse_period(spelling).key == key


@pytest.mark.parametrize(
    ("spelling", "match"),
    [
        ("2024 SEPT", r"'2024 SEPT'.*JAN … DEC or in full"),
        ("2024 JANU", r"'2024 JANU'.*JAN … DEC"),
        ("2024 M", r"'2024 M'"),
        ("JAN 2024", r"JAN 2024"),
        ("2024M13", r"month must be 1-12"),
        ("2024-13", r"month must be 1-12"),
        ("2024-Q5", r"not a period: '2024-Q5'"),
        ("M01", r"BLS period code without its year.*year_column"),
        ("M13", r"BLS period code without its year"),
    ],
)
def test_near_misses_are_refused(spelling: str, match: str) -> None:
    with pytest.raises(PeriodError, match=match):
        parse_period(spelling)


@pytest.mark.parametrize(
    ("year", "code", "key"),
    [
        ("2024", "M01", "2024-01"),
        ("2024", "M12", "2024-12"),
        ("2024", "M13", "2024"),  # BLS's annual average is the year
        ("2024", "A01", "2024"),
        ("2024", "Q01", "2024-Q1"),
        ("2024", "Q04", "2024-Q4"),
        ("2024", "S01", "2024-S1"),
        ("2024", "S02", "2024-S2"),
        (2024, " m05 ", "2024-05"),
    ],
)
def test_bls_year_and_period_code(year: object, code: str, key: str) -> None:
    assert join_year_period(year, code).key == key


@pytest.mark.parametrize(
    ("year", "code", "match"),
    [
        ("2024", "M00", "M00 with year 2024"),
        ("2024", "M14", "M14 with year 2024"),
        ("2024", "Q05", "Q05"),
        ("2024", "S03", "S03"),
        ("2024", "A02", "A02"),
        ("2024", "2024-01", "2024-01"),
        ("2024", "", "with year 2024"),
        ("24", "M01", "not a year: 24"),
        ("2024.0", "M01", "not a year"),
    ],
)
def test_bls_codes_that_are_not_periods_are_refused(year: str, code: str, match: str) -> None:
    with pytest.raises(PeriodError, match=match):
        join_year_period(year, code)


# -- ONS time-series download ------------------------------------------------------------

ONS = "ons_d7g7_cpi_annual_rate_excerpt.csv"
ONS_OPTIONS = {"header_rows": 0, "period_column": 0, "value_column": 1}


def ons(**extra: object) -> dict[str, float | None]:
    readings = CSV.parse_csv(payload(ONS), ONS_OPTIONS | extra, indicator="cpi", origin="d7g7.csv")
    return values(readings)


def test_ons_download_one_frequency_at_a_time() -> None:
    # lines 22-34: "2023 JAN","10.1" … "2023 SEP","6.7" … "2024 JAN","4.0"
    months = ons(frequency="month")
    assert len(months) == 13
    assert (months["2023-01"], months["2023-09"], months["2024-01"]) == (10.1, 6.7, 4.0)
    # lines 14-21: "2022 Q1","6.2" … "2023 Q4","4.2"
    quarters = ons(frequency="quarter")
    assert list(quarters) == [f"{y}-Q{q}" for y in (2022, 2023) for q in (1, 2, 3, 4)]
    assert (quarters["2022-Q4"], quarters["2023-Q4"]) == (10.7, 4.2)
    # lines 9-13: "2019","1.8" … "2023","7.3"; the indicator's word works too
    assert ons(frequency="yearly") == {
        "2019": 1.8,
        "2020": 0.9,
        "2021": 2.6,
        "2022": 9.1,
        "2023": 7.3,
    }


def test_ons_download_without_frequency_is_refused_naming_the_kinds() -> None:
    with pytest.raises(
        FetchError, match=r"3 kinds \(year: 2019, 2020, 2021, …; quarter: .*frequency"
    ):
        ons()
    with pytest.raises(FetchError, match=r"frequency = 'week': no week periods; the periods are"):
        ons(frequency="week")


def test_ons_mistyped_month_is_refused_at_its_line() -> None:
    text = payload(ONS).decode().replace('"2023 SEP"', '"2023 SEPT"')
    with pytest.raises(FetchError, match=r"'2023 SEPT'") as caught:
        CSV.parse_csv(
            text.encode(), ONS_OPTIONS | {"frequency": "month"}, indicator="c", origin="d7g7.csv"
        )
    assert caught.value.where == "d7g7.csv:30"


def test_ons_download_end_to_end_latest_month(tmp_path: Path) -> None:
    (tmp_path / "d7g7.csv").write_bytes(payload(ONS))
    config = write_config(
        tmp_path,
        """
        [indicators.uk_cpi_rate]
        name_zh = "英国CPI同比"
        name_en = "UK CPI annual rate"
        unit = "%"
        frequency = "monthly"

        [sources.ons_d7g7]
        type = "csv"
        path = "d7g7.csv"
        header_rows = 0
        period_column = 0
        value_column = 1
        frequency = "month"
        interval = "1d"
        indicator = "uk_cpi_rate"
        """,
    )
    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    row = shown(config)["uk_cpi_rate"]
    # last line: "2024 JAN","4.0"; the annual 2023 row ("7.3") is not taken for the latest
    assert (row["period"], row["value"]) == ("2024-01", 4.0)


# -- BLS: the API (http_json) and flat files (csv) -------------------------------------

BLS = {"records": "Results.series.0.data", "year": "year", "period": "period", "value": "value"}


def bls(name: str, **extra: object) -> dict[str, float | None]:
    readings = HTTP_JSON.parse_http_json(
        payload(name), BLS | extra, indicator="cpi_u", origin="api.test"
    )
    return values(readings)


def test_bls_api_reply_year_and_period_fields() -> None:
    got = bls("bls_cpi_u_2022_2024_recorded.json")
    # 29 records, newest first: 2024 M05 "314.069" … 2022 M01 "281.148"
    assert len(got) == 29
    assert (got["2024-05"], got["2023-12"], got["2022-01"]) == (314.069, 306.746, 281.148)
    assert got["2023-02"] == 300.84  # "300.840"


def test_bls_api_annual_average_is_the_year() -> None:
    # the one record: year "2024", period "M13", periodName "Annual", value "313.689"
    assert bls("bls_cpi_u_2024_annual_average_recorded.json") == {"2024": 313.689}


def test_bls_api_months_with_their_annual_average_need_frequency() -> None:
    # an annualaverage=true reply carries M13 among the months: the two replies' records
    # in one list
    months = json.loads(payload("bls_cpi_u_2022_2024_recorded.json"))
    annual = json.loads(payload("bls_cpi_u_2024_annual_average_recorded.json"))
    months["Results"]["series"][0]["data"].insert(0, annual["Results"]["series"][0]["data"][0])
    body = json.dumps(months).encode()
    with pytest.raises(FetchError, match=r"2 kinds \(year: 2024; month: 2024-05, "):
        HTTP_JSON.parse_http_json(body, BLS, indicator="c", origin="api.test")
    kept = HTTP_JSON.parse_http_json(body, BLS | {"frequency": "month"}, indicator="c", origin="x")
    assert len(kept) == 29 and values(kept)["2024-05"] == 314.069
    annual_only = HTTP_JSON.parse_http_json(
        body, BLS | {"frequency": "year"}, indicator="c", origin="x"
    )
    assert values(annual_only) == {"2024": 313.689}


def test_bls_api_period_code_without_year_path_says_so() -> None:
    options = {k: v for k, v in BLS.items() if k != "year"}
    with pytest.raises(FetchError, match=r"'M05' is a BLS period code without its year") as caught:
        HTTP_JSON.parse_http_json(
            payload("bls_cpi_u_2022_2024_recorded.json"), options, indicator="c", origin="api.test"
        )
    assert caught.value.where == "api.test record [0]"


def test_http_json_mixed_kinds_are_refused() -> None:
    body = json.dumps(
        [{"t": "2024", "v": 1.0}, {"t": "2024-01", "v": 2.0}, {"t": "2024-02", "v": 3.0}]
    ).encode()
    options = {"period": "t", "value": "v"}
    with pytest.raises(FetchError, match=r"2 kinds \(year: 2024; month: 2024-01, 2024-02\)"):
        HTTP_JSON.parse_http_json(body, options, indicator="c", origin="api.test")
    monthly = HTTP_JSON.parse_http_json(
        body, options | {"frequency": "monthly"}, indicator="c", origin="api.test"
    )
    assert values(monthly) == {"2024-01": 2.0, "2024-02": 3.0}


FLAT = {
    "delimiter": "\t",
    "filter": {"series_id": "CUUR0000SA0"},  # the padded header and cells match trimmed
    "year_column": "year",
    "period_column": "period",
    "value_column": "value",
}


def test_bls_flat_file_year_and_period_columns() -> None:
    content = payload("bls_cu_flat_derived.txt")
    # rows 2023 M10 "307.671" … 2024 M05 "314.069", then 2024 M13 "313.689"
    with pytest.raises(FetchError, match=r"2 kinds \(month: 2023-10, .*; year: 2024\)"):
        CSV.parse_csv(content, FLAT, indicator="c", origin="cu.data.txt")
    months = values(
        CSV.parse_csv(content, FLAT | {"frequency": "month"}, indicator="c", origin="x")
    )
    assert list(months) == ["2023-10", "2023-11", "2023-12"] + [f"2024-0{m}" for m in range(1, 6)]
    assert (months["2023-10"], months["2024-05"]) == (307.671, 314.069)
    year = CSV.parse_csv(content, FLAT | {"frequency": "year"}, indicator="c", origin="x")
    assert values(year) == {"2024": 313.689}


def test_bls_flat_file_bad_code_is_refused_at_its_line() -> None:
    text = payload("bls_cu_flat_derived.txt").decode().replace("\tM11\t", "\tM14\t")
    with pytest.raises(FetchError, match=r"M14 with year 2023") as caught:
        CSV.parse_csv(text.encode(), FLAT, indicator="c", origin="cu.data.txt")
    assert caught.value.where == "cu.data.txt:3"


# -- published figures -----------------------------------------------------------------

PUBLISHED = """
[document]
title = "某区统计公报"

[[figures]]
indicator = "retail_sales"
period = "2021"
value = 45.6

[[figures]]
indicator = "retail_sales"
period = "2021-10"
value = 38.74

[[figures]]
indicator = "requests_done"
period = "2021-10"
value = 88.47
"""


def test_published_file_with_a_year_among_an_indicators_months_is_refused(
    tmp_path: Path,
) -> None:
    registry = load_bundled("published")
    (tmp_path / "figs.toml").write_text(PUBLISHED, encoding="utf-8")
    with pytest.raises(FetchError, match=r"2 kinds \(year: 2021; month: 2021-10\)") as caught:
        fetch_published(registry, "figs.toml", "report", indicators=(), base_dir=tmp_path)
    assert caught.value.where == "figs.toml indicator 'retail_sales'"
    # one kind per indicator: read (another indicator's month is no mix)
    fine = PUBLISHED.replace('period = "2021"\n', 'period = "2021-09"\n')
    (tmp_path / "figs.toml").write_text(fine, encoding="utf-8")
    readings = fetch_published(registry, "figs.toml", "report", indicators=(), base_dir=tmp_path)
    assert sorted((r.indicator, r.period.key, r.value) for r in readings) == [
        ("requests_done", "2021-10", 88.47),
        ("retail_sales", "2021-09", 45.6),
        ("retail_sales", "2021-10", 38.74),
    ]
