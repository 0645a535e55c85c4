"""The unit a publisher states, read off real tables and replies, and a run whose unit
contradicts its indicator's refused end to end.

Each expected unit is read by hand off the payload named beside it.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.domain.model import Reading
from lishi_tui.sources.api import FetchError
from tests.support.httpserver import LocalHTTPServer
from tests.test_source_e2e import cli, outcome_lines
from tests.test_source_formats import payload, plugin

CSV = plugin("source_csv")
EXCEL = plugin("source_excel")
NBS = plugin("source_nbs")
WB = plugin("source_worldbank")
HTTP_JSON = plugin("source_http_json")
PROM = plugin("source_prometheus")
SDMX = plugin("source_sdmx_json")
RETAIL = "retail_long_gb18030.csv"


def units(readings: list[Reading]) -> set[str]:
    return {r.unit for r in readings}


def csv(name: str, **options: Any) -> list[Reading]:
    readings: list[Reading] = CSV.parse_csv(payload(name), options, indicator="x", origin=name)
    return readings


def test_long_layout_reads_the_unit_in_the_value_header() -> None:
    # 月份,社会消费品零售总额(万元),同比增长(%),备注
    long = {"skip_rows": 1, "period_column": "月份"}
    assert units(csv(RETAIL, **long, value_column="社会消费品零售总额")) == {"万元"}
    assert units(csv(RETAIL, **long, value_column="同比增长(%)")) == {"%"}
    assert units(csv(RETAIL, **long, value_column=1)) == {"万元"}


def test_a_cell_written_with_a_percent_sign_states_a_percentage() -> None:
    # As the retail table's 同比增长(%) column writes its cells ("15.2%"), under a header
    # that states no unit
    text = "月份,增速\n2021年1月,15.2%\n2021年2月,14.8%\n".encode()
    got = CSV.parse_csv(text, {"period_column": 0, "value_column": 1}, indicator="x", origin="c")
    assert [(r.value, r.unit) for r in got] == [(15.2, "%"), (14.8, "%")]


def test_a_percent_cell_under_an_amount_header_is_refused() -> None:
    # A header in 万元 over cells written "15.2%": the header was shifted by a column, or
    # the column is not the one it says. Neither reading can be trusted.
    text = "月份,社会消费品零售总额(万元)\n2021年1月,15.2%\n".encode()
    with pytest.raises(FetchError, match=r"'15.2%' is a percentage.*'万元'"):
        CSV.parse_csv(text, {"period_column": 0, "value_column": 1}, indicator="x", origin="c")
    # the same cells under a header in % are read
    fine = "月份,同比增长(%)\n2021年1月,15.2%\n".encode()
    got = CSV.parse_csv(fine, {"period_column": 0, "value_column": 1}, indicator="x", origin="c")
    assert [(r.value, r.unit) for r in got] == [(15.2, "%")]


def test_scale_turns_the_stated_unit_as_it_turns_the_figures() -> None:
    long = {"skip_rows": 1, "period_column": "月份", "value_column": 1}
    assert units(csv(RETAIL, **long, scale=0.0001)) == {"亿元"}  # 万元 × 10^-4
    assert units(csv(RETAIL, **long, scale=10000)) == {"元"}
    assert units(csv(RETAIL, **long, scale=3)) == {""}  # no unit is claimed


def test_wide_layout_reads_the_unit_column() -> None:
    # 指标,单位,2019年,2020年,2021年 / 地区生产总值,亿元,… / 第三产业占比,%,…
    name = "indicators_wide_utf8bom.csv"
    gdp = csv(name, layout="wide", filter={"指标": "地区生产总值"})
    assert units(gdp) == {"亿元"} and len(gdp) == 3
    assert units(csv(name, layout="wide", filter={"指标": "第三产业占比"})) == {"%"}


def test_wide_layout_reads_the_unit_in_the_row_label() -> None:
    # NBS export: 人口出生率(‰),6.77,…; 地区生产总值增速(%),5.2,…
    births = csv(
        "nbs_export_population_wide_gb18030.csv",
        layout="wide",
        skip_rows=2,
        filter={"指标": "人口出生率(‰)"},
    )
    assert units(births) == {"‰"}
    growth = csv(
        "nbs_quarters_wide_gb18030.csv", layout="wide", filter={"指标": "地区生产总值增速"}
    )
    assert units(growth) == {"%"}


def test_headerless_table_reads_the_unit_label_row() -> None:
    # ONS D7G7: "Unit","%" among the label rows above "2024 JAN","4.0"
    rates = csv(
        "ons_d7g7_cpi_annual_rate_excerpt.csv",
        header_rows=0,
        period_column=0,
        value_column=1,
        frequency="month",
    )
    assert rates and units(rates) == {"%"}


def test_excel_two_level_header_and_unit_column() -> None:
    # 主要指标: 指标 | 单位 | 2021年1-10月 over 绝对量 | 同比增长(%); 社会消费品零售总额 | 亿元
    def read(**options: Any) -> list[Reading]:
        book = payload("statistics_office_monthly.xlsx")
        readings: list[Reading] = EXCEL.parse_excel(book, options, indicator="x", origin="b")
        return readings

    row = {"指标": "社会消费品零售总额"}
    assert units(read(layout="wide", filter=row, value_column="绝对量")) == {"亿元"}
    assert units(read(layout="wide", filter=row, value_column="同比增长")) == {"%"}
    income = {"指标": "一般公共预算收入"}  # | 万元 | "52,311"
    assert units(read(layout="wide", filter=income, value_column="绝对量")) == {"万元"}
    # 社零月度: 月份 | 累计(亿元) | 同比增长(%), with and without reading the header
    assert units(read(sheet="社零月度", period_column="月份", value_column="累计")) == {"亿元"}
    headerless = read(sheet="社零月度", header_rows=0, period_column=0, value_column=1)
    assert units(headerless) == {"亿元"}


def nbs(name: str, **options: Any) -> list[Reading]:
    readings: list[Reading] = NBS.parse_nbs(payload(name), options, indicator="x", origin="nbs")
    return readings


def test_nbs_reads_the_unit_of_its_indicator_node() -> None:
    # wdnodes: A0D0101 货币和准货币(M2)供应量_期末值 "unit":"亿元"; A0D0102 …_同比增长 "%"
    reply = "nbs_money_supply_202201_recorded.json"
    m2 = nbs(reply, code="A0D0101")
    assert [(r.value, r.unit) for r in m2] == [(2431022.72, "亿元")]
    assert units(nbs(reply, code="A0D0102")) == {"%"}
    # 居民消费价格指数(上年同月=100) "unit":"": an index; turned into growth it is a percentage
    assert units(nbs("nbs_cpi_monthly.json", code="A01010101")) == {""}
    growth = nbs("nbs_cpi_monthly.json", code="A01010101", index_to_growth=True)
    assert units(growth) == {"%"}


def test_worldbank_reads_a_percentage_off_the_indicator_name() -> None:
    # "indicator":{"id":"NY.GDP.MKTP.KD.ZG","value":"GDP growth (annual %)"}, "unit":""
    page = WB.parse_worldbank_page(payload("worldbank_gdp_page1.json"), indicator="x", origin="wb")
    assert page.readings and units(page.readings) == {"%"}
    # "GDP (current US$)" and "Population, total": nothing the collector could compare
    for name in (
        "worldbank_mex_gdp_recorded.json",
        "worldbank_population_2016_page5_recorded.json",
    ):
        page = WB.parse_worldbank_page(payload(name), indicator="x", origin="wb")
        assert page.readings and units(page.readings) == {""}, name


# A body shaped as Chinese open-data portals answer (field names 指标/时间/单位/数值);
# constructed here, since the plumbing of the `unit` path is what is tested.
PORTAL = json.dumps(
    {
        "data": [
            {"时间": "2021", "单位": "万元", "数值": "1,432.8"},
            {"时间": "2020", "单位": "万元", "数值": "1,301.2"},
        ]
    },
    ensure_ascii=False,
).encode()


def test_http_json_reads_the_unit_path_after_scale() -> None:
    options = {"records": "data", "period": "时间", "value": "数值", "unit": "单位"}
    got = HTTP_JSON.parse_http_json(PORTAL, options, indicator="x", origin="api")
    assert [(r.period.key, r.value, r.unit) for r in got] == [
        ("2021", 1432.8, "万元"),
        ("2020", 1301.2, "万元"),
    ]
    scaled = HTTP_JSON.parse_http_json(
        PORTAL, options | {"scale": 0.0001}, indicator="x", origin="api"
    )
    assert units(scaled) == {"亿元"}
    plain = {k: v for k, v in options.items() if k != "unit"}
    assert units(HTTP_JSON.parse_http_json(PORTAL, plain, indicator="x", origin="api")) == {""}
    with pytest.raises(FetchError, match=r"api record \[0\]"):
        HTTP_JSON.parse_http_json(PORTAL, options | {"unit": "dw"}, indicator="x", origin="api")


def sdmx(name: str, series: dict[str, str], **options: Any) -> set[str]:
    got = SDMX.parse_sdmx_json(
        payload(name), {"series": series, **options}, indicator="x", origin="u"
    )
    return units(got)


def test_sdmx_states_a_percentage_unit_code() -> None:
    # dataSet attribute UNIT_MEASURE: [{"id": "PC", "name": "Percentage change"}]
    assert sdmx("sdmx_gdp_growth.json", {"REF_AREA": "CHN"}) == {"%"}
    # OECD.Stat: attribute UNIT (role UNIT_MEASURE) = PC, POWERCODE = "0"
    assert sdmx("sdmx_oecd_kei_flat.json", {"SUBJECT": "PRINTO01", "LOCATION": "AUS"}) == {"%"}
    # the same percentages read with `unit_mult = 2` are divided by 100: no longer in %
    assert sdmx("sdmx_gdp_growth.json", {"REF_AREA": "CHN"}, unit_mult=2) == {""}
    # XDC (national currency) and TONES: nothing the collector could compare
    assert sdmx("sdmx_gdp_level_unitmult.json", {}) == {""}
    assert sdmx("sdmx_nis_milled_rice_flat.json", {"REF_AREA": "ASIKHM002"}) == {""}


# Written to the OpenMetrics 1.0 grammar, after the spec's "# TYPE foo_seconds counter /
# # UNIT foo_seconds seconds" example and its discouraged form whose unit is no suffix.
OPENMETRICS = b"""# TYPE job_success_ratio gauge
# UNIT job_success_ratio ratio
job_success_ratio 0.88
# TYPE foo_seconds counter
# UNIT foo_seconds seconds
foo_seconds_total 17.0
# TYPE handled gauge
# UNIT handled percent
handled 88.47
# TYPE plain gauge
plain 3
# EOF
"""


def test_prometheus_reads_unit_lines_and_the_naming_convention() -> None:
    def unit_of(metric: str, body: bytes = OPENMETRICS) -> str:
        (r,) = PROM.parse_exposition(
            body,
            {"metric": metric},
            indicator="x",
            origin="m",
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        return str(r.unit)

    assert unit_of("job_success_ratio") == "ratio"
    assert unit_of("foo_seconds_total") == "seconds"  # the family's UNIT line
    assert unit_of("handled") == "percent"
    assert unit_of("plain") == ""
    # The Prometheus text format has no UNIT lines: the name's last word says "ratio"
    assert unit_of("cache_hit_ratio", b"cache_hit_ratio 0.5\n") == "ratio"
    # A recorded instant query for `up`: nothing stated
    up = PROM.parse_prometheus_range(
        payload("prometheus_docs_query_up_vector.json"),
        {"labels": {"instance": "localhost:9090"}},
        indicator="x",
        origin="p",
    )
    assert up and units(up) == {""}


CONFIG = """
[app]
language = "en"

