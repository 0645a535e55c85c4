"""What a panel-kind plugin provides (PanelType): the widget a page's ``kind = "..."`` selects.

A panel kind is registered through ``lishi_register_panel_kinds`` (see
``lishi_tui.hookspecs``). This module imports no Textual: a plugin's registration runs in
every command, and only the dashboard builds widgets. A kind's ``widget`` is therefore a
``Panel`` subclass, or a function of no arguments that returns one, so a plugin can leave
the Textual import until a dashboard shows its panel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lishi_tui.app.widgets.panels.base import Panel

PANEL_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class PanelType:
    """A panel kind: its name in the config, and the widget that draws it.

    ``widget`` is a subclass of ``lishi_tui.plugin.Panel`` (built as
    ``widget(config, indicators, ctx)`` with the same ``PanelConfig``, indicators and
    ``PanelContext`` the built-in panels get), or a function of no arguments returning that
    class.
    """

    name: str
    widget: type[Panel] | Callable[[], type[Panel]]
    description: str = ""

    def widget_class(self) -> type[Panel]:
        """The Panel subclass, calling the loader if ``widget`` is one (imports Textual)."""
        from lishi_tui.app.widgets.panels.base import Panel

        widget: Any = self.widget
        cls = widget if isinstance(widget, type) else widget()
        if not (isinstance(cls, type) and issubclass(cls, Panel)):
            raise TypeError(
                f"panel kind {self.name!r}: widget must be a Panel subclass, got {cls!r:.80}"
            )
        return cls


def validate_panel_type(item: Any) -> None:
    """Raise TypeError/ValueError if a registered object is not a usable PanelType."""
    if not isinstance(item, PanelType):
        raise TypeError(f"expected a PanelType, got {type(item).__name__}: {item!r:.80}")
    if not isinstance(item.name, str) or not PANEL_KIND_NAME.match(item.name):
        raise ValueError(
            f"panel kind name {item.name!r} must be lower-case letters, digits and _,"
            " starting with a letter (at most 40)"
        )
    if not callable(item.widget):
        raise TypeError(f"panel kind {item.name!r}: widget is neither a class nor a function")
