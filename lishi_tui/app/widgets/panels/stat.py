"""The stat panel: one figure with unit, period, change, progress to target and age; on a tall
row, its origin, note and every stored period below."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from lishi_tui.app.formatting import (
    append_status_mark,
    period_text,
    target_text,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import GLANCE_POINTS
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.render import (
    RAG_STYLE,
    bar,
    fit,
    rag_words,
    sparkline,
    status_line,
)
from lishi_tui.app.widgets.panels.tall import change_line, tall_lines


class StatPanel(Panel):
    """Value with unit and period, change, progress to target, RAG, sparkline and age."""

    HISTORY_POINTS = GLANCE_POINTS  # its sparkline and, when tall, its list of periods

    def body(self, width: int) -> RenderableType:
        lang = self.ctx.lang
        width = max(width, 10)
        view = self.view()
        indicator = self.indicators[0]
        if view is None or view.latest is None:
            return Group(
                *fit(
                    [
                        Text(t("panel.no_data", lang), "dim"),
                        Text(""),
                        status_line(view, self.ctx) if view else Text(""),
                    ]
                )
            )
        latest = view.latest
        head = Text(value_text(indicator, latest, lang), RAG_STYLE[view.rag])
        append_status_mark(head, latest, lang)
        if view.demo:
            head.append("  ")
            head.append(t("panel.demo", lang), "reverse")
        head.append("  ")
        head.append_text(rag_words(view, lang))
        period = Text(period_text(indicator, latest, lang))
        change = change_line(view, lang)
        goal = Text()
        if indicator.target is not None:
            pct = f"{view.progress * 100:.0f}%" if view.progress is not None else ""
            goal.append_text(bar(view.progress, min(12, max(width - 24, 4))))
            goal.append(f" {pct} ")
        goal.append(target_text(indicator, lang), "dim")
        spark = Text(sparkline(view.values(last=width), width), "cyan")
        status = status_line(view, self.ctx)
        lines = [head, period, change, goal, spark, status]
        if (
            not spark.plain.strip()
            and status.cell_len > width
            and (cut := status.plain.find(" · ")) > 0
        ):
            # No history to draw (one period): on a narrow panel the status takes that row,
            # broken between its two facts, instead of losing when the source last answered.
            lines[4:] = [status[:cut], status[cut + 3 :]]
        # A row of the page taller than these lines (beside a chart or a table, on a big
        # window): the figure's origin, its note and its periods in the rows below.
        lines += tall_lines(view, lang, width, self.content_size.height - len(lines))
        return Group(*fit(lines))