[plugins]
allow = ["source_csv"]

[storage]
path = "history.db"

[collector]
retries = 0

[indicators.retail]
name_zh = "社会消费品零售总额"
name_en = "Retail sales"
unit = "亿元"
frequency = "monthly"

[sources.retail_csv]
type = "csv"
path = "retail.csv"
skip_rows = 1
period_column = "月份"
interval = "1d"
indicator = "retail"
"""


def fetch(tmp_path: Path, extra: str) -> tuple[str, dict[str, Any]]:
    (tmp_path / "retail.csv").write_bytes(payload(RETAIL))
    config = tmp_path / "lishi.toml"
    config.write_text(textwrap.dedent(CONFIG) + textwrap.dedent(extra), encoding="utf-8")
    done = cli(config, "fetch", "--once")
    line = outcome_lines(done.stdout)["retail_csv"]
    shown = cli(config, "show", "--json")
    assert shown.returncode == 0, shown.stderr
    (row,) = [r for r in json.loads(shown.stdout) if r["indicator"] == "retail"]
    return line, row


def test_figures_in_wan_yuan_into_an_indicator_in_yi_yuan_are_refused(tmp_path: Path) -> None:
    line, row = fetch(tmp_path, 'value_column = "社会消费品零售总额(万元)"\n')
    assert line.startswith("ERR"), line
    assert "'万元'" in line and "'亿元'" in line and "10,000× too large" in line
    assert "scale = 0.0001" in line and "[sources.retail_csv]" in line
    assert row["value"] is None  # nothing stored: no figure 10,000 times too large


def test_the_scale_the_error_names_puts_it_right(tmp_path: Path) -> None:
    line, row = fetch(tmp_path, 'value_column = "社会消费品零售总额(万元)"\nscale = 0.0001\n')
    assert line.startswith("ok "), line
    # 2021年1-5月 "612,330.2" 万元 = 61.23302 亿元
    assert row["period"] == "2021-05" and row["value"] == 61.23302


PUBLISHED = """
[app]
language = "en"

