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


# -- attributes found by role, not only by id (OECD.Stat POWERCODE, IMF SCALE) -----------


def _kei(**powercode: Any) -> bytes:
    """The OECD KEI reply with its POWERCODE attribute (observation attribute 3) changed."""
    document = json.loads(payload("sdmx_oecd_kei_flat.json"))
    attribute = document["structure"]["attributes"]["observation"][3]
    assert attribute["id"] == "POWERCODE" and attribute["role"] == "UNIT_MULT"
    attribute.update(powercode)
    return json.dumps(document).encode()


def _read_kei(content: bytes, **options: Any) -> Any:
    series = {"SUBJECT": "PRINTO01", "LOCATION": "AUS"}
    return SDMX.parse_sdmx_json(content, {"series": series, **options}, indicator="x", origin="u")


def test_oecd_powercode_and_unit_are_read_by_their_roles() -> None:
    # Real OECD.Stat reply: SUBJECT index 0 = PRINTO01, LOCATION index 0 = AUS, so key
    # "0:0:0:0:0" = [1.18005263064255, 0, null, 0, 0, null]: attribute 2 is UNIT (role
    # UNIT_MEASURE) index 0 = PC, attribute 3 is POWERCODE (role UNIT_MULT) index 0 = "0".
    (aus,) = read("sdmx_oecd_kei_flat.json", {"SUBJECT": "PRINTO01", "LOCATION": "AUS"})
    assert (aus.period.key, aus.value) == ("2015", 1.18005263064255)
    assert aus.note == "UNIT_MEASURE PC; UNIT_MULT 0"


def test_oecd_powercode_six_multiplies_by_a_million() -> None:
    # Derived: POWERCODE's only value made {"id": "6", "name": "Millions"}; the figure
    # 1.18005263064255 (key "0:0:0:0:0") x 10^6 = 1180052.63064255. Before the fix the
    # POWERCODE was ignored and 1.18005263064255 came back as if in units.
    millions = _kei(default="6", values=[{"id": "6", "name": "Millions"}])
    (aus,) = _read_kei(millions)
    assert aus.value == 1180052.63064255
    assert "UNIT_MULT 6" in aus.note
    (in_millions,) = _read_kei(millions, unit_mult=6)
    assert in_millions.value == 1.18005263064255
    # SDMX-JSON 2.0 lets "role" be a list, and the id need not be one we know.
    (by_list,) = _read_kei(_kei(id="MULT", role=["UNIT_MULT"], values=[{"id": "6"}]))
    assert by_list.value == 1180052.63064255


def test_a_non_integer_multiplier_found_by_role_is_still_refused() -> None:
    with pytest.raises(FetchError, match="UNIT_MULT is not an integer: 'Millions'"):
        _read_kei(_kei(default=None, values=[{"id": "Millions"}]))


def _imf_scale(code: str) -> bytes:
    # Made here in the shape of api.imf.org SDMX 3.0 replies (a series attribute SCALE);
    # no captured reply with SCALE was stored.
    dims = {
        "series": [
            {"id": "COUNTRY", "values": [{"id": "USA"}]},
            {"id": "INDICATOR", "values": [{"id": "NGDPD"}]},
        ],
        "observation": [{"id": "TIME_PERIOD", "values": [{"id": "2023"}]}],
    }
    scale = {"id": "SCALE", "values": [{"id": code, "name": "Billions"}]}
    series = {"0:0": {"attributes": [0], "observations": {"0": [27720.709]}}}
    structure = {"dimensions": dims, "attributes": {"series": [scale]}}
    message = {"data": {"structures": [structure], "dataSets": [{"series": series}]}}
    return json.dumps(message).encode()


def test_imf_scale_is_a_multiplier_only_when_it_is_an_integer_code() -> None:
    (usd,) = SDMX.parse_sdmx_json(_imf_scale("9"), {"series": {}}, indicator="x", origin="u")
    assert usd.value == 27720709000000.0  # 27720.709 billion
    (kept,) = SDMX.parse_sdmx_json(_imf_scale("B"), {"series": {}}, indicator="x", origin="u")
    assert kept.value == 27720.709 and kept.note == "SCALE B"


# -- null attribute values (SDMX-JSON 2.0 constructed sample) -----------------------------


def test_a_null_attribute_value_means_no_value_not_the_code_none() -> None:
    # Spec sample data set 0: OBS_STATUS values [null, A], default "A"; series "0" (NZD)
    # observations "0": [1.5931, 0] and "1": [1.5925, 0] point at the null entry.
    nzd = read("sdmx_spec_2_0_constructed_ds0.json", {"CURRENCY": "NZD"})
    assert values(nzd) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}
    assert all("None" not in r.note for r in nzd)
    assert all(r.status is ObservationStatus.NORMAL for r in nzd)


