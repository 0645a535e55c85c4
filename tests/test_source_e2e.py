"""Every built-in source type end to end: local HTTP server, config file, `fetch --once`, `show --json`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.support.httpserver import LocalHTTPServer, Route, closed_port

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = ROOT / "tests" / "data" / "payloads"

INDICATORS = """
[indicators.cn_gdp_growth]
name_zh = "国内生产总值增速"
name_en = "GDP growth"
unit = "%"

[indicators.q_growth]
name_zh = "季度增速"
name_en = "Quarterly growth"

[indicators.cpi_yoy]
name_zh = "居民消费价格同比"
name_en = "CPI yoy"

[indicators.aqi]
name_zh = "空气质量指数"
name_en = "AQI"
frequency = "realtime"

[indicators.requests_total]
name_zh = "办结实事"
name_en = "Requests handled"
frequency = "realtime"

[indicators.done_rate]
name_zh = "办结率"
name_en = "Share handled"
frequency = "monthly"

[indicators.retail_sales]
name_zh = "社会消费品零售总额"
name_en = "Retail sales"
frequency = "monthly"

[indicators.retail_remote]
name_zh = "社会消费品零售总额（网络）"
name_en = "Retail sales (URL)"
frequency = "monthly"
"""

API = json.dumps(
    {
        "data": {
            "rows": [{"month": "2021-09", "rate": "87.9%"}, {"month": "2021-10", "rate": "88.47%"}]
        }
    }
)


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def write_config(tmp_path: Path, body: str, *, collector: str = "") -> Path:
    config = tmp_path / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            """
            [app]
            language = "en"

            [plugins]
            allow = ["source_csv", "source_http_json", "source_worldbank", "source_sdmx_json",
                     "source_nbs", "source_prometheus"]

            [storage]
            path = "history.db"

            [collector]
            timeout = "2s"
            retries = 0
            """
        )
        + textwrap.dedent(collector)
        + INDICATORS
        + textwrap.dedent(body),
        encoding="utf-8",
    )
    return config


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=config.parent,
    )


def outcome_lines(stdout: str) -> dict[str, str]:
    return {line.split()[1]: line for line in stdout.splitlines() if line[:3] in ("ok ", "ERR")}


def shown(config: Path) -> dict[str, dict[str, Any]]:
    result = cli(config, "show", "--json")
    assert result.returncode == 0, result.stderr
    return {row["indicator"]: row for row in json.loads(result.stdout)}


def serve_all(server: LocalHTTPServer) -> None:
    wb = "/v2/country/CHN/indicator/NY.GDP.MKTP.KD.ZG"
    server.sequence(
        wb,
        [
            Route(
                body=payload("worldbank_gdp_page1.json"),
                headers={"Content-Type": "application/json"},
            ),
            Route(
                body=payload("worldbank_gdp_page2.json"),
                headers={"Content-Type": "application/json"},
            ),
        ],
    )
    server.route("/sdmx/data/QNA", payload("sdmx_gdp_growth.json"), content_type="application/json")
    server.route("/easyquery.htm", payload("nbs_cpi_monthly.json"), content_type="application/json")
    server.route(
        "/prom/api/v1/query_range",
        payload("prometheus_query_range.json"),
        content_type="application/json",
    )
    server.route("/metrics", payload("prometheus_metrics.txt"), content_type="text/plain")
    server.route("/api/done", API, content_type="application/json")
    server.route("/retail.csv", payload("retail_long_gb18030.csv"), content_type="text/csv")


def all_sources(server: LocalHTTPServer) -> str:
    u = server.url
    return f"""
    [sources.wb]
    type = "worldbank"
    url = "{u("/v2/country/CHN/indicator/NY.GDP.MKTP.KD.ZG")}"
    per_page = 5
    interval = "1h"
    indicator = "cn_gdp_growth"

    [sources.oecd]
    type = "sdmx_json"
    url = "{u("/sdmx/data/QNA")}"
    series = {{ REF_AREA = "CHN" }}
    interval = "1h"
    indicator = "q_growth"

    [sources.nbs]
    type = "nbs"
    url = "{u("/easyquery.htm")}?m=QueryData&dbcode=hgyd&rowcode=zb&colcode=sj&wds=%5B%5D"
    code = "A01010101"
    index_to_growth = true
    interval = "1h"
    indicator = "cpi_yoy"

    [sources.prom]
    type = "prometheus"
    url = "{u("/prom")}"
    query = "avg(lishi_air_aqi)"
    step = "5m"
    lookback = "1h"
    interval = "1m"
    indicator = "aqi"

    [sources.metrics]
    type = "prometheus"
    mode = "instant_text"
    url = "{u("/metrics")}"
    metric = "lishi_requests_handled_total"
    interval = "1m"
    indicator = "requests_total"

    [sources.api]
    type = "http_json"
    url = "{u("/api/done")}"
    records = "data.rows"
    period = "month"
    value = "rate"
    headers = {{ Authorization = "Bearer s3cret-token" }}
    interval = "1h"
    indicator = "done_rate"

    [sources.district_retail]
    type = "csv"
    path = "data/retail.csv"
    skip_rows = 1
    period_column = "月份"
    value_column = "社会消费品零售总额(万元)"
    scale = 0.0001
    interval = "1d"
    indicator = "retail_sales"

    [sources.remote_csv]
    type = "csv"
    url = "{u("/retail.csv")}"
    skip_rows = 1
    period_column = 0
    value_column = 1
    interval = "1d"
    indicator = "retail_remote"
    """


def test_every_source_type_fetches_and_shows_with_provenance(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    serve_all(http_server)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "retail.csv").write_bytes(payload("retail_long_gb18030.csv"))
    config = write_config(tmp_path, all_sources(http_server))

    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    lines = outcome_lines(fetched.stdout)
    assert set(lines) == {
        "wb",
        "oecd",
        "nbs",
        "prom",
        "metrics",
        "api",
        "district_retail",
        "remote_csv",
    }
    assert all(line.startswith("ok ") for line in lines.values()), fetched.stdout
    assert "8 readings" in lines["wb"]  # both pages, the null 2024 value skipped

    wb_requests = http_server.requests_to("/v2/country/CHN/indicator/NY.GDP.MKTP.KD.ZG")
    assert [(r.param("page"), r.param("format"), r.param("per_page")) for r in wb_requests] == [
        ("1", "json", "5"),
        ("2", "json", "5"),
    ]
    (prom_request,) = http_server.requests_to("/prom/api/v1/query_range")
    assert prom_request.param("query") == "avg(lishi_air_aqi)"
    assert prom_request.param("step") == "300"
    (api_request,) = http_server.requests_to("/api/done")
    assert api_request.headers["authorization"] == "Bearer s3cret-token"

    rows = shown(config)
    expected = {
        "cn_gdp_growth": ("2023", 5.24906191, "wb"),
        "q_growth": ("2023-Q4", 5.2, "oecd"),
        "cpi_yoy": ("2023-12", -0.3, "nbs"),
        "aqi": ("2023-11-14T22:33:20Z", 48.0, "prom"),
        "requests_total": (None, 1581.0, "metrics"),
        "done_rate": ("2021-10", 88.47, "api"),
        "retail_sales": ("2021-05", 61.23302, "district_retail"),
        "retail_remote": ("2021-05", 612330.2, "remote_csv"),
    }
    for indicator, (period, value, source) in expected.items():
        row = rows[indicator]
        if period is not None:
            assert row["period"] == period, (indicator, row)
        assert abs(row["value"] - value) < 1e-6, (indicator, row)
        assert row["source"] == source
        assert row["fetched_at"] is not None and row["demo"] is False
    assert rows["q_growth"]["obs_status"] == "provisional"
    assert rows["cn_gdp_growth"]["origin"].startswith(http_server.url("/v2/country/CHN"))
    assert "page=1" in rows["cn_gdp_growth"]["origin"]
    assert rows["retail_sales"]["origin"] == str(tmp_path / "data" / "retail.csv")
    assert rows["retail_remote"]["origin"] == http_server.url("/retail.csv")
    assert rows["done_rate"]["url"] == http_server.url("/api/done")
    assert "s3cret-token" not in json.dumps(rows)


def test_faults_give_located_errors_and_never_stop_other_sources(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    good = json.dumps({"data": {"rows": [{"month": "2021-10", "rate": "88.47%"}]}})
    s = http_server
    s.route("/good", good, content_type="application/json")
    s.route("/slow", good, delay=5.0)
    s.route("/trickle", "x" * 400, trickle=(10, 0.5))
    s.route("/error500", "upstream exploded", status=500)
    s.route("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    # the server promises more than it sends, then closes: cut off in transit
    s.route("/truncated", good, content_length=len(good) + 500, content_type="application/json")
    # a complete response whose body is a cut-off document
    s.route("/cut_body", payload("worldbank_truncated.json"), content_type="application/json")
    s.route("/malformed", "<html><body>502 Bad Gateway</body></html>", content_type="text/html")
    s.route("/wrong_shape", payload("sdmx_wrong_shape.json"), content_type="application/json")
    s.route("/empty", payload("nbs_empty.json"), content_type="application/json")
    s.route("/huge", "[" + "1," * 5000 + "1]", content_type="application/json")
    s.route("/loop", redirect="/loop")
    s.route("/prom_empty/api/v1/query_range", payload("prometheus_empty.json"))
    s.route("/wb_error", payload("worldbank_error.json"), content_type="application/json")

    def src(name: str, type_: str, path: str, extra: str, url: str | None = None) -> str:
        return (
            f'\n[sources.{name}]\ntype = "{type_}"\nurl = "{url or s.url(path)}"\n'
            f'interval = "1h"\nindicator = "done_rate"\n{extra}\n'
        )

    hj = 'records = "data.rows"\nperiod = "month"\nvalue = "rate"'
    body = "".join(
        [
            src("good", "http_json", "/good", hj),
            src("refused", "http_json", "", hj, url=f"http://127.0.0.1:{closed_port()}/x"),
            src("timeout", "http_json", "/slow", hj),
            src("trickle", "csv", "/trickle", "period_column = 0\nvalue_column = 1"),
            src("error500", "worldbank", "/error500", ""),
            src("busy", "sdmx_json", "/busy", ""),
            src("truncated", "http_json", "/truncated", hj),
            src("cut_body", "worldbank", "/cut_body", ""),
            src("malformed", "http_json", "/malformed", hj),
            src("wrong_shape", "sdmx_json", "/wrong_shape", ""),
            src("empty", "nbs", "/empty", 'code = "A01"'),
            src("huge", "http_json", "/huge", hj),
            src("loop", "http_json", "/loop", hj),
            src("prom_empty", "prometheus", "/prom_empty", 'query = "up"'),
            src("wb_error", "worldbank", "/wb_error", ""),
        ]
    )
    config = write_config(tmp_path, body, collector="max_bytes = 4096\n")
    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 1, fetched.stdout + fetched.stderr
    lines = outcome_lines(fetched.stdout)
    assert lines["good"].startswith("ok "), fetched.stdout
    expected = {
        "refused": "connection refused",
        "timeout": "timed out",
        "trickle": "timed out",
        "error500": "HTTP 500",
        "busy": "HTTP 429",
        "truncated": "connection broken",
        "cut_body": "the body looks cut off",
        "malformed": "not valid JSON",
        "wrong_shape": "path 'data.dataSets' did not match",
        "empty": "the series is empty",
        "huge": "larger than 4096 bytes",
        "loop": "redirect",
        "prom_empty": "the series is empty",
        "wb_error": "World Bank API error: 120 Invalid value",
    }
    for name, fragment in expected.items():
        line = lines[name]
        assert line.startswith("ERR"), line
        assert fragment.lower() in line.lower(), line
        # located: every error names the URL it came from
        assert re.search(r"127\.0\.0\.1:\d+", line) or "localhost" in line, line
    rows = shown(config)
    assert rows["done_rate"]["value"] == 88.47 and rows["done_rate"]["source"] == "good"


def test_example_config_passes_config_check_against_a_local_server(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    text = (ROOT / "config" / "examples" / "public-data.toml").read_text(encoding="utf-8")
    hosts = set(re.findall(r'"(https://[^/"]+)', text))
    assert len(hosts) >= 5  # every HTTP source type points at a public endpoint
    for host in hosts:
        text = text.replace(host, http_server.url("").rstrip("/"))
    assert "https://" not in text
    config = tmp_path / "public-data.toml"
    config.write_text(text, encoding="utf-8")
    checked = cli(config, "config", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok (7 sources" in checked.stdout
    types = set(re.findall(r'^type = "(\w+)"', text, re.M))
    assert types == {"worldbank", "sdmx_json", "nbs", "prometheus", "http_json", "csv"}
