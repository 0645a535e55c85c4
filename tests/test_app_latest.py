"""The latest figure on a panel, the detail screen and in ``show`` is the newest period with a value.

An office's table with next month's row still blank (the workbook under
tests/data/payloads), fetched by the real CLI into a real SQLite file, then shown by the
real app under ``App.run_test()`` reading that file: the blank month is "not yet
published", never the latest figure.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

from lishi_tui.app.app import make_app
from lishi_tui.bootstrap import load_runtime
from lishi_tui.domain.periods import CHINA_TZ
from tests.app_support import screen_text
from tests.support.waiting import until_shown
from tests.test_source_e2e import cli, shown

PAYLOADS = Path(__file__).parent / "data" / "payloads"
# Sheet 社零月度: 月份 | 累计(亿元) | 同比增长(%), rows 2021年1-1月 … 2021年1-10月 (38.74, 12.3),
# then 2021年1-11月 with both cells blank.
CONFIG = """
[app]
language = "zh"

[plugins]
allow = ["source_excel", "panels"]

[storage]
path = "history.db"

[indicators.retail_total]
name_zh = "社会消费品零售总额（累计）"
name_en = "Retail sales, year to date"
unit = "亿元"
decimals = 2
frequency = "monthly"
measure = "ytd"

[sources.report_monthly]
type = "excel"
interval = "1d"
indicator = "retail_total"
path = "月报.xlsx"
sheet = "社零月度"
period_column = "月份"
value_column = "累计(亿元)"

[pages.retail]
title_zh = "消费"
title_en = "Retail"

[[pages.retail.panels]]
kind = "stat"
indicator = "retail_total"

[[pages.retail.panels]]
kind = "table"
indicators = ["retail_total"]
"""


def fetched_config(tmp_path: Path) -> Path:
    (tmp_path / "月报.xlsx").write_bytes((PAYLOADS / "statistics_office_monthly.xlsx").read_bytes())
    config = tmp_path / "lishi.toml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    done = cli(config, "fetch", "--once")
    assert done.returncode == 0, done.stdout + done.stderr
    return config


async def test_panel_detail_and_show_agree_on_the_newest_month_with_a_figure(
    tmp_path: Path,
) -> None:
    config = fetched_config(tmp_path)
    row = shown(config)["retail_total"]
    assert (row["period"], row["value"], row["period_label"]) == (
        "2021-10",
        38.74,
        "截至2021年10月底",
    )

    runtime = load_runtime(config, {})
    store = runtime.open_store()
    try:
        # the blank November row is stored (as no figure), so the test sees the real case
        kept = {o.period.key: o.value for o in store.history("retail_total", limit=None)}
        assert "2021-11" in kept and kept["2021-11"] is None and kept["2021-10"] == 38.74
        app = make_app(
            runtime.config,
            runtime.registry,
            store,
            clock=lambda: datetime(2021, 12, 1, 9, 0, tzinfo=CHINA_TZ),
            env={},
        )
        async with app.run_test(size=(160, 50)) as pilot:
            # the overview's line: the figure and its period, not the blank month
            await until_shown(pilot, "38.74 亿元  截至2021年10月底")
            assert "11月" not in screen_text(app)
            await pilot.press("1")  # the page: a stat panel and a table panel
            await until_shown(pilot, "较上期 +4.27 亿元")
            page = screen_text(app)
            # 38.74 − 34.47 (2021年1-9月): the previous figure is September's, too
            # (the stat's period, its list of periods, newest first, and the table's row)
            assert page.count("截至2021年10月底") == 3 and "11月" not in page
            assert "截至2021年9月底" in page  # the list's next line: September's figure
            app.open_detail("retail_total")
            await until_shown(pilot, "最新数值: 38.74 亿元")
            detail = screen_text(app)
            assert "统计时期: 截至2021年10月底" in detail
            # November is listed in the history as missing (暂缺), and only there
            november = [line for line in detail.splitlines() if "2021-11" in line]
            assert len(november) == 1 and "暂缺" in november[0] and "亿元" not in november[0]
    finally:
        store.close()