[plugins]
allow = ["published"]

[storage]
path = "history.db"

[indicators.transformation_investment]
name_zh = "转型项目总投资"
name_en = "Transformation investment"
unit = "万元"

[sources.report]
type = "published"
path = "builtin:economy/published.toml"
interval = "1d"
indicators = ["transformation_investment"]
"""


def test_a_published_figure_states_its_unit(tmp_path: Path) -> None:
    # plugins/economy/published.toml: value = 166, unit = "亿元",
    # quote = "全年谋划转型项目 96个，总投资 166亿元。"; the indicator here is in 万元
    config = tmp_path / "lishi.toml"
    config.write_text(textwrap.dedent(PUBLISHED), encoding="utf-8")
    line = outcome_lines(cli(config, "fetch", "--once").stdout)["report"]
    assert line.startswith("ERR") and "10,000× too small" in line, line
    # 166 亿元 = 1,660,000 万元: multiplier 10^4 / 10^8
    assert "`multiplier = 0.0001` on [indicators.transformation_investment]" in line
    config.write_text(
        textwrap.dedent(PUBLISHED).replace('unit = "万元"', 'unit = "亿元"'), encoding="utf-8"
    )
    line = outcome_lines(cli(config, "fetch", "--once").stdout)["report"]
    assert line.startswith("ok "), line


def test_a_ratio_metric_into_an_indicator_in_percent_is_refused(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/metrics", OPENMETRICS.decode(), content_type="application/openmetrics-text")
    body = f"""
    [app]
    language = "en"

    [plugins]
    allow = ["source_prometheus"]

    [storage]
    path = "history.db"

    [collector]
    retries = 0

    [indicators.success]
    name_zh = "任务成功率"
    name_en = "Job success"
    unit = "%"
    frequency = "realtime"

    [sources.jobs]
    type = "prometheus"
    mode = "instant_text"
    url = "{http_server.url("/metrics")}"
    metric = "job_success_ratio"
    interval = "1m"
    indicator = "success"
    """
    config = tmp_path / "lishi.toml"
    config.write_text(textwrap.dedent(body), encoding="utf-8")
    line = outcome_lines(cli(config, "fetch", "--once").stdout)["jobs"]
    # 0.88 shown as "0.88 %" would be 100 times too small; prometheus takes no `scale`
    assert line.startswith("ERR") and "100× too small" in line, line
    assert "`multiplier = 0.01` on [indicators.success]" in line and "scale =" not in line
    config.write_text(
        textwrap.dedent(body).replace('unit = "%"', 'unit = "%"\nmultiplier = 0.01'),
        encoding="utf-8",
    )
    line = outcome_lines(cli(config, "fetch", "--once").stdout)["jobs"]
    assert line.startswith("ok "), line


def test_a_percentage_column_into_an_amount_is_refused(tmp_path: Path) -> None:
    line, row = fetch(tmp_path, 'value_column = "同比增长(%)"\n')
    assert line.startswith("ERR") and "percentage is not an amount" in line, line
    assert row["value"] is None
