"""Dashboard panels: stat, chart, table and gauge views of indicators, focusable and keyboard-driven."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Self

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult, RenderResult
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Static

from lishi_tui.app.formatting import (
    age_text,
    clean,
    delta_text,
    literal,
    number,
    period_text,
    ratio_text,
    target_text,
    unit,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.messages import DetailRequested
from lishi_tui.app.screens.picker import RowPicker
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.chart import ChartSpec, PlotChart, month_number, ticks_for
from lishi_tui.config.schema import PanelConfig, PanelKind
from lishi_tui.domain.model import Indicator, Rag
from lishi_tui.domain.periods import CHINA_TZ, Period, PeriodKind

SPARK = "▁▂▃▄▅▆▇█"
RAG_STYLE = {
    Rag.GREEN: "bold green",
    Rag.AMBER: "bold yellow",
    Rag.RED: "bold red",
    Rag.NONE: "bold",
}
RAG_MARK = {Rag.GREEN: "●", Rag.AMBER: "▲", Rag.RED: "■", Rag.NONE: ""}


@dataclass(frozen=True)
class PanelContext:
    """What every panel shares: language, colour, and the clock."""

    lang: str
    colour: bool
    clock: Callable[[], datetime]


def sparkline(values: Sequence[float], width: int) -> str:
    vals = list(values)[-width:] if width > 0 else []
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    span = hi - lo
    if span == 0:
        return SPARK[3] * len(vals)
    return "".join(SPARK[min(int((v - lo) / span * len(SPARK)), len(SPARK) - 1)] for v in vals)


def bar(fraction: float | None, width: int) -> Text:
    """A progress bar; beyond-target fills it, going backwards leaves it empty."""
    width = max(width, 1)
    f = 0.0 if fraction is None else min(max(fraction, 0.0), 1.0)
    full = round(f * width)
    return Text("█" * full, style="green" if f >= 1 else "cyan") + Text("░" * (width - full), "dim")


def rag_words(view: IndicatorView, lang: str) -> Text:
    if view.rag is Rag.NONE:
        return Text("")
    return Text(
        f"{RAG_MARK[view.rag]} {t('panel.rag.' + view.rag.value, lang)}", RAG_STYLE[view.rag]
    )


def status_line(view: IndicatorView, ctx: PanelContext) -> Text:
    """When the source last confirmed the figure, and the two conditions that must never
    look like a red figure."""
    lang = ctx.lang
    line = Text()
    if view.latest is not None:
        # The observation's fetched_at is when this value was first stored: an unchanged
        # figure keeps it for months. What an official needs is when the source last
        # confirmed it, i.e. the source's last successful run.
        checked = view.health.last_success if view.health is not None else None
        if checked is not None:
            age = max(ctx.clock() - checked, timedelta(0))
            line.append(t("panel.checked", lang, age=age_text(age, lang)), "dim")
        else:
            line.append(t("panel.unchecked", lang), "dim")
    if view.stale:
        line.append("  " if line else "")
        line.append(t("panel.stale", lang), "italic magenta")
    if view.failing and view.health is not None and view.health.last_run is not None:
        line.append("  " if line else "")
        line.append(t("panel.failing", lang), "bold reverse yellow")
        error = clean(view.health.last_run.error)
        if error:
            line.append(" ")
            line.append(literal(error, "yellow"))
    return line


def fit(lines: list[Text]) -> list[Text]:
    """One row per line, cut with an ellipsis: panel text never wraps into its neighbour."""
    for line in lines:
        line.no_wrap = True
        line.overflow = "ellipsis"
    return lines


def changed_spans(before: Sequence[Strip], after: Sequence[Strip]) -> list[Region]:
    """The cells that differ between two pictures of the same size, one span per changed row.

    A span runs from the first to the last differing character of its row (whole characters,
    so a wide Chinese character is never cut in half); equal rows give no span at all.
    """
    spans: list[Region] = []
    for y in range(max(len(before), len(after))):
        old = before[y] if y < len(before) else Strip([])
        new = after[y] if y < len(after) else Strip([])
        if old == new:
            continue
        old_cells, new_cells = _cells(old), _cells(new)
        start = 0
        limit = min(len(old_cells), len(new_cells))
        while start < limit and old_cells[start] == new_cells[start]:
            start += 1
        end_old, end_new = len(old_cells), len(new_cells)
        # Matching from the right end is only matching cells when the rows are equally wide.
        if old.cell_length == new.cell_length:
            while (
                end_old > start
                and end_new > start
                and old_cells[end_old - 1] == new_cells[end_new - 1]
            ):
                end_old -= 1
                end_new -= 1
        x0 = sum(width for _, _, width in new_cells[:start])
        x1 = max(
            sum(width for _, _, width in new_cells[:end_new]),
            sum(width for _, _, width in old_cells[:end_old]),
        )
        if x1 > x0:
            spans.append(Region(x0, y, x1 - x0, 1))
    return spans


def _cells(strip: Strip) -> list[tuple[str, object, int]]:
    """A row as (character, style, cell width): what a terminal cell shows."""
    return [
        (char, segment.style, cell_len(char))
        for segment in strip
        if not segment.control
        for char in segment.text
    ]


def flatten(renderable: RenderableType, width: int, app: App[object]) -> Group:
    """``renderable`` laid out at ``width``, as one Text per row with one span per style run.

    A rich Table yields every cell and every gap between columns as a segment of its own, and
    a terminal is sent a colour code and a reset for each; the same row as one run per style
    looks the same and costs a fraction of the bytes whenever the row is repainted.
    """
    options = app.console_options.update(width=width, height=None, highlight=False)
    rows: list[Text] = []
    for line in app.console.render_lines(renderable, options, pad=True):
        row = Text(no_wrap=True, overflow="ellipsis")
        for segment in Segment.simplify(line):
            if not segment.control:
                row.append(segment.text, segment.style)
        rows.append(row)
    return Group(*rows)


class Panel(Widget, can_focus=True):
    """A bordered, focusable panel showing one or more indicators.

    Textual sends the whole region of a widget that refreshes. A panel therefore works out
    which cells of its body a new figure changes and refreshes only those; its border,
    title and subtitle are touched only when they change. New data that changes nothing
    on screen sends nothing.
    """

    DRAWS_BODY: ClassVar[bool] = True  # False where child widgets draw (and refresh) the body
    # While a border title is being replaced: the border rows to repaint instead of the panel.
    _border_rows: tuple[Region, ...] | None = None

    def __init__(
        self, config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext
    ) -> None:
        super().__init__(classes=f"panel -{config.kind.value}")
        self.config = config
        self.indicators = tuple(indicators)
        self.ctx = ctx
        self.views: dict[str, IndicatorView] = {}
        self.updates = 0  # how many times new data reached this panel (tests read it)
        # What new data cost on screen (tests read them): whole-panel repaints (a new status
        # class, or nothing drawn yet to compare with), border rows, and body rows.
        self.repaints = 0
        self.border_rows_repainted = 0
        self.rows_repainted = 0
        # The body on screen (or about to be), the size it was laid out for, and its picture
        # once a comparison needed one. render() hands Textual exactly this body, so that the
        # cells a comparison found unchanged are the cells the terminal already shows.
        self._shown: tuple[Size, RenderableType, list[Strip] | None] | None = None
        self._titles = (self.title_text(), "")
        self.border_title = Text(self._titles[0])

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    def title_text(self) -> str:
        if self.config.title:
            return clean(self.config.title)
        if len(self.indicators) == 1:
            return clean(self.indicators[0].name(self.ctx.lang))
        return ""

    def update_views(self, views: dict[str, IndicatorView]) -> None:
        """New data for this panel's indicators: redraw only what changed on this panel."""
        self.views = {k: v for k, v in views.items() if k in self.indicator_ids}
        self.updates += 1
        present = list(self.views.values())
        worst = _worst(v.rag for v in present)
        classes = self.classes
        # set_class restyles (and so repaints the panel) only when a class comes or goes.
        for r in Rag:
            self.set_class(worst is r and r is not Rag.NONE, f"-{r.value}")
        self.set_class(any(v.stale for v in present), "-stale")
        self.set_class(any(v.failing for v in present), "-failing")
        demo = any(v.demo for v in present)
        history_demo = any(v.history_demo for v in present)
        self.set_class(demo or history_demo, "-demo")
        restyled = self.classes != classes
        if restyled:
            self.repaints += 1
        title = self.title_text()
        if demo:
            title = f"{title} · {t('panel.demo', self.ctx.lang)}"
        elif history_demo:
            title = f"{title} · {t('panel.demo_history', self.ctx.lang)}"
        sources = sorted({clean(v.source_id) for v in present if v.source_id})
        subtitle = f"{t('panel.source', self.ctx.lang)}: {', '.join(sources)}" if sources else ""
        self._set_border_texts(title, subtitle, restyled=restyled)
        self.on_views_changed()
        if self.DRAWS_BODY:
            self._repaint_changes()

    def _set_border_texts(self, title: str, subtitle: str, *, restyled: bool) -> None:
        """Replace the border title and subtitle that changed, repainting only their rows.

        Textual repaints a whole widget when its border title is set, even to the same text.
        """
        old_title, old_subtitle = self._titles
        if (title, subtitle) == self._titles:
            return
        self._titles = (title, subtitle)
        outer, offset = self.outer_size, self.content_offset
        rows: list[Region] = []
        if title != old_title:
            rows.append(Region(-offset.x, -offset.y, outer.width, 1))
        if subtitle != old_subtitle:
            rows.append(Region(-offset.x, outer.height - 1 - offset.y, outer.width, 1))
        if self.is_mounted and outer.area and not restyled:
            self._border_rows = tuple(rows)  # refresh() repaints these rows only
            self.border_rows_repainted += len(rows)
        try:
            if title != old_title:
                self.border_title = Text(title)  # Text: a title is never read as markup
            if subtitle != old_subtitle:
                self.border_subtitle = Text(subtitle)
        finally:
            self._border_rows = None

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._border_rows is not None and not regions and not (layout or recompose):
            regions = self._border_rows
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _repaint_changes(self) -> None:
        size = self.content_size
        shown = self._shown
        if shown is None or shown[0] != size or not self.is_mounted or not size.area:
            # Nothing on screen to compare with (not drawn yet, or drawn at another size).
            self._shown = None
            self.repaints += 1
            self.refresh()
            return
        body = self.body(size.width)
        if body is None:
            return
        before = shown[2] if shown[2] is not None else self._picture(size, shown[1])
        after = self._picture(size, body)
        spans = changed_spans(before, after)
        self._shown = (size, body, after)
        if spans:
            self.rows_repainted += len(spans)
            self.refresh(*spans)

    def _picture(self, size: Size, body: RenderableType) -> list[Strip]:
        visual = visualize(self, body, markup=False)
        return Visual.to_strips(self, visual, size.width, size.height, self.visual_style, pad=True)

    def body(self, width: int) -> RenderableType | None:
        """The panel's text for a body ``width`` cells wide; None where children draw it."""
        return None

    def render(self) -> RenderResult:
        size = self.content_size
        shown = self._shown
        if shown is not None and shown[0] == size:
            body: RenderableType | None = shown[1]
        else:
            # First paint, or a new size: everything is repainted, so a fresh body is safe.
            body = self.body(size.width)
            self._shown = None if body is None else (size, body, None)
        return super().render() if body is None else body

    def on_views_changed(self) -> None:
        """Hook for panels with child widgets."""

    def view(self) -> IndicatorView | None:
        return self.views.get(self.indicators[0].id) if self.indicators else None

    def action_detail(self) -> None:
        if self.indicators:
            self.post_message(DetailRequested(self.indicators[0].id))

    def on_click(self) -> None:
        self.focus()