def _spec_with_unit_mult(index: int) -> bytes:
    # Derived: an observation attribute UNIT_MULT with values [null, "3"] appended, and
    # `index` appended to every observation of data set 0.
    document = json.loads(payload("sdmx_spec_2_0_constructed_ds0.json"))
    structure = document["data"]["structures"][0]
    structure["attributes"]["observation"].append(
        {"id": "UNIT_MULT", "values": [None, {"id": "3", "name": "Thousands"}]}
    )
    for series in document["data"]["dataSets"][0]["series"].values():
        for key, obs in series["observations"].items():
            series["observations"][key] = [*obs, index]
    return json.dumps(document).encode()


def test_a_null_unit_mult_is_no_multiplier_not_an_error() -> None:
    options = {"series": {"CURRENCY": "NZD"}}
    plain = SDMX.parse_sdmx_json(_spec_with_unit_mult(0), options, indicator="x", origin="u")
    assert values(plain) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}
    scaled = SDMX.parse_sdmx_json(_spec_with_unit_mult(1), options, indicator="x", origin="u")
    assert values(scaled) == {"2013-01-18": 1593.1, "2013-01-21": 1592.5}  # x 10^3


# -- dimension group attributes (SDMX-JSON 2.0) -----------------------------------------


def test_dimension_group_unit_is_applied_to_the_matching_series() -> None:
    # Spec sample: attributes.dimensionGroup = [UNIT_MEAS (role UNIT_MEAS), related to FREQ,
    # EXR_TYPE, CURRENCY, values [NC]]; dimensionGroupAttributes "0::0::0:": [0] and
    # "0::0::1:": [0]. Positions follow the message's dimensions: FREQ, CURRENCY_DENOM,
    # EXR_TYPE, EXR_SUFFIX (data set), CURRENCY (series), TIME_PERIOD, so the two rows are
    # FREQ=D, EXR_TYPE=SP00 and CURRENCY=NZD resp. RUB: both series are in NC.
    for currency in ("NZD", "RUB"):
        readings = read("sdmx_spec_2_0_constructed_ds0.json", {"CURRENCY": currency})
        assert [r.note for r in readings] == ["UNIT_MEASURE NC", "UNIT_MEASURE NC"]


def _spec_with_group_unit_mult(rows: dict[str, list[Any]]) -> bytes:
    # Derived: a second dimensionGroup attribute UNIT_MULT related to CURRENCY, values
    # ["0", "3"], and `rows` added to the sample's dimensionGroupAttributes.
    document = json.loads(payload("sdmx_spec_2_0_constructed_ds0.json"))
    document["data"]["structures"][0]["attributes"]["dimensionGroup"].append(
        {
            "id": "UNIT_MULT",
            "relationship": {"dimensions": ["CURRENCY"]},
            "values": [{"id": "0"}, {"id": "3", "name": "Thousands"}],
        }
    )
    document["data"]["dataSets"][0]["dimensionGroupAttributes"].update(rows)
    return json.dumps(document).encode()


def test_a_dimension_group_unit_mult_scales_only_the_series_it_names() -> None:
    # CURRENCY is position 4 of 6: "::::1:" is RUB (UNIT_MULT index 1 = 3), "::::0:" NZD (0).
    content = _spec_with_group_unit_mult({"::::1:": [None, 1], "::::0:": [None, 0]})
    rub = SDMX.parse_sdmx_json(content, {"series": {"CURRENCY": "RUB"}}, indicator="x", origin="u")
    # series "1" observations 40.3426 and 40.3, x 10^3
    assert values(rub) == {"2013-01-18": 40342.6, "2013-01-21": 40300.0}
    assert rub[0].note == "UNIT_MEASURE NC; UNIT_MULT 3"
    nzd = SDMX.parse_sdmx_json(content, {"series": {"CURRENCY": "NZD"}}, indicator="x", origin="u")
    assert values(nzd) == {"2013-01-18": 1.5931, "2013-01-21": 1.5925}


def test_a_series_level_value_beats_the_dimension_group() -> None:
    document = json.loads(_spec_with_group_unit_mult({"::::1:": [None, 1]}))
    structure = document["data"]["structures"][0]
    structure["attributes"]["series"].append({"id": "UNIT_MULT", "values": [{"id": "0"}]})
    document["data"]["dataSets"][0]["series"]["1"]["attributes"] = [1, 0]
    rub = SDMX.parse_sdmx_json(
        json.dumps(document).encode(), {"series": {"CURRENCY": "RUB"}}, indicator="x", origin="u"
    )
    assert values(rub) == {"2013-01-18": 40.3426, "2013-01-21": 40.3}


def test_group_keys_that_fit_no_relationship_are_refused_not_guessed() -> None:
    # ":0::::" names CURRENCY_DENOM, not CURRENCY, the dimension UNIT_MULT is related to.
    content = _spec_with_group_unit_mult({":0::::": [None, 1]})
    with pytest.raises(FetchError, match=r"UNIT_MULT is related to \['CURRENCY'\].*CURRENCY_DENOM"):
        SDMX.parse_sdmx_json(content, {"series": {"CURRENCY": "RUB"}}, indicator="x", origin="u")


