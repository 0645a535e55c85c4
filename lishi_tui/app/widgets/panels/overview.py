"""The overview: every indicator of every page on one line, what needs attention first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.widget import Widget

from lishi_tui.app.formatting import literal, period_text, value_text
from lishi_tui.app.i18n import t
from lishi_tui.app.messages import DetailRequested
from lishi_tui.app.snapshot import LATEST_POINTS, IndicatorView
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.columns import fit_columns, table_lines
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.render import RAG_MARK, RAG_STYLE, bar
from lishi_tui.config.schema import PanelConfig, PanelKind
from lishi_tui.domain.model import Direction, Indicator, Rag

COLUMNS = ("ov.mark", "ov.name", "ov.value", "ov.period", "ov.trend", "ov.progress", "ov.status")
DROP_ORDER = ("ov.trend", "ov.status", "ov.progress")
RIGHT_ALIGNED = frozenset({"ov.value", "ov.progress"})


@dataclass(frozen=True)
class Layout:
    """One way to set the lines out: the roomiest first, then tighter ones (an 80-column
    English screen keeps its progress and status by these, the names giving way)."""

    trend_column: bool  # the trend in a column of its own, else beside the RAG mark
    bar_cells: int  # the progress bar's cells (0: the percentage alone)
    gap: int  # cells between columns
    short_headers: bool
    comfort: int  # the fewest cells a name keeps before a column is dropped


LAYOUTS = (
    Layout(trend_column=True, bar_cells=6, gap=2, short_headers=False, comfort=16),
    Layout(trend_column=False, bar_cells=6, gap=2, short_headers=False, comfort=16),
    Layout(trend_column=False, bar_cells=3, gap=1, short_headers=True, comfort=14),
    Layout(trend_column=False, bar_cells=0, gap=1, short_headers=True, comfort=12),
)
# Shown whenever the figures are there: a layout that would drop one of these is passed over.
KEPT = frozenset({"ov.progress", "ov.status"})
SHORT_HEADERS = {"ov.progress": "ov.progress.short", "ov.status": "ov.status.short"}
# A line shows the latest figure and the trend from the one before: a few periods suffice
# (a few more than two, in case the newest are demo periods after the latest real figure).
OVERVIEW_HISTORY_POINTS = LATEST_POINTS


def attention(view: IndicatorView | None) -> int:
    """How urgently a line wants reading: a failing source, red, amber, stale, no figure, fine."""
    if view is not None and view.failing:
        return 0
    if view is None or view.latest is None:
        return 4
    if view.rag is Rag.RED:
        return 1
    if view.rag is Rag.AMBER:
        return 2
    if view.stale:
        return 3
    return 5


def trend(view: IndicatorView | None) -> Text:
    """↑ ↓ → against the previous real figure, green when it moves the right way."""
    if view is None or view.latest is None or view.previous is None:
        return Text("")
    now, before = view.latest.value, view.previous.value
    if now is None or before is None or view.previous.demo:
        return Text("")
    if now == before:
        return Text("→", "dim")
    up = now > before
    good = up == (view.indicator.direction is Direction.HIGHER)
    return Text("↑" if up else "↓", "green" if good else "red")


class OverviewPanel(Panel):
    """All indicators as lines: mark, name, figure, period, trend, progress, status.

    Up/down pick a line and Enter opens its detail; the lines are sorted with a failing
    source, red, amber and stale figures first.
    """

    HISTORY_POINTS = OVERVIEW_HISTORY_POINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("home", "cursor_to(0)", show=False),
        Binding("end", "cursor_to(-1)", show=False),
    ]

    def __init__(self, indicators: Sequence[Indicator], ctx: PanelContext) -> None:
        super().__init__(
            PanelConfig(PanelKind.TABLE, tuple(i.id for i in indicators)), indicators, ctx
        )
        self.add_class("-overview")
        self.cursor_id: str | None = None  # None: the top line, whichever it is now

    def title_text(self) -> str:
        return t("overview.title", self.ctx.lang)

    def status_classes(self, present: list[IndicatorView]) -> dict[str, bool]:
        return {}  # each line carries its own marks; the border never tints for one of them

    def border_texts(self, present: list[IndicatorView]) -> tuple[str, str]:
        return self.title_text(), t("overview.keys", self.ctx.lang)

    def natural_height(self) -> int:
        return len(self.indicators) + 1 + 2  # header, a line each, the border

    def ordered(self) -> list[Indicator]:
        """The indicators as shown: most urgent first, then in page order."""
        order = {ind.id: n for n, ind in enumerate(self.indicators)}
        return sorted(self.indicators, key=lambda i: (attention(self.views.get(i.id)), order[i.id]))

    def body(self, width: int) -> RenderableType:
        shown = self.ordered()
        width = max(width, 20)
        # The first layout that keeps every column it has (the trend, where it has a column
        # of its own; progress and status); else the tightest, dropping what it must.
        for layout in LAYOUTS:
            columns = (
                COLUMNS if layout.trend_column else tuple(c for c in COLUMNS if c != "ov.trend")
            )
            rows = [self.row_cells(indicator, layout) for indicator in shown]
            headers = {key: self.header(key, layout) for key in columns}
            widths = fit_columns(
                columns,
                rows,
                headers,
                width,
                elastic="ov.name",
                drop_order=DROP_ORDER,
                gap=layout.gap,
                comfort=layout.comfort,
            )
            if widths.keys() >= KEPT | {"ov.trend"} & set(columns):
                break
        lines = table_lines(
            widths, headers, rows, elastic="ov.name", right=RIGHT_ALIGNED, gap=layout.gap
        )
        if self.has_focus:
            picked = self.cursor_id or (shown[0].id if shown else None)
            for line, indicator in zip(lines[1:], shown, strict=True):
                if indicator.id == picked:
                    line.stylize("reverse")
                    line.append(" " * max(width - line.cell_len, 0), "reverse")
        return Group(*lines)

    def header(self, key: str, layout: Layout) -> str:
        lang = self.ctx.lang
        if layout.short_headers and key in SHORT_HEADERS:
            return t(SHORT_HEADERS[key], lang)
        return t(key, lang)

    def row_cells(self, indicator: Indicator, layout: Layout = LAYOUTS[0]) -> dict[str, Text]:
        lang = self.ctx.lang
        view = self.views.get(indicator.id)
        latest = view.latest if view else None
        rag = view.rag if view else Rag.NONE
        value = Text(value_text(indicator, latest, lang), RAG_STYLE[rag])
        if view and view.demo:
            value.append(" ")
            value.append(t("panel.demo", lang), "reverse")
        period = Text(period_text(indicator, latest, lang))
        if view and view.stale:
            period.append(" ⏱", "magenta")
        if view and view.failing:
            period.append(" ⚠", "bold yellow")
        if indicator.annotations:  # an operator's remark: the detail screen lists it
            period.append(" ✎", "cyan")
        progress = Text("")
        if view and view.progress is not None:
            if layout.bar_cells:
                progress = bar(view.progress, layout.bar_cells)
                progress.append(" ")
            progress.append(f"{view.progress * 100:3.0f}%")
        status = Text(t(f"panel.rag.{rag.value}", lang), RAG_STYLE[rag]) if view else Text("")
        mark = Text(RAG_MARK[rag] or " ", RAG_STYLE[rag])
        if not layout.trend_column:
            arrow = trend(view)
            mark.append_text(arrow if arrow.plain else Text(" "))
        return {
            "ov.mark": mark,
            "ov.name": literal(indicator.name(lang)),
            "ov.value": value,
            "ov.period": period,
            "ov.trend": trend(view),
            "ov.progress": progress,
            "ov.status": status,
        }

    # keyboard

    def action_cursor(self, step: int) -> None:
        shown = self.ordered()
        if not shown:
            return
        ids = [i.id for i in shown]
        here = ids.index(self.cursor_id) if self.cursor_id in ids else 0
        self._move_to(ids, min(max(here + step, 0), len(ids) - 1))

    def action_cursor_to(self, index: int) -> None:
        ids = [i.id for i in self.ordered()]
        if ids:
            self._move_to(ids, index % len(ids))

    def _move_to(self, ids: list[str], index: int) -> None:
        self.cursor_id = ids[index]
        self._repaint_changes()
        parent = self.parent.parent if self.parent is not None else None
        if isinstance(parent, Widget):
            # The page scrolls so that the picked line (border, header, then the lines) shows.
            y = self.virtual_region.y + 2 + index
            parent.scroll_to_region(Region(0, y - 1, 1, 3), animate=False, immediate=True)

    def action_detail(self) -> None:
        shown = self.ordered()
        picked = self.cursor_id or (shown[0].id if shown else None)
        if picked is not None:
            self.post_message(DetailRequested(picked))

    def on_focus(self) -> None:
        self._repaint_changes()

    def on_blur(self) -> None:
        self._repaint_changes()
