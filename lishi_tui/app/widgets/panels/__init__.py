"""Dashboard panels, one kind per module over ``base.Panel``; ``make_panel`` builds one from config.

Which class draws a ``kind`` is the plugin registry's: the built-in kinds are registered by
the bundled ``panels`` plugin through ``lishi_register_panel_kinds``, like any other
(``kinds``).
"""

from __future__ import annotations

from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.chart import ChartPanel
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.gauge import GaugePanel
from lishi_tui.app.widgets.panels.kinds import GuardedPanel, PanelFailed, make_panel
from lishi_tui.app.widgets.panels.repaint import changed_spans
from lishi_tui.app.widgets.panels.stat import StatPanel
from lishi_tui.app.widgets.panels.table import TablePanel

__all__ = [
    "ChartPanel",
    "GaugePanel",
    "GuardedPanel",
    "Panel",
    "PanelContext",
    "PanelFailed",
    "StatPanel",
    "TablePanel",
    "changed_spans",
    "make_panel",
]
