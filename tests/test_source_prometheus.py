"""The prometheus text exposition reader on the format's own examples and node exporter output.

Expected figures are read by hand off the payloads under tests/data/payloads (see the
README there); the comment beside each says where.
"""

from __future__ import annotations

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
