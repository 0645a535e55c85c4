"""The page picker: every page in a list filtered as you type (a title or a number); Enter goes there.

With 125 pages, Tab is not a way to reach page 80, and the tab row shows a dozen titles at a
time. The picker lists them all; typing narrows the list (by either language's title or the
page's number), the arrows move, Enter shows the page, Escape leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from lishi_tui.app.i18n import t
from lishi_tui.config.schema import PageConfig

# Above this many pages the picker's key is in the footer; it works with fewer too.
PICKER_IN_FOOTER = 20


def page_label(number: int, page: PageConfig, lang: str, digits: int = 1) -> str:
    """``number`` right-aligned to ``digits`` (the titles start in one column), the title.

    Padded with no-break spaces: the option list drops a prompt's leading spaces.
    """
    return f"{str(number).rjust(digits, NBSP)}  {page.title(lang)}"


NBSP = "\u00a0"


def matches(query: str, number: int, page: PageConfig) -> bool:
    """``query`` found in the page's number or in its title in either language."""
    words = query.strip().casefold()
    if not words:
        return True
    if words.isdigit():
        return words in str(number)
    return any(words in title.casefold() for title in (page.title("zh"), page.title("en")))


class PagePicker(ModalScreen[int | None]):
    """The pages as a filtered list; dismissed with the chosen page's index, or None."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", show=False),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
    ]

    def __init__(self, pages: Sequence[PageConfig], current: int, lang: str) -> None:
        super().__init__()
        self.pages = tuple(pages)
        self.current = current
        self.lang = lang
        self.shown: list[int] = []  # page indexes in the list, in order
        # The line Enter picks, kept here: the list's own highlight is settled a refresh
        # after its options are replaced, and keys typed quickly must not race it.
        self.cursor = 0

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="page-picker-box") as box:
            box.border_title = t("pages.picker.title", lang, count=len(self.pages))
            yield Input(placeholder=t("pages.picker.placeholder", lang), id="page-picker-query")
            yield OptionList(id="page-picker-rows")
            yield Static(Text(t("pages.picker.hint", lang), "dim"), id="page-picker-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        rows = self.query_one(OptionList)
        rows.clear_options()
        self.shown = [
            index for index, page in enumerate(self.pages) if matches(query, index + 1, page)
        ]
        if not self.shown:
            rows.add_option(Option(Text(t("pages.picker.none", self.lang), "dim"), disabled=True))
            return
        # Text, never markup: a page title is the operator's words.
        digits = len(str(len(self.pages)))
        rows.add_options(
            Option(Text(page_label(index + 1, self.pages[index], self.lang, digits)), id=str(index))
            for index in self.shown
        )
        self.cursor = self.shown.index(self.current) if self.current in self.shown else 0
        rows.highlighted = self.cursor

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown:
            self.dismiss(self.shown[self.cursor])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_move(self, step: int) -> None:
        if self.shown:
            self.cursor = max(0, min(len(self.shown) - 1, self.cursor + step))
            self.query_one(OptionList).highlighted = self.cursor

    def action_cancel(self) -> None:
        self.dismiss(None)
