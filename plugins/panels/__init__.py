"""The built-in panel kinds (stat, chart, table, gauge), registered as any plugin's would be.

Each kind's widget is given as a loader, so registering them imports no Textual: only a
dashboard that shows a panel imports its class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lishi_tui.plugin import PanelType, RegisterPanelKind, hookimpl

if TYPE_CHECKING:
    from lishi_tui.plugin import Panel


def _stat() -> type[Panel]:
    from lishi_tui.plugin import StatPanel

    return StatPanel


def _chart() -> type[Panel]:
    from lishi_tui.plugin import ChartPanel

    return ChartPanel


def _table() -> type[Panel]:
    from lishi_tui.plugin import TablePanel

    return TablePanel


def _gauge() -> type[Panel]:
    from lishi_tui.plugin import GaugePanel

    return GaugePanel


KINDS = (
    PanelType("stat", _stat, "one figure: unit, period, change, progress, sparkline"),
    PanelType("chart", _chart, "the history of one or more indicators as a line chart"),
    PanelType("table", _table, "several indicators, a row each"),
    PanelType("gauge", _gauge, "progress towards the target as a bar"),
)


@hookimpl
def lishi_register_panel_kinds(register: RegisterPanelKind) -> None:
    for kind in KINDS:
        register(kind)
