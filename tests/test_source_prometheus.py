"""The prometheus text exposition reader on the format's own examples and node exporter output.

Expected figures are read by hand off the payloads under tests/data/payloads (see the
README there); the comment beside each says where.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from lishi_tui.domain.model import ObservationStatus, Reading
from lishi_tui.sources.api import FetchError
from tests.test_source_formats import payload, plugin

PROM = plugin("source_prometheus")
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def one(content: bytes, metric: str, **labels: Any) -> Reading:
    readings: list[Reading] = PROM.parse_exposition(
        content, {"metric": metric, "labels": labels}, indicator="m", origin="u", now=NOW
    )
    assert len(readings) == 1
    return readings[0]


def test_prometheus_docs_example() -> None:
    page = payload("prometheus_docs_text_format_example.txt")
    # http_requests_total{method="post",code="400"}    3 1395066363000 (milliseconds)
    r = one(page, "http_requests_total", code="400")
    assert r.value == 3.0
    assert r.period.start == datetime.fromtimestamp(1395066363, UTC)
    # msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",...} 1.458255915e9: the
    # escaped backslashes and quotes read as one label value each
    r = one(page, "msdos_file_access_time_seconds", path="C:\\DIR\\FILE.TXT")
    assert r.value == 1458255915.0
    assert one(page, "metric_without_timestamp_and_labels").value == 12.47
    # something_weird{problem="division by zero"} +Inf -3982045: no finite figure
    weird = one(page, "something_weird")
    assert weird.value is None and weird.status is ObservationStatus.MISSING
    assert one(page, "rpc_duration_seconds", quantile="0.99").value == 76656.0
    assert one(page, "rpc_duration_seconds_sum").value == 1.7560473e07


def test_openmetrics_exemplars_are_not_values() -> None:
    page = payload("openmetrics_spec_exemplars.txt")
    # foo_bucket{le="10"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789: the value is
    # 17, the exemplar's 9.8 and its timestamp belong to the trace, not the sample
    r = one(page, "foo_bucket", le="10")
    assert r.value == 17.0 and r.period.start == NOW
    assert one(page, "foo_bucket", le="1").value == 11.0  # exemplar without timestamp
    assert one(page, "foo_bucket", le="0.1").value == 8.0  # empty exemplar labels "{}"
    assert one(page, "foo_sum").value == 324789.3


def test_quoted_utf8_metric_names() -> None:
    page = payload("node_exporter_textfile_utf8.prom")
    # {"my.dotted.metric", "error.message"="Not Found"} 1
    r = one(page, "my.dotted.metric", **{"error.message": "Not Found"})
    assert r.value == 1.0


def test_node_exporter_page() -> None:
    page = payload("node_exporter_e2e_excerpt.txt")
    # node_cpu{cpu="cpu1",mode="idle"} 11107.87
    assert one(page, "node_cpu", cpu="cpu1", mode="idle").value == 11107.87
    # node_disk_bytes_read{device="sda"} 5.13713216512e+11
    assert one(page, "node_disk_bytes_read", device="sda").value == 5.13713216512e11
    assert one(page, "go_goroutines").value == 13.0


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_line_separators_inside_a_label_value_do_not_split_the_line(separator: str) -> None:
    # One more line on the real page: a label value holding a character that
    # str.splitlines() treats as a line break (device names and aliases can).
    page = payload("node_exporter_e2e_excerpt.txt").decode()
    page += f'node_network_info{{device="eth0",ifalias="uplink{separator}rack 4"}} 1\n'
    content = page.encode()
    assert one(content, "node_cpu", cpu="cpu0", mode="user").value == 444.9
    r = one(content, "node_network_info", device="eth0")
    assert r.value == 1.0


def test_one_malformed_unrelated_line_does_not_fail_the_page() -> None:
    page = payload("node_exporter_e2e_excerpt.txt").decode()
    broken = page.replace("go_goroutines 13\n", "go_goroutines{broken 13\n")
    assert broken != page
    assert one(broken.encode(), "node_boot_time").value == 1.418183276e09
    # The metric asked for on the broken line itself is an error located at its line.
    with pytest.raises(FetchError, match="expected ',' or '}' at 13") as info:
        one(broken.encode(), "go_goroutines")
    assert info.value.where == "u:12"


def test_metric_not_found_names_the_unreadable_lines() -> None:
    page = b"ok_metric 1\nbad{ 2\n"
    with pytest.raises(
        FetchError, match=r"no metric 'gone' .* 1 line\(s\) could not be read: line 2"
    ):
        one(page, "gone")


# -- label filters: an absent label is "", never "None" ---------------------------------


def test_a_filter_value_does_not_match_a_sample_without_that_label() -> None:
    page = payload("prometheus_docs_text_format_example.txt")
    # metric_without_timestamp_and_labels 12.47: no labels at all, so no `code`
    with pytest.raises(
        FetchError,
        match=r'no metric_without_timestamp_and_labels sample with labels \{code="None"\}',
    ):
        one(page, "metric_without_timestamp_and_labels", code="None")
    # rpc_duration_seconds_count 2693 has no quantile label either
    with pytest.raises(FetchError, match=r"the page has 1: \{\}\): the series is empty"):
        one(page, "rpc_duration_seconds_count", quantile="None")
    # PromQL: {code=""} matches a series without `code`
    assert one(page, "metric_without_timestamp_and_labels", code="").value == 12.47


def test_a_filter_value_does_not_match_an_openmetrics_sample_without_that_label() -> None:
    page = payload("openmetrics_spec_exemplars.txt")
    # foo_count 17 has no `le`; the foo_bucket lines have one each
    with pytest.raises(FetchError, match=r'no foo_count sample with labels \{le="None"\}'):
        one(page, "foo_count", le="None")
    assert one(page, "foo_count", le="").value == 17.0
    assert one(page, "foo_bucket", le="+Inf").value == 17.0


def test_a_label_value_must_be_text_or_a_whole_number() -> None:
    page = payload("prometheus_docs_text_format_example.txt")
    # http_requests_total{method="post",code="200"} 1027: a TOML integer reads as its digits
    assert one(page, "http_requests_total", method="post", code=200).value == 1027.0
    # TOML true would compare as "True", 200.0 as "200.0": refused, with the quoted form
    with pytest.raises(FetchError, match=r'labels.code = True: .* code = "true"'):
        one(page, "http_requests_total", method="post", code=True)
    with pytest.raises(FetchError, match=r'labels.code = 200.0: .* code = "200.0"'):
        one(page, "http_requests_total", method="post", code=200.0)
    vector = payload("prometheus_docs_query_up_vector.json")
    with pytest.raises(FetchError, match=r"labels.job = False"):
        query(vector, job=False)


def query(content: bytes, **labels: Any) -> list[Reading]:
    readings: list[Reading] = PROM.parse_prometheus_range(
        content, {"labels": labels}, indicator="m", origin="u"
    )
    return readings


def test_a_filter_value_does_not_match_a_query_series_without_that_label() -> None:
    # The HTTP API documentation's replies to `up`: labels __name__, job, instance; no `code`
    vector = payload("prometheus_docs_query_up_vector.json")
    with pytest.raises(
        FetchError,
        match=r'none of the 2 series the query returned has labels \{code="None", job="node"\}',
    ):
        query(vector, job="node", code="None")
    (r,) = query(vector, job="node", code="")  # {job="node", instance="localhost:9100"} "0"
    assert r.value == 0.0 and r.period.key == "2015-07-01T20:10:51Z"  # 1435781451.781
    matrix = payload("prometheus_docs_query_range_up_matrix.json")
    with pytest.raises(FetchError, match=r"none of the 2 series"):
        query(matrix, job="node", code="None")
    # {job="node", instance="localhost:9091"}: "0", "0", "1"
    assert [r.value for r in query(matrix, job="node")] == [0.0, 0.0, 1.0]
    # "None" is still a value a label can hold, and then it matches
    named = vector.replace(b'"job":"node",', b'"job":"node","code":"None",')
    assert named != vector
    assert [r.value for r in query(named, code="None")] == [0.0]


def test_a_bad_point_is_located_in_the_series_picked() -> None:
    matrix = payload("prometheus_docs_query_range_up_matrix.json")
    broken = matrix.replace(b'[[1435781430.781,"0"]', b'[[1435781430.781,"zero"]')
    assert broken != matrix
    with pytest.raises(FetchError, match="sample value is not a number: zero") as info:
        query(broken, job="node")
    assert info.value.where == "u data.result[1].values[0]"  # the node series is the second


# -- native histograms -------------------------------------------------------------------

HISTOGRAMS = "prometheus_codec_matrix_native_histogram.json"


def test_a_native_histogram_range_series_is_refused_saying_what_to_query() -> None:
    # Prometheus's own JSON encoding of a range series of one native histogram sample
    # (count "10", sum "20"): "histograms" and no "values"
    with pytest.raises(FetchError) as info:
        query(payload(HISTOGRAMS))
    message = info.value.message
    assert 'the series {__name__="foo"} holds 1 native histogram sample(s)' in message
    assert "histogram_quantile(0.9, rate(foo[5m]))" in message
    assert "histogram_count(rate(foo[5m]))" in message
    assert info.value.where == "u data.result[0]"


def test_a_native_histogram_instant_sample_is_refused_saying_what_to_query() -> None:
    # The same sample as an instant vector sends it: "histogram": [time, {...}], no "value"
    document = json.loads(payload(HISTOGRAMS))
    (series,) = document["data"]["result"]
    series["histogram"] = series.pop("histograms")[0]
    document["data"]["resultType"] = "vector"
    with pytest.raises(FetchError) as info:
        query(json.dumps(document).encode())
    message = info.value.message
    assert 'the series {__name__="foo"} is a native histogram' in message
    assert "under 'histogram', not 'value'" in message
    assert "histogram_quantile(0.9, rate(foo[5m]))" in message


def test_a_range_series_with_floats_and_native_histograms_is_refused() -> None:
    # A series that changed type: the node series' three floats and, at a later instant,
    # the native histogram sample (each instant has one kind only, as the API documents)
    document = json.loads(payload("prometheus_docs_query_range_up_matrix.json"))
    (histogram,) = json.loads(payload(HISTOGRAMS))["data"]["result"][0]["histograms"]
    histogram[0] = 1435781475.781
    document["data"]["result"][1]["histograms"] = [histogram]
    with pytest.raises(
        FetchError,
        match=r"holds 1 native histogram sample\(s\) under 'histograms' beside 3 float one\(s\)",
    ) as info:
        query(json.dumps(document).encode(), job="node")
    assert 'instance="localhost:9091"' in info.value.message
    assert info.value.where == "u data.result[1]"


# -- instants are kept to the second -----------------------------------------------------


def test_points_closer_than_a_second_are_refused_not_merged() -> None:
    from datetime import timedelta

    with pytest.raises(FetchError, match=r"step is 0.5 s; readings are kept to the second"):
        PROM.range_params("up", NOW, timedelta(hours=1), timedelta(milliseconds=500))
    # The docs' node series with a point added 0.119 s after its first (1435781430.781)
    document = json.loads(payload("prometheus_docs_query_range_up_matrix.json"))
    document["data"]["result"][1]["values"].insert(1, [1435781430.9, "5"])
    with pytest.raises(FetchError, match=r"two points fall in the second 2015-07-01T20:10:30Z"):
        query(json.dumps(document).encode(), job="node")
