"""Dashboard panels, one kind per module over ``base.Panel``; ``make_panel`` builds one from config."""

from __future__ import annotations

from collections.abc import Sequence

from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.chart import ChartPanel
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.gauge import GaugePanel
from lishi_tui.app.widgets.panels.repaint import changed_spans
from lishi_tui.app.widgets.panels.stat import StatPanel
from lishi_tui.app.widgets.panels.table import TablePanel
from lishi_tui.config.schema import PanelConfig, PanelKind
from lishi_tui.domain.model import Indicator

PANEL_TYPES: dict[PanelKind, type[Panel]] = {
    PanelKind.STAT: StatPanel,
    PanelKind.CHART: ChartPanel,
    PanelKind.TABLE: TablePanel,
    PanelKind.GAUGE: GaugePanel,
}


def make_panel(config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext) -> Panel:
    """The panel ``config`` asks for, showing ``indicators``."""
    return PANEL_TYPES[config.kind](config, indicators, ctx)


__all__ = [
    "PANEL_TYPES",
    "ChartPanel",
    "GaugePanel",
    "Panel",
    "PanelContext",
    "StatPanel",
    "TablePanel",
    "changed_spans",
    "make_panel",
]
