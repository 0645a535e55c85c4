"""The gauge panel: completion against a target (1,581 of 1,787 requests handled); on a tall
row, the change, origin, note and every stored period below."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from lishi_tui.app.formatting import (
    append_status_mark,
    period_text,
    ratio_text,
    target_text,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import GLANCE_POINTS
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.render import RAG_STYLE, bar, fit, rag_words, status_line
from lishi_tui.app.widgets.panels.tall import change_line, tall_lines


class GaugePanel(Panel):
    """Completion against target, e.g. 1581 of 1787 requests handled."""

    HISTORY_POINTS = GLANCE_POINTS  # when tall, its list of periods
    NATURAL_HEIGHT = 7

    def body(self, width: int) -> RenderableType:
        lang = self.ctx.lang
        width = max(width, 10)
        view = self.view()
        indicator = self.indicators[0]
        if view is None or view.latest is None:
            return Group(*fit([Text(t("panel.no_data", lang), "dim")]))
        latest = view.latest
        parts = ratio_text(indicator, latest)
        head = Text()
        if parts:
            head.append(parts, "bold")
            head.append("  ")
        head.append(value_text(indicator, latest, lang), RAG_STYLE[view.rag])
        append_status_mark(head, latest, lang)
        if view.demo:
            head.append("  ")
            head.append(t("panel.demo", lang), "reverse")
        fraction = view.progress
        if fraction is None and latest.value is not None and indicator.unit == "%":
            fraction = latest.value / 100
        gauge = bar(fraction, width)
        info = Text(period_text(indicator, latest, lang))
        info.append("  ")
        info.append_text(rag_words(view, lang))
        goal = Text(target_text(indicator, lang), "dim")
        lines = [head, gauge, info, goal, status_line(view, self.ctx)]
        # A taller row (beside a chart or a table, on a big window): the change from the
        # previous period, then the figure's origin, note and periods.
        room = self.content_size.height - len(lines)
        if room > 0:
            lines.append(change_line(view, lang))
            lines += tall_lines(view, lang, width, room - 1)
        return Group(*fit(lines))
