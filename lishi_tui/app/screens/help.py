"""The help screen: every key the dashboard answers to, and what the panel markings mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from lishi_tui.app.i18n import t

# (keys as shown, help string id); the test checks every dashboard binding is listed here.
HELP_ROWS: tuple[tuple[str, str], ...] = (
    ("← ↓ ↑ →  h j k l", "help.move"),
    ("Tab  Shift+Tab  0-9  g", "help.pages"),
    ("Enter", "help.detail"),
    ("Esc", "help.back"),
    ("/  Ctrl+P", "help.palette"),
    ("r", "help.refresh"),
    ("p", "help.plugins"),
    ("a", "help.alerts"),
    ("Ctrl+S", "help.screenshot"),
    ("?", "help.help"),
    ("q", "help.quit"),
)


class HelpScreen(ModalScreen[None]):
    """A modal list of bindings; Escape, ? or q closes it."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,question_mark,q", "dismiss", show=False),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        table = Table(title=t("help.title", lang), expand=True, box=None, padding=(0, 1))
        table.add_column(t("help.keys", lang), style="bold cyan", no_wrap=True)
        # "fold": a Chinese sentence has no spaces to wrap at; the default would cut its
        # middle off with an ellipsis, this breaks it between characters instead.
        table.add_column(t("help.action", lang), overflow="fold")
        for keys, key in HELP_ROWS:
            table.add_row(keys, t(key, lang))
        with Vertical(id="help-box"):
            with VerticalScroll(id="help-scroll"):
                yield Static(table, id="help-table")
                yield Static(Text(t("help.legend", lang), overflow="fold"), id="help-legend")
            # Outside the scroll: how to leave is on screen whatever the terminal's height.
            yield Static(Text(t("help.close", lang), "dim"), id="help-close")