def _worst(rags: object) -> Rag:
    order = [Rag.RED, Rag.AMBER, Rag.GREEN]
    seen = set(rags)  # type: ignore[call-overload]
    return next((r for r in order if r in seen), Rag.NONE)


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


class GaugePanel(Panel):
    """Completion against target, e.g. 1581 of 1787 requests handled."""

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
        return Group(*fit([head, gauge, info, goal, status_line(view, self.ctx)]))


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


class ChartPanel(Panel):
    """A plotext chart of the history with the target line and the on-track path."""

    DRAWS_BODY = False

    def __init__(
        self, config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext
    ) -> None:
        super().__init__(config, indicators, ctx)
        self._caption: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="caption")
        yield PlotChart(colour=self.ctx.colour)

    def on_mount(self) -> None:
        self.on_views_changed()

    def on_views_changed(self) -> None:
        if not self.children:
            return  # on_mount draws it; panels on tabs not yet shown may not be composed
        view = self.view()
        lang = self.ctx.lang
        indicator = self.indicators[0]
        caption = Text()
        if view is not None and view.latest is not None:
            caption.append(value_text(indicator, view.latest, lang), RAG_STYLE[view.rag])
            caption.append(f"  {period_text(indicator, view.latest, lang)}")
            if view.demo:
                caption.append("  ")
                caption.append(t("panel.demo", lang), "reverse")
            if view.failing:
                caption.append("  ")
                caption.append(t("panel.failing", lang), "bold reverse yellow")
            elif view.stale:
                caption.append("  ")
                caption.append(t("panel.stale", lang), "italic magenta")
        else:
            caption.append(t("panel.no_data", lang), "dim")
        caption.no_wrap = True
        caption.overflow = "ellipsis"
        if caption != self._caption:
            # Static.update repaints (and lays out) the line even when the text is the same.
            self._caption = caption
            self.query_one(".caption", Static).update(caption)
        chart = self.query_one(PlotChart)
        version = (view.indicator.id, view.data_version) if view else None
        if version is None or chart.spec_version != version:
            # Only a re-read of the figures builds a new spec; a status change (a source
            # run that stored nothing, the clock) leaves the drawing as it is.
            chart.set_spec(chart_spec(view, lang) if view else None, version=version)


