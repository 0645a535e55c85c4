"""Parsers on replies recorded from the publishers' own services (not made here).

Every payload is listed with its provenance in tests/data/payloads/README.md. Expected
figures are read off the payload by hand; each test says where in the payload.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lishi_tui.domain.model import ObservationStatus, Reading
from lishi_tui.sources.api import FetchError
from tests.support.httpserver import LocalHTTPServer
from tests.test_source_e2e import cli, shown, write_config
from tests.test_source_formats import payload, plugin, values

NBS = plugin("source_nbs")
CSV = plugin("source_csv")
WB = plugin("source_worldbank")

INDUSTRIAL = "nbs_industrial_yoy_2024_recorded.json"


# -- NBS easyquery (data.stats.gov.cn), recorded by songjian/cnstats' VCR cassettes --------


def test_nbs_recorded_monthly_reply_keeps_the_unpublished_months_as_missing() -> None:
    # hgyd A020101 规上工业增加值_同比增长 (unit "%"), sj 2024: datanodes[0] 202412 6.2,
    # [1] 202411 5.4, [2] 202410 5.3, [3] 202409 5.4, [4] 202408 4.5, [5] 202407 5.1,
    # [6] 202406 5.3, [7] 202405 5.6, [8] 202404 6.7, [9] 202403 4.5; [10] 202402 and
    # [11] 202401 are {"data":0.0,"hasdata":false,"strdata":""} (the memo: January and
    # February are surveyed and published together, February is not published alone).
    readings = NBS.parse_nbs(payload(INDUSTRIAL), {"code": "A020101"}, indicator="i", origin="u")
    assert values(readings) == {
        "2024-12": 6.2,
        "2024-11": 5.4,
        "2024-10": 5.3,
        "2024-09": 5.4,
        "2024-08": 4.5,
        "2024-07": 5.1,
        "2024-06": 5.3,
        "2024-05": 5.6,
        "2024-04": 6.7,
        "2024-03": 4.5,
        "2024-02": None,
        "2024-01": None,
    }
    by_key = {r.period.key: r for r in readings}
    assert by_key["2024-02"].status is ObservationStatus.MISSING  # never the reply's 0.0
    assert by_key["2024-12"].status is ObservationStatus.NORMAL


def test_nbs_recorded_money_supply_picks_one_of_six_indicators() -> None:
    # hgyd A0D01, sj 202201: six datanodes, one per indicator. A0D0104 货币(M1)供应量_同比增长
    # is datanodes[3], strdata "-1.9"; A0D0101 (M2 期末值, 亿元) is datanodes[0], 2431022.72.
    content = payload("nbs_money_supply_202201_recorded.json")
    m1 = NBS.parse_nbs(content, {"code": "A0D0104"}, indicator="m1", origin="u")
    assert values(m1) == {"2022-01": -1.9}
    m2 = NBS.parse_nbs(content, {"code": "A0D0101"}, indicator="m2", origin="u")
    assert values(m2) == {"2022-01": 2431022.72}
    # The parent code asked of the service is not an indicator of the reply: the error
    # lists the six with their names and units from wdnodes[0].
    with pytest.raises(
        FetchError, match=r"no indicator 'A0D01'.*A0D0104 货币\(M1\)供应量_同比增长 \(%\)"
    ):
        NBS.parse_nbs(content, {"code": "A0D01"}, indicator="m", origin="u")


def test_nbs_recorded_two_months_two_decimals() -> None:
    # hgyd A0D0101, sj "202112,202201": datanodes[0] 202201 2431022.72, [1] 202112 2382899.56
    readings = NBS.parse_nbs(
        payload("nbs_m2_two_months_recorded.json"), {"code": "A0D0101"}, indicator="m2", origin="u"
    )
    assert values(readings) == {"2022-01": 2431022.72, "2021-12": 2382899.56}


def test_nbs_recorded_regional_reply_without_a_figure() -> None:
    # fsnd (regional annual), wds reg 110000 北京市, A010101 地级区划数 (个), sj 2023: the one
    # datanode zb.A010101_reg.110000_sj.2023 has hasdata false and data 0.0.
    (reading,) = NBS.parse_nbs(
        payload("nbs_fsnd_beijing_nodata_recorded.json"),
        {"code": "A010101", "region": "110000"},
        indicator="n",
        origin="u",
    )
    assert (reading.period.key, reading.value) == ("2023", None)
    assert reading.status is ObservationStatus.MISSING


def test_nbs_recorded_national_reply_to_a_regional_question_is_refused() -> None:
    # The cassette test_stats_with_reg asked hgyd (national monthly) with wds reg 110000; the
    # service answered with the national figure (zb.A020101_sj.202312, 6.8) and no reg codes.
    # Storing it as Beijing's would be a silently wrong figure.
    content = payload("nbs_industrial_yoy_2024_recorded.json")
    with pytest.raises(FetchError, match=r"`region = '110000'` .* no regions .* national"):
        NBS.parse_nbs(content, {"code": "A020101", "region": "110000"}, indicator="i", origin="u")


def test_nbs_recorded_error_reply() -> None:
    # {"returncode":501,"returndata":"对不起，未能找到符合查询条件的信息。"} with HTTP 200
    with pytest.raises(
        FetchError, match="NBS returncode 501: 对不起，未能找到符合查询条件的信息。"
    ):
        NBS.parse_nbs(
            payload("nbs_invalid_code_recorded.json"), {"code": "X"}, indicator="i", origin="u"
        )


def test_nbs_recorded_reply_end_to_end_latest_is_the_newest_published_month(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/easyquery.htm", payload(INDUSTRIAL), content_type="application/json")
    url = http_server.url("/easyquery.htm")
    config = write_config(
        tmp_path,
        f"""
        [indicators.industry_yoy]
        name_zh = "规上工业增加值同比"
        name_en = "Industrial value added yoy"
        unit = "%"
        frequency = "monthly"

        [sources.nbs_industry]
        type = "nbs"
        url = "{url}?m=QueryData&dbcode=hgyd&rowcode=zb&colcode=sj&wds=%5B%5D"
        code = "A020101"
        interval = "1h"
        indicator = "industry_yoy"
        """,
    )
    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    row = shown(config)["industry_yoy"]
    # datanodes[0]: zb.A020101_sj.202412, strdata "6.2"
    assert (row["period"], row["value"], row["obs_status"]) == ("2024-12", 6.2, "normal")
    assert "12 readings" in fetched.stdout  # ten figures and the two unpublished months


# -- World Bank API ------------------------------------------------------------------------


def test_worldbank_recorded_2016_page_with_strings_for_numbers() -> None:
    # pwmurphy89/backTableBankers js/myPOPquery5.js: countries/all/indicators/SP.POP.TOTL,
    # page 5 of 5, "per_page": "50" (a string), total 248, 48 records, every "value" and
    # "decimal" a string and no countryiso3code (the API of 2016).
    page = WB.parse_worldbank_page(
        payload("worldbank_population_2016_page5_recorded.json"), indicator="p", origin="u"
    )
    assert (page.page, page.pages, page.total, len(page.readings)) == (5, 5, 248, 48)
    assert page.readings[0].value == 6315627  # records[0] Sierra Leone "6315627"
    assert page.readings[-1].value == 15245855  # records[47] Zimbabwe "15245855"


@pytest.mark.parametrize(
    ("country", "value"),
    [("GB", 64559135), ("gb", 64559135), ("US", 318857056), ("VN", 90728900)],
)
def test_worldbank_recorded_country_by_iso2_when_the_reply_has_no_iso3(
    country: str, value: int
) -> None:
    # records[36] {"id":"GB","value":"United Kingdom"} "64559135"; records[37] US "318857056";
    # records[42] VN "Vietnam" "90728900"; all "date": "2014"
    page = WB.parse_worldbank_page(
        payload("worldbank_population_2016_page5_recorded.json"),
        indicator="p",
        origin="u",
        country=country,
    )
    assert values(page.readings) == {"2014": value}


def test_worldbank_recorded_mexico_null_and_unclassified_rows() -> None:
    # worldbank_mex_gdp_recorded.json: MEX 2025 1832641364775.52, MEX 2024 1830489311088.89,
    # EMU 2025 null, and "XX" Not classified 2025 5.0 with an empty countryiso3code.
    page = WB.parse_worldbank_page(
        payload("worldbank_mex_gdp_recorded.json"), indicator="g", origin="u", country="MEX"
    )
    assert values(page.readings) == {"2025": 1832641364775.52, "2024": 1830489311088.89}
    everyone = WB.parse_worldbank_page(
        payload("worldbank_mex_gdp_recorded.json"), indicator="g", origin="u"
    )
    assert len(everyone.readings) == 3  # the Euro area's null is no reading


# -- Eurostat bulk download (TSV) ----------------------------------------------------------

EUROSTAT = "eurostat_demo_r_gind3_excerpt.tsv"
KEY = "indic_de,geo\\time"


def eurostat(row: str) -> list[Reading]:
    options = {"layout": "wide", "delimiter": "\t", "filter": {KEY: row}}
    readings: list[Reading] = CSV.parse_csv(
        payload(EUROSTAT), options, indicator="m", origin="demo_r_gind3.tsv"
    )
    return readings


def test_eurostat_tsv_no_figure_marks_and_flags() -> None:
    # Row CNMIGRAT,AL under 2019 … 2000: ": " | "-15027 " | "-14904 " | "-9346 " |
    # "-27007 e" | "-21702 " | "-20684 " | ": " | "-17345 " | ": " | ": " | "-42019 " …
    # the last cell (2000) "-30000 ".
    by_key = {r.period.key: r for r in eurostat("CNMIGRAT,AL")}
    assert len(by_key) == 20
    assert by_key["2019"].value is None and by_key["2019"].status is ObservationStatus.MISSING
    assert by_key["2018"].value == -15027
    assert (by_key["2015"].value, by_key["2015"].status) == (-27007, ObservationStatus.ESTIMATED)
    assert by_key["2012"].value is None and by_key["2010"].value is None
    assert by_key["2000"].value == -30000
    # Row CNMIGRAT,BE: 2012 "43110 b" and 2011 "69799 b" are breaks in the series.
    be = {r.period.key: r for r in eurostat("CNMIGRAT,BE")}
    assert (be["2012"].value, be["2012"].status) == (43110, ObservationStatus.BREAK)
    assert (be["2011"].value, be["2011"].status) == (69799, ObservationStatus.BREAK)
    assert be["2013"].status is ObservationStatus.NORMAL and be["2013"].value == 26594


def test_eurostat_tsv_row_not_there_lists_the_rows() -> None:
    with pytest.raises(FetchError, match=r"0 rows match .*'CNMIGRAT,AL0', 'CNMIGRAT,AT'"):
        eurostat("CNMIGRAT,FR")


def test_eurostat_tsv_end_to_end_latest_skips_the_unpublished_year(
    tmp_path: Path,
) -> None:
    (tmp_path / "demo_r_gind3.tsv").write_bytes(payload(EUROSTAT))
    config = write_config(
        tmp_path,
        """
        [indicators.at_net_migration]
        name_zh = "奥地利净迁移"
        name_en = "Net migration, Austria"
        frequency = "yearly"

        [sources.eurostat_at]
        type = "csv"
        path = "demo_r_gind3.tsv"
        delimiter = "\\t"
        layout = "wide"
        filter = { "indic_de,geo\\\\time" = "CNMIGRAT,AT" }
        interval = "1d"
        indicator = "at_net_migration"
        """,
    )
    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    row = shown(config)["at_net_migration"]
    # CNMIGRAT,AT: 2019 ": " (not yet published), 2018 "34948 "
    assert (row["period"], row["value"], row["obs_status"]) == ("2018", 34948, "normal")
