"""The ``plugin new --kind panel`` templates: a panel kind, its widget module, and its test.

The widget lives in a module of its own and is registered through a loader, so that
registering the kind (which every ``lishi-tui`` command does) imports no Textual.
"""

from __future__ import annotations

PANEL_MODULE = '''"""{title}: the `{module}` panel kind, a figure and what is left to reach its target.

A page selects it with ``kind = "{module}"``. The widget is in ``panel.py``; it is imported
only when a dashboard shows the panel, so other lishi-tui commands stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lishi_tui.plugin import PanelType, RegisterPanelKind, hookimpl

if TYPE_CHECKING:
    from lishi_tui.plugin import Panel

__version__ = "0.1.0"


def load_widget() -> type[Panel]:
    from .panel import {cls}

    return {cls}


@hookimpl
def lishi_register_panel_kinds(register: RegisterPanelKind) -> None:
    register(PanelType("{module}", load_widget, description="{title}: a figure and its gap"))
'''

PANEL_WIDGET = '''"""The `{module}` panel: the latest figure, its period, and the gap to the target."""

from __future__ import annotations

from rich.text import Text

from lishi_tui.plugin import Panel, period_text, value_text


class {cls}(Panel):
    """Drawn with what every panel gets: ``self.ctx`` (language, colour, clock), the
    indicators, and ``self.view()``, the latest figures (``update_views`` sets them)."""

    NATURAL_HEIGHT = 5  # rows, border included

    def body(self, width: int) -> Text:
        lang = self.ctx.lang
        indicator = self.indicators[0]
        view = self.view()
        if view is None or view.latest is None or view.latest.value is None:
            return Text("暂无数据" if lang == "zh" else "no data", "dim")
        text = Text(value_text(indicator, view.latest, lang), "bold")
        text.append("  " + period_text(indicator, view.latest, lang))
        if indicator.target is not None:
            gap = indicator.target.value - view.latest.value
            words = "距目标" if lang == "zh" else "to target"
            text.append(f"\\n{{words}} {{gap:g}} {{indicator.unit_label(lang)}}")
        return text
'''

PANEL_TEST = '''"""The `{module}` panel kind, registered and drawn by lishi-tui's own plugin harness."""

from __future__ import annotations

from datetime import UTC, date, datetime

import {module}
from lishi_tui.plugin import Indicator, Period, Reading, Target

INDICATOR = Indicator(
    "greened_area", "新增绿化面积", "Area greened", unit="亩", unit_en="mu",
    target=Target(1000.0, date(2021, 12, 31)),
)
READINGS = [
    Reading("greened_area", Period.month(2021, 9), 620.0, origin="test"),
    Reading("greened_area", Period.month(2021, 10), 655.0, origin="test"),
]
NOW = datetime(2021, 11, 20, tzinfo=UTC)


def test_the_kind_registers(lishi_plugin) -> None:
    registry = lishi_plugin.load("{module}", {module})
    assert not lishi_plugin.errors(registry)
    assert "{module}" in registry.panel_types


def test_the_panel_draws_the_figure_and_the_gap(lishi_plugin) -> None:
    registry = lishi_plugin.load("{module}", {module})
    screen = lishi_plugin.panel(registry, "{module}", INDICATOR, READINGS, now=NOW)
    assert "655 亩" in screen and "2021年10月" in screen
    assert "距目标 345 亩" in screen


def test_the_english_ui(lishi_plugin) -> None:
    registry = lishi_plugin.load("{module}", {module})
    screen = lishi_plugin.panel(registry, "{module}", INDICATOR, READINGS, now=NOW, lang="en")
    assert "to target 345 mu" in screen
'''

PANEL_USAGE = """Show it on a page of a config:

```toml
[[pages.economy.panels]]
kind = "{module}"
indicator = "tertiary_share"
```"""