def tick_labels(periods: Sequence[Period], *, span: Sequence[Period] = ()) -> list[str]:
    """x-axis labels: period keys ("2021-10"), and instants short in China time.

    Instants are stored in UTC ("2026-11-27T11:00:00Z"); everywhere else the UI shows
    Beijing time, so the axis says "11-27 19:00", or "19:00" when the series (``span``:
    its first and last periods; ``periods`` when not given) falls within one day.
    """
    if not any(p.kind is PeriodKind.INSTANT for p in periods):
        return [p.key for p in periods]
    whole = span or periods
    one_day = len({p.start.astimezone(CHINA_TZ).date() for p in whole}) <= 1
    form = "%H:%M" if one_day else "%m-%d %H:%M"
    return [
        p.start.astimezone(CHINA_TZ).strftime(form) if p.kind is PeriodKind.INSTANT else p.key
        for p in periods
    ]


def chart_spec(view: IndicatorView, lang: str, *, title: str = "") -> ChartSpec | None:
    """The chart of one indicator's history, with target and on-track path when known."""
    shown = [o for o in view.history if o.value is not None]
    if not shown:
        return None
    indicator = view.indicator
    scale = indicator.multiplier or 1.0
    xs = tuple(month_number(o.period.start) for o in shown)
    ys = tuple(o.value / scale for o in shown if o.value is not None)
    marks: list[tuple[float, Period | str]] = [
        (x, o.period) for x, o in zip(xs, shown, strict=True)
    ]
    path = None
    target = indicator.target.value / scale if indicator.target else None
    if indicator.baseline and indicator.target and indicator.target.deadline:
        path = (
            (month_number(indicator.baseline.on), indicator.baseline.value / scale),
            (month_number(indicator.target.deadline), indicator.target.value / scale),
        )
        marks.append((path[1][0], indicator.target.deadline.isoformat()[:7]))
    # Label only the ticks drawn: formatting every point of a long series costs more
    # than drawing it.
    chosen = ticks_for(marks, 3)
    names = iter(
        tick_labels(
            [m for _, m in chosen if isinstance(m, Period)],
            span=(shown[0].period, shown[-1].period),
        )
    )
    ticks = tuple((x, m if isinstance(m, str) else next(names)) for x, m in chosen)
    return ChartSpec(
        xs=xs,
        ys=ys,
        title=title,
        x_ticks=ticks,
        target=target,
        path=path,
    )


PANEL_TYPES: dict[PanelKind, type[Panel]] = {
    PanelKind.STAT: StatPanel,
    PanelKind.CHART: ChartPanel,
    PanelKind.TABLE: TablePanel,
    PanelKind.GAUGE: GaugePanel,
}


def make_panel(config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext) -> Panel:
    return PANEL_TYPES[config.kind](config, indicators, ctx)
