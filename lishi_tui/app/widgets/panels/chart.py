"""The chart panel: a caption line over a plotext chart of the history."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from lishi_tui.app.formatting import (
    period_text,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.bucket_chart import bucket_chart_spec
from lishi_tui.app.widgets.chart import ChartSpec, PlotChart
from lishi_tui.app.widgets.chart_spec import chart_spec
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.render import RAG_STYLE
from lishi_tui.config.schema import PanelConfig
from lishi_tui.domain.model import Indicator


class ChartPanel(Panel):
    """A plotext chart of the history with the target line and the on-track path."""

    DRAWS_BODY = False
    GROWS = 2  # the plot gets taller: before any other panel

    def __init__(
        self, config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext
    ) -> None:
        super().__init__(config, indicators, ctx)
        self._caption: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="caption")
        chart = PlotChart(colour=self.ctx.colour)
        chart.hold()  # its page's first frame shows the caption (figure, period) first
        yield chart

    def page_showing(self) -> None:
        for chart in self.query(PlotChart):
            chart.hold()

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
            chart.set_spec(panel_chart_spec(view, lang) if view else None, version=version)


def panel_chart_spec(view: IndicatorView, lang: str) -> ChartSpec | None:
    """The chart of a view: its slices when read as slices (a long series of instants),
    each drawn as its low and high, else its history point by point."""
    if view.buckets:
        return bucket_chart_spec(view.indicator, view.buckets, lang=lang)
    return chart_spec(view, lang)
