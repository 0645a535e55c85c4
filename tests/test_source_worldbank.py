"""The worldbank source's error when every page together gives no reading.

It names the option that left nothing and what the reply held. Names and counts are
read by hand off the replies under tests/data/payloads (see the README there); the
comment beside each says where.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.sources.api import FetchContext, FetchError, HttpResult
from tests.test_source_formats import payload, plugin

WB = plugin("source_worldbank")
URL = "http://h/v2/country/all/indicator/NY.GDP.MKTP.CD"


class Replies:
    """Answers every request with one payload."""

    def __init__(self, name: str) -> None:
        self.body = payload(name)

    async def get(self, url: str, **_: Any) -> HttpResult:
        return HttpResult(url, 200, self.body, {})


async def fetch_error(name: str, **options: Any) -> FetchError:
    ctx = FetchContext(
        "wb",
        {"url": URL, **options},
        ("g",),
        Replies(name),
        datetime(2026, 1, 1, tzinfo=UTC),
        Path("."),
        Path("."),
    )
    with pytest.raises(FetchError) as info:
        await WB.fetch(ctx)
    return info.value


async def test_a_country_not_in_the_reply_is_named_with_the_countries_there() -> None:
    # worldbank_mex_gdp_recorded.json: four records, MEX/MX Mexico (2025, 2024),
    # EMU/XC Euro area (2025, null) and XX Not classified (2025, no countryiso3code)
    error = await fetch_error("worldbank_mex_gdp_recorded.json", country="CHN")
    assert error.message == (
        "no record is of country = 'CHN' (matched on the ISO3 or ISO2 code); the reply's "
        "4 record(s) are of MEX/MX (Mexico), EMU/XC (Euro area), XX (Not classified): "
        "the series is empty"
    )
    assert error.where == URL


def test_a_country_missing_from_a_long_page_shows_the_first_few() -> None:
    # worldbank_population_2016_page5_recorded.json: 48 records, ISO2 codes only, from
    # SL Sierra Leone, SG Singapore, SX Sint Maarten (Dutch part), SK Slovak Republic,
    # SI Slovenia, SB Solomon Islands, SO Somalia, ZA South Africa, ... (one each)
    # (page 5 of 5, so read on its own: fetch would ask for pages 1-4 first)
    page = WB.parse_worldbank_page(
        payload("worldbank_population_2016_page5_recorded.json"),
        indicator="p",
        origin="u",
        country="CN",
    )
    message = WB.nothing_read([page], {"country": "CN"})
    assert message.startswith("no record is of country = 'CN'")
    assert "the reply's 48 record(s) are of SL (Sierra Leone), SG (Singapore), " in message
    assert "ZA (South Africa) and 40 more: the series is empty" in message


async def test_a_country_whose_values_are_all_null_says_so() -> None:
    # worldbank_mex_gdp_recorded.json: the Euro area's only record, 2025, "value": null
    error = await fetch_error("worldbank_mex_gdp_recorded.json", country="EMU", date="2025")
    assert error.message == (
        "every value of the 1 record(s) of country = 'EMU' for date = '2025' is null or "
        "flagged as no figure: the series is empty"
    )


async def test_a_reply_without_records_names_the_date_asked_for() -> None:
    # worldbank_empty.json (made here): "total": 0 and null for the records
    error = await fetch_error("worldbank_empty.json", date="2030")
    assert error.message.startswith("the reply has no records for date = '2030'")
