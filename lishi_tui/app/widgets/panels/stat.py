"""The stat panel: one figure with unit, period, change, progress to target and age."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from lishi_tui.app.formatting import (
    append_status_mark,
    delta_text,
    period_text,
    target_text,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.render import (
    RAG_STYLE,
    bar,
    fit,
    rag_words,
    sparkline,
    status_line,
)


class StatPanel(Panel):
    """Value with unit and period, change, progress to target, RAG, sparkline and age."""

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
        if view.previous is not None and view.previous.demo and not latest.demo:
            # A difference from an invented figure is itself invented: a label beside the
            # number is lost once the number is read out or copied into a report.
            change = Text(t("panel.change_demo", lang), "dim italic")
        elif (
            view.previous is not None
            and view.previous.value is not None
            and latest.value is not None
        ):
            change = Text(
                t(
                    "panel.change",
                    lang,
                    delta=delta_text(indicator, latest.value - view.previous.value, lang),
                )
            )
        else:
            change = Text(t("panel.change_none", lang), "dim")
        goal = Text()
        if indicator.target is not None:
            pct = f"{view.progress * 100:.0f}%" if view.progress is not None else ""
            goal.append_text(bar(view.progress, min(12, max(width - 24, 4))))
            goal.append(f" {pct} ")
        goal.append(target_text(indicator, lang), "dim")
        spark = Text(sparkline(view.values(), width), "cyan")
        return Group(*fit([head, period, change, goal, spark, status_line(view, self.ctx)]))
