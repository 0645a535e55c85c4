"""Observation status carried from each source type onto the reading (and so to `show --json`)."""

from __future__ import annotations

import json

from lishi_tui.domain.model import ObservationStatus
from lishi_tui.sources.parsing import parse_quantity
from tests.test_source_formats import payload, plugin

WB = plugin("source_worldbank")
NBS = plugin("source_nbs")
CSV = plugin("source_csv")


def test_worldbank_obs_status_letters() -> None:
    document = json.loads(payload("worldbank_gdp_page1.json"))
    records = [r for r in document[1] if r["value"] is not None]
    records[0]["obs_status"] = "E"
    records[1]["obs_status"] = "F"
    records[2]["obs_status"] = ""
    page = WB.parse_worldbank_page(json.dumps(document).encode(), indicator="g", origin="u")
    status = {r.period.key: r.status for r in page.readings}
    assert status[records[0]["date"]] is ObservationStatus.ESTIMATED
    assert status[records[1]["date"]] is ObservationStatus.ESTIMATED  # forecast
    assert status[records[2]["date"]] is ObservationStatus.NORMAL
    note = {r.period.key: r.note for r in page.readings}
    assert note[records[0]["date"]] == "obs_status E"


def test_nbs_strdata_mark_is_provisional() -> None:
    document = json.loads(payload("nbs_cpi_monthly.json"))
    node = document["returndata"]["datanodes"][0]  # zb A01010101, sj 202312, strdata "99.7"
    node["data"]["strdata"] = node["data"]["strdata"] + "（初步）"
    readings = NBS.parse_nbs(
        json.dumps(document, ensure_ascii=False).encode(),
        {"code": "A01010101"},
        indicator="cpi",
        origin="u",
    )
    by_period = {r.period.key: r for r in readings}
    assert by_period["2023-12"].value == 99.7
    assert by_period["2023-12"].status is ObservationStatus.PROVISIONAL
    assert by_period["2023-11"].status is ObservationStatus.NORMAL


def test_table_cell_flags() -> None:
    assert parse_quantity("12.3 p").status is ObservationStatus.PROVISIONAL
    assert parse_quantity("8.1(预计)").status is ObservationStatus.ESTIMATED
    assert parse_quantity("0.4 b").status is ObservationStatus.BREAK
    assert parse_quantity("1.2e3").value == 1200.0  # an exponent is not an "e" flag
    text = (
        payload("retail_long_gb18030.csv").decode("gb18030").replace('"612,330.2"', '"612,330.2 p"')
    )
    options = {"period_column": "月份", "value_column": "社会消费品零售总额(万元)"}
    readings = CSV.parse_csv(text.encode("gb18030"), options, indicator="r", origin="r.csv")
    newest = readings[-1]
    assert newest.value == 612330.2 and newest.status is ObservationStatus.PROVISIONAL


def test_worldbank_recorded_reply_mexico_gdp() -> None:
    # worldbank_mex_gdp_recorded.json: MEX 2025 1832641364775.52, 2024 1830489311088.89;
    # the Euro area's 2025 is null and "Not classified" has no ISO3 code
    page = WB.parse_worldbank_page(
        payload("worldbank_mex_gdp_recorded.json"), indicator="g", origin="u", country="MEX"
    )
    assert {r.period.key: r.value for r in page.readings} == {
        "2025": 1832641364775.52,
        "2024": 1830489311088.89,
    }
    assert (page.page, page.pages, page.total) == (1, 1, 4)
    euro = WB.parse_worldbank_page(
        payload("worldbank_mex_gdp_recorded.json"), indicator="g", origin="u", country="EMU"
    )
    assert euro.readings == []  # null is no figure, never zero


def test_worldbank_recorded_error_reply() -> None:
    import pytest

    from lishi_tui.sources.api import FetchError

    with pytest.raises(FetchError, match="World Bank API error: 120 Invalid value: The provided"):
        WB.parse_worldbank_page(
            payload("worldbank_invalid_value_recorded.json"), indicator="g", origin="u"
        )


async def test_worldbank_several_countries_names_them() -> None:
    from datetime import UTC, datetime
    from pathlib import Path

    import pytest

    from lishi_tui.sources.api import FetchContext, FetchError, HttpResult

    class Fixed:
        async def get(self, url: str, **_: object) -> HttpResult:
            body = json.loads(payload("worldbank_mex_gdp_recorded.json"))
            body[1][1]["country"] = {"id": "CL", "value": "Chile"}  # a second country, 2024
            body[1][1]["countryiso3code"] = "CHL"
            body[1][1]["date"] = "2025"
            return HttpResult(url, 200, json.dumps(body).encode(), {})

    ctx = FetchContext(
        "wb",
        {"url": "http://h/v2/country/MEX;CHL/indicator/NY.GDP.MKTP.CD"},
        ("g",),
        Fixed(),
        datetime(2026, 1, 1, tzinfo=UTC),
        Path("."),
        Path("."),
    )
    with pytest.raises(FetchError, match=r"several countries \(CHL, MEX\); set `country`"):
        await WB.fetch(ctx)


def test_http_json_keeps_flags_and_scales_in_decimal() -> None:
    # made here: two records as a JSON API sends them, a flag after one figure
    http_json = plugin("source_http_json")
    body = json.dumps(
        {"rows": [{"m": "2021-09", "v": "0.07"}, {"m": "2021-10", "v": "12.3（初步）"}]},
        ensure_ascii=False,
    ).encode()
    options = {"records": "rows", "period": "m", "value": "v", "scale": 100}
    readings = http_json.parse_http_json(body, options, indicator="r", origin="u")
    by_period = {r.period.key: r for r in readings}
    assert by_period["2021-09"].value == 7.0  # not 7.000000000000001
    assert by_period["2021-10"].value == 1230.0
    assert by_period["2021-10"].status is ObservationStatus.PROVISIONAL
    assert by_period["2021-09"].status is ObservationStatus.NORMAL
