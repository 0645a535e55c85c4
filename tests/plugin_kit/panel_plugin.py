"""A third-party panel-kind plugin as an author would write it, for the panel-kind tests.

Written into a ``[plugins] dirs`` folder by the tests (its text is ``PLUGIN_TEXT``), so it
loads by the same path as any folder plugin. ``countdown`` draws days to the target's
deadline and what is left to reach it; the others fail on purpose, or return hostile text.
"""

from __future__ import annotations

PLUGIN_TEXT = """
from datetime import date

from rich.text import Text

from lishi_tui.plugin import (
    CHINA_TZ, Indicator, Panel, PanelType, Target, hookimpl, period_text, value_text,
)


class Countdown(Panel):
    NATURAL_HEIGHT = 5

    def body(self, width):
        lang = self.ctx.lang
        view = self.view()
        indicator = self.indicators[0]
        if view is None or view.latest is None or view.latest.value is None:
            return Text("暂无数据" if lang == "zh" else "no data", "dim")
        text = Text(value_text(indicator, view.latest, lang), "bold")
        text.append("  " + period_text(indicator, view.latest, lang))
        target = indicator.target
        if target is not None and target.deadline is not None:
            today = self.ctx.clock().astimezone(CHINA_TZ).date()
            days = (target.deadline - today).days
            left = target.value - view.latest.value
            if lang == "zh":
                text.append(f"\\n距目标期限 {days} 天，尚差 {left:g} {indicator.unit}")
            else:
                text.append(f"\\n{days} days to the deadline, {left:g} {indicator.unit} to go")
        return text


class BrokenBody(Panel):
    def body(self, width):
        return 1 / 0


class BrokenInit(Panel):
    def __init__(self, config, indicators, ctx):
        raise RuntimeError("the widget cannot be built")


class Literal(Panel):
    def body(self, width):
        return "[bold red]not markup[/] [@click=app.quit]x[/]"


@hookimpl
def lishi_register_indicators(register):
    register(Indicator(
        "plots_greened", "新增绿化面积", "Area greened", unit="亩", unit_en="mu", decimals=0,
        target=Target(1000.0, date(2021, 12, 31)),
    ))


@hookimpl
def lishi_register_panel_kinds(register):
    register(PanelType("countdown", Countdown, description="days and amount left to the target"))
    register(PanelType("broken_body", BrokenBody))
    register(PanelType("broken_init", lambda: BrokenInit))
    register(PanelType("literal", Literal))
"""

CONFIG_TEXT = """
[plugins]
dirs = ["{folder}"]

[app]
demo = false
overview = "off"
language = "{lang}"

[sources.plots]
type = "csv"
interval = "1h"
path = "plots.csv"
period_column = "period"
value_column = "value"
indicator = "plots_greened"

[pages.green]
title_zh = "绿化"
title_en = "Greening"

[[pages.green.panels]]
kind = "countdown"
indicator = "plots_greened"
title = "绿化倒计时"

[[pages.green.panels]]
kind = "stat"
indicator = "plots_greened"

[[pages.green.panels]]
kind = "broken_body"
indicator = "plots_greened"
width = 2

[pages.more]
title_zh = "更多"

[[pages.more.panels]]
kind = "broken_init"
indicator = "plots_greened"

[[pages.more.panels]]
kind = "literal"
indicator = "plots_greened"
"""

CSV_TEXT = "period,value\n2021-09,620\n2021-10,655\n"
