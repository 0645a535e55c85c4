"""The row picker: Enter on a table panel lists its indicators; up/down and Enter open one's detail."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lishi_tui.app.formatting import literal, value_text
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.domain.model import Indicator


class RowPicker(ModalScreen[str | None]):
    """A table panel's rows as a list; dismissed with the chosen indicator id, or None on Escape.

    Up/down inside a focused table panel would fight with moving between panels, so the
    table's rows get their own small screen where the arrows are free.
    """

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", show=False),
    ]

    def __init__(
        self,
        title: str,
        indicators: Sequence[Indicator],
        views: dict[str, IndicatorView],
        lang: str,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.indicators = tuple(indicators)
        self.views = views
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        options = []
        for number, indicator in enumerate(self.indicators, start=1):
            view = self.views.get(indicator.id)
            prompt = Text(f"{number}  ")
            prompt.append_text(literal(indicator.name(lang), "bold"))
            prompt.append("  ")
            prompt.append(value_text(indicator, view.latest if view else None, lang))
            if view is not None and view.demo:
                prompt.append(f" {t('panel.demo', lang)}", "reverse")
            options.append(Option(prompt, id=indicator.id))
        with Vertical(id="picker-box") as box:
            box.border_title = self.title_text
            yield OptionList(*options, id="picker-rows")
            yield Static(Text(t("picker.hint", lang), "dim"), id="picker-hint")

    def on_mount(self) -> None:
        rows = self.query_one(OptionList)
        rows.highlighted = 0
        rows.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