# -- detail=nodata ---------------------------------------------------------------------


def _spec_nodata(request: str | None) -> bytes:
    # Derived: data set 0 replaced by the spec sample's data set 6 ("Detail parameter:
    # nodata. No observation values, just attributes and annotations."), whose
    # observations "0:0": [0] … "1:1": [0, 0] hold attribute indexes only; `request`, if
    # given, is put in meta.links as the sample's own {"rel": "request"} link is.
    document = json.loads(payload("sdmx_spec_2_0_constructed_ds0.json"))
    observations = {"0:0": [0], "0:1": [0], "1:0": [0, 0], "1:1": [0, 0]}
    document["data"]["dataSets"] = [
        {"structure": 0, "action": "Information", "observations": observations}
    ]
    if request is not None:
        document["meta"]["links"] = [{"href": request, "rel": "request"}]
    return json.dumps(document).encode()


def test_a_detail_nodata_reply_is_refused_not_read_as_zeros() -> None:
    url = "https://sdw-wsrest.ecb.europa.eu/service/data/EXR/D.NZD+RUB.EUR.SP00.A?detail=nodata"
    options: dict[str, Any] = {"series": {"CURRENCY": "NZD"}}
    with pytest.raises(FetchError, match=r"no observation values \(detail=nodata\)"):
        SDMX.parse_sdmx_json(_spec_nodata(url), options, indicator="x", origin="u")
    # The configured query URL says so too, whatever the message carries.
    with pytest.raises(FetchError, match=r"detail=nodata"):
        SDMX.parse_sdmx_json(_spec_nodata(None), {**options, "url": url}, indicator="x", origin="u")
    # detail=full (and no detail) is read as data.
    full = _spec_nodata(url.replace("nodata", "full"))
    assert len(SDMX.parse_sdmx_json(full, options, indicator="x", origin="u")) == 2


def _agri_nodata(query: str) -> bytes:
    # Derived from the spec sample agri.json (sdmx_nis_milled_rice_flat.json), which names
    # its query in meta.links as {"rel": "self", "href": "http://ws-root/data/MA_545,…/
    # ?dimensionAtObservation=AllDimensions&startPeriod=2013&endPeriod=2018"}: `query` is
    # added to that link, and each observation [value, SOURCE index] loses its value, as a
    # nodata reply sends it ("0:0": [350.154, 0] becomes [0], "0:1": [389.385, 1] [1], …).
    document = json.loads(payload("sdmx_nis_milled_rice_flat.json"))
    (link,) = document["meta"]["links"]
    assert link["rel"] == "self"
    link["href"] += query
    observations = document["data"]["dataSets"][0]["observations"]
    for key, observation in observations.items():
        observations[key] = observation[1:]
    return json.dumps(document).encode()


def test_a_nodata_reply_named_by_its_self_link_is_refused() -> None:
    # Read as data, ASIKHM002's SOURCE indexes 0, 1, 2, 3 would become 0, 1000, 2000 and
    # 3000 tonnes (UNIT_MULT 3).
    options: dict[str, Any] = {"series": {"REF_AREA": "ASIKHM002"}}
    with pytest.raises(FetchError, match=r"no observation values \(detail=nodata\)"):
        SDMX.parse_sdmx_json(_agri_nodata("&detail=nodata"), options, indicator="x", origin="u")
    # SDMX REST 2.x asks for no values with measures=none
    with pytest.raises(FetchError, match=r"no observation values \(measures=none\)"):
        SDMX.parse_sdmx_json(_agri_nodata("&measures=none"), options, indicator="x", origin="u")


def test_measures_none_in_the_configured_url_is_refused() -> None:
    url = "https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/D.NZD+RUB.EUR.SP00.A?measures=none"
    options: dict[str, Any] = {"series": {"CURRENCY": "NZD"}, "url": url}
    with pytest.raises(FetchError, match=r"\(measures=none\).*drop measures=none"):
        SDMX.parse_sdmx_json(_spec_nodata(None), options, indicator="x", origin="u")
    # measures=all is read as data (this body is the nodata one: by its shape alone it
    # cannot be told from data, see plugins/source_sdmx_json/nodata.py)
    full = {**options, "url": url.replace("none", "all")}
    assert len(SDMX.parse_sdmx_json(_spec_nodata(None), full, indicator="x", origin="u")) == 2


def test_a_structure_declaring_no_measure_is_refused() -> None:
    # The spec sample's structure lists measures.observation [OBS_VALUE]; a structure
    # listing none says its observation arrays start with attribute indexes.
    document = json.loads(_spec_nodata(None))
    document["data"]["structures"][0]["measures"]["observation"] = []
    with pytest.raises(FetchError, match=r"declares no measure"):
        SDMX.parse_sdmx_json(
            json.dumps(document).encode(),
            {"series": {"CURRENCY": "NZD"}},
            indicator="x",
            origin="u",
        )
