"""The sdmx_json source type on publishers' own replies: every layout, repeated keys, units, statuses.

Expected figures are read by hand off the payloads under tests/data/payloads (see the
README there for where each came from); the comment beside each says where.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lishi_tui.domain.model import ObservationStatus
from lishi_tui.sources.api import FetchError
from tests.test_source_formats import payload, plugin, values

SDMX = plugin("source_sdmx_json")


def read(name: str, series: dict[str, str] | None = None, **options: Any) -> Any:
    return SDMX.parse_sdmx_json(
        payload(name), {"series": series or {}, **options}, indicator="x", origin="u"
    )


# -- flat (AllDimensions) messages: every dimension decoded, `series` selects ------------


def test_flat_ecb_exchange_rates_pick_the_currency_asked_for() -> None:
    # structure.dimensions.observation = [CURRENCY (NZD, RUB), TIME_PERIOD]; keys "0:t" are
    # NZD: "0:0": 1.5931, "0:1": 1.5925. Before the fix the RUB rates (1:t) won.
    nzd = read("sdmx_ecb_exr_flat.json", {"CURRENCY": "NZD"})
    assert values(nzd) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}
    rub = read("sdmx_ecb_exr_flat.json", {"CURRENCY": "RUB"})
    assert values(rub) == {"2013-01-18": 40.3426, "2013-01-21": 40.3}


def test_flat_ecb_without_a_choice_names_the_candidates() -> None:
    with pytest.raises(
        FetchError, match=r"2 series match .*CURRENCY=NZD; CURRENCY=RUB.*name CURRENCY"
    ):
        read("sdmx_ecb_exr_flat.json")


def test_flat_ecb_dataset_level_dimensions_can_be_named() -> None:
    # FREQ = D and EXR_TYPE = SP00 sit under structure.dimensions.dataSet.
    rub = read("sdmx_ecb_exr_flat.json", {"FREQ": "D", "EXR_TYPE": "SP00", "CURRENCY": "RUB"})
    assert values(rub)["2013-01-18"] == 40.3426
    with pytest.raises(FetchError, match="no series matches"):
        read("sdmx_ecb_exr_flat.json", {"FREQ": "M", "CURRENCY": "RUB"})


def test_flat_abs_retail_one_region_one_industry() -> None:
    # ASGC_2010 values ["1" NSW, "4" SA]; IND_R ["41" food, "44" department stores].
    # "1:0:1:0:0:0..3" (SA, department stores) = 80.4, 99.2, 108.2, 106.8.
    sa = read("sdmx_abs_retail_flat.json", {"ASGC_2010": "4", "IND_R": "44"})
    assert values(sa) == {"2014-02": 80.4, "2014-03": 99.2, "2014-04": 108.2, "2014-05": 106.8}
    # "0:0:0:0:0:0..3" (NSW, food) = 2599.8, 2862.7, 2754.1, 2820.7
    nsw = read("sdmx_abs_retail_flat.json", {"ASGC_2010": "1", "IND_R": "41"})
    assert values(nsw) == {
        "2014-02": 2599.8,
        "2014-03": 2862.7,
        "2014-04": 2754.1,
        "2014-05": 2820.7,
    }


def test_flat_abs_one_dimension_short_is_refused_with_the_candidates() -> None:
    with pytest.raises(FetchError, match=r"2 series match .*IND_R=41; IND_R=44.*name IND_R"):
        read("sdmx_abs_retail_flat.json", {"ASGC_2010": "4"})


def test_stat_suite_2_0_flat_with_empty_errors_array() -> None:
    # The reply ends with "errors": [] (normal .Stat Suite output, not an error).
    # REF_AREA index 0 = AE-DU (Dubai), MOVEMENT_TYPE index 0 = ARI (arrivals):
    # "0:0:0:0:0:0:0".."0:0:0:0:0:0:7" = 220431 … 225305 for 2016…2023.
    dubai = read("sdmx_fcsa_aircraft_flat_2_0.json", {"REF_AREA": "AE-DU", "MOVEMENT_TYPE": "ARI"})
    assert values(dubai) == {
        "2016": 220431,
        "2017": 217249,
        "2018": 216288,
        "2019": 201529,
        "2020": 100108,
        "2021": 127765,
        "2022": 191389,
        "2023": 225305,
    }
    # REF_AREA index 6 = AE (UAE), MOVEMENT_TYPE index 1 = DEP: "6:0:0:0:0:1:4" = 145607
    uae = read("sdmx_fcsa_aircraft_flat_2_0.json", {"REF_AREA": "AE", "MOVEMENT_TYPE": "DEP"})
    assert values(uae)["2020"] == 145607


def test_a_non_empty_errors_array_is_still_an_error() -> None:
    with pytest.raises(FetchError, match="SDMX service error: 404 NoResultsFound"):
        read("sdmx_error.json")


# -- series and cross-section layouts ----------------------------------------------------


def test_time_series_2_1_with_dataset_level_dimensions() -> None:
    # FREQ is under structure.dimensions.dataSet; CURRENCY (series) index 1 = RUB:
    # series "1" observations "0": 40.3426, "1": 40.3
    rub = read("sdmx_ecb_exr_time_series_2_1.json", {"FREQ": "D", "CURRENCY": "RUB"})
    assert values(rub) == {"2013-01-18": 40.3426, "2013-01-21": 40.3}


def test_cross_section_is_read_with_time_at_series_level() -> None:
    # dimensions.series = [TIME_PERIOD], dimensions.observation = [CURRENCY]:
    # series "0" (2013-01-18) obs "1" (RUB) = 40.3426; series "1" (2013-01-21) obs "1" = 40.3
    rub = read("sdmx_ecb_exr_cross_section.json", {"CURRENCY": "RUB"})
    assert values(rub) == {"2013-01-18": 40.3426, "2013-01-21": 40.3}
    nzd = read("sdmx_ecb_exr_cross_section.json", {"CURRENCY": "NZD"})
    assert values(nzd) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}


def test_naming_the_time_dimension_is_explained() -> None:
    with pytest.raises(FetchError, match="TIME_PERIOD, the time dimension"):
        read("sdmx_ecb_exr_cross_section.json", {"TIME_PERIOD": "2013-01-18"})


def test_no_time_dimension_is_refused_plainly() -> None:
    document = json.loads(payload("sdmx_ecb_exr_cross_section.json"))
    document["structure"]["dimensions"]["series"] = []
    for series in document["dataSets"][0]["series"].values():
        series["observations"] = {"0": series["observations"]["0"]}
    document["dataSets"][0]["series"] = {"": document["dataSets"][0]["series"]["0"]}
    content = json.dumps(document).encode()
    with pytest.raises(
        FetchError, match=r"no time dimension .* query a data flow that has TIME_PERIOD"
    ):
        SDMX.parse_sdmx_json(content, {"series": {"CURRENCY": "NZD"}}, indicator="x", origin="u")


# -- repeated series keys --------------------------------------------------------------


def test_repeated_series_keys_are_merged_not_dropped() -> None:
    # Series "0" (NZD) is sent twice, once per observation: "0": 1.5931 and "1": 1.5925.
    # json.loads would keep only the second copy (one period).
    nzd = read("sdmx_ecb_exr_repeated_series_keys.json", {"CURRENCY": "NZD"})
    assert values(nzd) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}
    rub = read("sdmx_ecb_exr_repeated_series_keys.json", {"CURRENCY": "RUB"})
    assert values(rub) == {"2013-01-18": 40.3426, "2013-01-21": 40.3}


def test_a_repeated_observation_with_another_value_is_refused() -> None:
    text = payload("sdmx_ecb_exr_repeated_series_keys.json").decode()
    clash = text.replace('"observations":{"1":[1.5925,0]}', '"observations":{"0":[1.6,0]}')
    assert clash != text
    with pytest.raises(
        FetchError, match=r"period 2013-01-18 is sent twice with different values \(1.5931 .*1.6"
    ):
        SDMX.parse_sdmx_json(
            clash.encode(), {"series": {"CURRENCY": "NZD"}}, indicator="x", origin="u"
        )


# -- units and decimals ------------------------------------------------------------------


def test_unit_mult_is_exact_and_decimals_never_round() -> None:
    # attributes.dataset: UNIT_MULT "3" (thousands), DECIMALS "1", UNIT_MEASURE TONES.
    # REF_AREA index 1 = ASIKHM002 (Battambang): "1:0".."1:3" = 442.996, 426.588,
    # 479.686, 522.296 thousand tonnes. Rounding to DECIMALS would give 443000 etc.;
    # float arithmetic would give 522296.00000000006 for the last.
    rice = read("sdmx_nis_milled_rice_flat.json", {"REF_AREA": "ASIKHM002"})
    assert values(rice) == {"2014": 442996.0, "2015": 426588.0, "2016": 479686.0, "2017": 522296.0}
    assert "UNIT_MULT 3" in rice[0].note and "UNIT_MEASURE TONES" in rice[0].note
    in_thousands = read("sdmx_nis_milled_rice_flat.json", {"REF_AREA": "ASIKHM002"}, unit_mult=3)
    assert values(in_thousands)["2014"] == 442.996


# -- observation status ----------------------------------------------------------------


def _with_status(code: str) -> bytes:
    document = json.loads(payload("sdmx_ecb_exr_time_series_2_1.json"))
    attribute = document["data"]["structures"][0]["attributes"]["observation"][0]
    attribute["values"].append({"id": code, "name": code})
    document["data"]["dataSets"][0]["series"]["1"]["observations"]["1"] = [40.3, 1]
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("B", ObservationStatus.BREAK),
        ("P", ObservationStatus.PROVISIONAL),
        ("E", ObservationStatus.ESTIMATED),
        ("M", ObservationStatus.MISSING),
        ("A", ObservationStatus.NORMAL),
    ],
)
def test_obs_status_codes(code: str, status: ObservationStatus) -> None:
    readings = SDMX.parse_sdmx_json(
        _with_status(code), {"series": {"CURRENCY": "RUB"}}, indicator="x", origin="u"
    )
    newest = readings[-1]
    assert newest.status is status
    assert (newest.value is None) == (status is ObservationStatus.MISSING)
    assert readings[0].status is ObservationStatus.NORMAL  # "0": [40.3426, 0] is A
