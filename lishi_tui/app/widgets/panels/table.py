"""The table panel: several indicators side by side, a row each."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
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
from lishi_tui.app.snapshot import LATEST_POINTS
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.columns import GAP, NAME_COMFORT, fit_columns, table_lines
from lishi_tui.app.widgets.panels.render import RAG_STYLE, rag_words
from lishi_tui.domain.model import Indicator, MeasureKind, Rag


class TablePanel(Panel):
    """Several indicators side by side: value, period, progress, status, target, source.

    Enter lists the rows in a picker (up/down, Enter), so every row's detail is one
    keypress away without taking the arrows from panel navigation.
    """

    GROWS = 1  # on a page without a chart, the tables take the rows left over
    HISTORY_POINTS = LATEST_POINTS  # a row per indicator draws its latest figure, no history

    def action_detail(self) -> None:
        if len(self.indicators) <= 1:
            super().action_detail()
            return

        def chosen(indicator_id: str | None) -> None:
            if indicator_id is not None:
                self.post_message(DetailRequested(indicator_id))

        from lishi_tui.app.screens.picker import RowPicker  # a screen: imported when used

        title = self.title_text() or t("table.indicator", self.ctx.lang)
        self.app.push_screen(RowPicker(title, self.indicators, self.views, self.ctx.lang), chosen)

    def body(self, width: int) -> RenderableType:
        lang = self.ctx.lang
        rows = [self.row_cells(indicator) for indicator in self.indicators]
        headers = {key: t(key, lang) for key in COLUMNS}
        widths = fit_columns(
            COLUMNS, rows, headers, max(width, 20), elastic="table.indicator", drop_order=DROP_ORDER
        )
        lines = table_lines(widths, headers, rows, elastic="table.indicator", right=RIGHT_ALIGNED)
        return Group(*lines)

    def natural_height(self) -> int:
        return len(self.indicators) + 1 + 2  # header, a row each, the border

    def min_width(self) -> int:
        """Room for a comfortable name, the figure with its unit, the period with its marks,
        progress and status (source and target may go): estimated from the indicators'
        definitions, so that a page is laid out the same before and after its figures come."""
        lang = self.ctx.lang
        if not self.indicators:
            return 0

        def header(key: str) -> int:
            return cell_len(t(key, lang))

        name = min(max(cell_len(i.name(lang)) for i in self.indicators), NAME_COMFORT)
        value = max(FIGURE_CELLS + 1 + cell_len(unit(i, lang)) for i in self.indicators)
        cumulative = any(i.measure in (MeasureKind.YTD, MeasureKind.RATIO) for i in self.indicators)
        period = (CUMULATIVE_PERIOD_CELLS if cumulative else PERIOD_CELLS) + 2  # " ⏱"
        rag = 2 + max(cell_len(t(f"panel.rag.{r.value}", lang)) for r in Rag if r is not Rag.NONE)
        cells = [
            max(name, header("table.indicator")),
            max(value, header("table.value")),
            max(period, header("table.period")),
            max(4, header("table.progress")),
            max(rag, header("table.status")),
        ]
        return sum(cells) + GAP * (len(cells) - 1) + 4  # border and padding

    def row_cells(self, indicator: Indicator) -> dict[str, Text]:
        """One row's cells by column; the figure cell carries its unit and demo mark, the
        period cell the stale and failing marks (those columns are never dropped)."""
        lang = self.ctx.lang
        view = self.views.get(indicator.id)
        latest = view.latest if view else None
        value = Text(value_text(indicator, latest, lang), RAG_STYLE[view.rag] if view else "")
        if view and view.demo:
            value.append(" ")
            value.append(t("panel.demo", lang), "reverse")
        period = Text(period_text(indicator, latest, lang))
        if view and view.stale:
            period.append(" ⏱", "magenta")
        if view and view.failing:
            period.append(" ⚠", "bold yellow")
        source = (
            Text(t("panel.failing", lang), "bold reverse yellow")
            if view and view.failing
            else literal(view.source_id if view else indicator.source, "dim")
        )
        return {
            "table.indicator": literal(indicator.name(lang)),
            "table.value": value,
            "table.period": period,
            "table.progress": Text(
                f"{view.progress * 100:.0f}%"
                if view and view.progress is not None
                else t("none", lang)
            ),
            "table.status": rag_words(view, lang) if view else Text(""),
            "table.target": Text(
                f"{number(indicator, indicator.target.value)} {unit(indicator, lang)}".strip()
                if indicator.target
                else t("none", lang)
            ),
            "table.source": source,
        }


# Left to right as shown; the name gives way first, then these columns go, in this order.
COLUMNS = (
    "table.indicator",
    "table.value",
    "table.period",
    "table.progress",
    "table.status",
    "table.target",
    "table.source",
)
DROP_ORDER = ("table.source", "table.target", "table.status", "table.progress")
# Estimates for min_width: a figure's digits with its qualifier ("≥18,000", "1,581.25"), and
# a period label ("2021年10月", "Dec 2026"; cumulative: "截至2021年10月底", "to end Oct 2021").
FIGURE_CELLS = 8
PERIOD_CELLS = 9
CUMULATIVE_PERIOD_CELLS = 16
RIGHT_ALIGNED = frozenset({"table.value", "table.progress"})
