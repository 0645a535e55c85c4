"""The table panel: several indicators side by side, a row each."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from lishi_tui.app.formatting import (
    literal,
    number,
    period_text,
    unit,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.messages import DetailRequested
from lishi_tui.app.screens.picker import RowPicker
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.render import RAG_STYLE, flatten, rag_words


class TablePanel(Panel):
    """Several indicators side by side: value, target, progress, status, period, source.

    Enter lists the rows in a picker (up/down, Enter), so every row's detail is one
    keypress away without taking the arrows from panel navigation.
    """

    def action_detail(self) -> None:
        if len(self.indicators) <= 1:
            super().action_detail()
            return

        def chosen(indicator_id: str | None) -> None:
            if indicator_id is not None:
                self.post_message(DetailRequested(indicator_id))

        title = self.title_text() or t("table.indicator", self.ctx.lang)
        self.app.push_screen(RowPicker(title, self.indicators, self.views, self.ctx.lang), chosen)

    def body(self, width: int) -> RenderableType:
        lang = self.ctx.lang
        width = max(width, 20)
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False, padding=(0, 1))
        wide = width >= 70
        columns = ["table.indicator", "table.value", "table.period"]
        if wide:
            columns += ["table.target", "table.progress"]
        if width >= 90:
            columns.append("table.status")
        columns.append("table.source")
        for key in columns:
            table.add_column(
                t(key, lang),
                no_wrap=True,
                overflow="ellipsis",
                ratio=2 if key == "table.indicator" else 1,
                style="dim" if key == "table.source" else "",
            )
        for indicator in self.indicators:
            view = self.views.get(indicator.id)
            latest = view.latest if view else None
            cells: dict[str, Text] = {
                "table.indicator": literal(indicator.name(lang)),
                "table.value": Text(
                    value_text(indicator, latest, lang)
                    + (f" {t('panel.demo', lang)}" if view and view.demo else ""),
                    RAG_STYLE[view.rag] if view else "",
                ),
                "table.period": Text(period_text(indicator, latest, lang)),
                "table.target": Text(
                    f"{number(indicator, indicator.target.value)} {unit(indicator, lang)}"
                    if indicator.target
                    else t("none", lang)
                ),
                "table.progress": Text(
                    f"{view.progress * 100:.0f}%"
                    if view and view.progress is not None
                    else t("none", lang)
                ),
                "table.status": rag_words(view, lang) if view else Text(""),
                "table.source": literal(view.source_id if view else indicator.source),
            }
            if view and view.failing:
                cells["table.source"] = Text(t("panel.failing", lang), "bold reverse yellow")
            elif view and view.stale:
                cells["table.period"].append(" ⏱", "magenta")
            table.add_row(*(cells[k] for k in columns))
        return flatten(table, width, self.app)
