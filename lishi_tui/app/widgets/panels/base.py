"""The panel base: a bordered, focusable view of indicators that repaints only the cells that change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from rich.console import RenderableType
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from lishi_tui.app.formatting import clean
from lishi_tui.app.i18n import t
from lishi_tui.app.messages import DetailRequested
from lishi_tui.app.snapshot import HISTORY_POINTS, IndicatorView
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.repaint import changed_spans
from lishi_tui.config.schema import PanelConfig
from lishi_tui.domain.model import Indicator, Rag


class Panel(Widget, can_focus=True):
    """A bordered, focusable panel showing one or more indicators.

    Textual sends the whole region of a widget that refreshes. A panel therefore works out
    which cells of its body a new figure changes and refreshes only those; its border,
    title and subtitle are touched only when they change. New data that changes nothing
    on screen sends nothing.
    """

    DRAWS_BODY: ClassVar[bool] = True  # False where child widgets draw (and refresh) the body
    # How eagerly it takes a share of the rows a page leaves over: the spare rows go to the
    # panels of the highest value on the page (charts 2, tables 1), by their height weights;
    # on a page where every panel is 0, every row shares them, so the page fills the window.
    GROWS: ClassVar[int] = 0
    NATURAL_HEIGHT: ClassVar[int] = 8  # rows, border included, to show everything it has
    HISTORY_POINTS: ClassVar[int] = HISTORY_POINTS  # the newest periods of history it draws
    # While a border title is being replaced: the border rows to repaint instead of the panel.
    _border_rows: tuple[Region, ...] | None = None

    def __init__(
        self, config: PanelConfig, indicators: Sequence[Indicator], ctx: PanelContext
    ) -> None:
        super().__init__(classes=f"panel -{config.kind}")
        self.config = config
        self.indicators = tuple(indicators)
        self._ids = tuple(i.id for i in self.indicators)
        self.ctx = ctx
        self.views: dict[str, IndicatorView] = {}
        self.updates = 0  # how many times new data reached this panel (tests read it)
        # What new data cost on screen (tests read them): whole-panel repaints (a new status
        # class, or nothing drawn yet to compare with), border rows, and body rows.
        self.repaints = 0
        self.border_rows_repainted = 0
        self.rows_repainted = 0
        self.renders = 0  # render() calls: what any refresh of this panel cost (tests read it)
        # The body on screen (or about to be), the size it was laid out for, and its picture
        # once a comparison needed one. render() hands Textual exactly this body, so that the
        # cells a comparison found unchanged are the cells the terminal already shows.
        self._shown: tuple[Size, RenderableType, list[Strip] | None] | None = None
        self._titles = (self.title_text(), "")
        self.border_title = Text(self._titles[0])

    def natural_height(self) -> int:
        """The rows this panel needs to show everything (border included)."""
        return self.NATURAL_HEIGHT

    def min_width(self) -> int:
        """The fewest cells (border included) at which this panel reads well; a page prefers
        a layout that gives every panel that much (0: any width does)."""
        return 0

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return self._ids

    def title_text(self) -> str:
        if self.ctx.lang == "en" and self.config.title_en:
            return clean(self.config.title_en)
        if self.config.title:
            return clean(self.config.title)
        if len(self.indicators) == 1:
            return clean(self.indicators[0].name(self.ctx.lang))
        return ""

    def update_views(self, views: dict[str, IndicatorView]) -> None:
        """New data for this panel's indicators: redraw only what changed on this panel."""
        # Looked up by this panel's ids, never by walking ``views`` (every view of the app):
        # the app updates N panels with N views, and this is O(this panel's indicators).
        self.views = {i: views[i] for i in self._ids if i in views}
        self.updates += 1
        present = list(self.views.values())
        restyled = self._set_status_classes(self.status_classes(present))
        if restyled:
            self.repaints += 1
        title, subtitle = self.border_texts(present)
        self._set_border_texts(title, subtitle, restyled=restyled)
        self.on_views_changed()
        if self.DRAWS_BODY:
            self._repaint_changes()

    def _set_status_classes(self, wanted: dict[str, bool]) -> bool:
        """Put the classes on or off in one restyle (none when nothing changes); True if
        any came or went."""
        have = self._classes
        add = [name for name, on in wanted.items() if on and name not in have]
        remove = [name for name, on in wanted.items() if not on and name in have]
        if not add and not remove:
            return False
        self.add_class(*add, update=False)
        self.remove_class(*remove, update=False)
        if self.is_mounted:
            self.update_node_styles()  # one restyle for every class that moved
        return True

    def status_classes(self, present: list[IndicatorView]) -> dict[str, bool]:
        """The border's status classes: the worst RAG, stale, failing, demo."""
        worst = _worst(v.rag for v in present)
        classes = {f"-{r.value}": worst is r and r is not Rag.NONE for r in Rag}
        classes["-stale"] = any(v.stale for v in present)
        classes["-failing"] = any(v.failing for v in present)
        classes["-demo"] = any(v.demo or v.history_demo for v in present)
        return classes

    def border_texts(self, present: list[IndicatorView]) -> tuple[str, str]:
        """The border title (with the demo mark) and subtitle (the sources)."""
        title = self.title_text()
        if any(v.demo for v in present):
            title = f"{title} · {t('panel.demo', self.ctx.lang)}"
        elif any(v.history_demo for v in present):
            title = f"{title} · {t('panel.demo_history', self.ctx.lang)}"
        annotated = sum(len(i.annotations) for i in self.indicators)
        if annotated:  # the detail screen shows them (lishi_tui.app.widgets.config_notes)
            title = f"{title} · {t('panel.annotated', self.ctx.lang, count=annotated)}"
        sources = sorted({clean(v.source_id) for v in present if v.source_id})
        subtitle = f"{t('panel.source', self.ctx.lang)}: {', '.join(sources)}" if sources else ""
        return title, subtitle

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
        if not self.is_mounted or not size.area:
            # Not on screen (a page not shown, or not mounted yet): drawn afresh when shown.
            self._shown = None
            if self.is_mounted:
                # Textual keeps a hidden widget's last lines and shows them again with its
                # page: forget them, or the old figure would come back (nothing is sent now).
                self.refresh()
            return
        if shown is None or shown[0] != size:
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
        self.renders += 1
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

    def page_showing(self) -> None:
        """Its page is about to be shown: a panel whose drawing is slow to build (a chart)
        may draw it a frame later, so the page's figures come first."""

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
