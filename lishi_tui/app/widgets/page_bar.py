"""The dashboard's page tabs and their underline, drawn by one widget.

Textual's ``Tabs`` is a dozen widgets for seven pages (a tab each, the underline, three
containers), each styled, laid out and rendered at the first frame. ``PageBar`` draws the
same two rows (each title padded by one column, the page shown brighter and underlined
by the same bar, the others dimmed, the title under the pointer lit) as two strips, and
scrolls them as Textual does when they are wider than the screen: the page shown centred
where it can be. A click on a title or under it shows that page (``PageBar.Clicked``).

The page shown is set by the dashboard (``show``); the bar never takes the focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

BAR, LEFT_END, RIGHT_END = "━", "╺", "╸"  # the underline's glyphs, as Textual draws it


@dataclass(frozen=True)
class TabSpan:
    """A page's title and the columns its tab takes (padding included), from the left."""

    label: str
    start: int
    end: int


def tab_text(label: str) -> str:
    """A tab as written: its title with a column of padding either side."""
    return f" {label} "


def lay_out(labels: Sequence[Content | str]) -> tuple[TabSpan, ...]:
    """Each title's tab, side by side: a column of padding either side of the title."""
    spans: list[TabSpan] = []
    column = 0
    for label in labels:
        text = label.plain if isinstance(label, Content) else label
        end = column + cell_len(tab_text(text))
        spans.append(TabSpan(text, column, end))
        column = end
    return tuple(spans)


def centred_scroll(scroll: int, span: TabSpan, width: int, total: int) -> int:
    """Where the bar scrolls to show ``span`` (as Textual's ``scroll_to_center`` does)."""
    if total <= width:
        return 0
    delta = round((span.start + span.end) / 2 - (scroll + width / 2))
    return max(0, min(scroll + delta, total - width))


def underline(width: int, start: int, end: int) -> list[tuple[str, bool]]:
    """The underline's runs for a highlight over columns [start, end): (text, lit)."""
    if start == end == 0 or end < 0 or start > end:
        return [(BAR * width, False)]
    start, end = max(start, 0), min(end, width)
    runs = [(BAR * max(start - 1, 0), False)]
    if start > 0:
        runs.append((RIGHT_END, False))
    runs.append((BAR * (end - start), True))
    if end != width:
        runs.append((LEFT_END, False))
    runs.append((BAR * max(width - end - 1, 0), False))
    return [run for run in runs if run[0]]


class PageBar(Widget, can_focus=False):
    """The pages' titles on the top row, the shown one underlined on the second."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "page-bar--tab",
        "page-bar--active",
        "page-bar--hover",
        "page-bar--bar",
    }
    DEFAULT_CSS = """
    PageBar {
        dock: top;
        width: 100%;
        height: 2;
        .page-bar--tab {
            color: $foreground 50%;
        }
        .page-bar--active, .page-bar--hover {
            color: $foreground;
        }
        .page-bar--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
        &:ansi {
            .page-bar--tab {
                text-style: dim;
            }
            .page-bar--active {
                text-style: not dim bold;
            }
            .page-bar--bar {
                color: $block-cursor-background;
                background: $border-blurred;
            }
        }
    }
    """

    class Clicked(Message):
        """A page's tab (or the underline below it) was clicked."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, labels: Sequence[Content | str], *, active: int = 0) -> None:
        super().__init__()
        self.tabs = lay_out(labels)
        self.total = self.tabs[-1].end if self.tabs else 0
        self.active = active
        self.scroll = 0  # the columns scrolled off on the left
        self._hover: int | None = None

    @property
    def labels(self) -> list[str]:
        """The pages' titles, as shown."""
        return [tab.label for tab in self.tabs]

    def show(self, index: int) -> None:
        """Mark page ``index`` as the one shown (scrolled into view)."""
        if index != self.active and 0 <= index < len(self.tabs):
            self.active = index
            self._scroll_to_active()
            self.refresh()

    def _scroll_to_active(self) -> None:
        if self.tabs and self.size.width:
            span = self.tabs[self.active]
            self.scroll = centred_scroll(self.scroll, span, self.size.width, self.total)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_active()

    def tab_at(self, x: int) -> int | None:
        """The page whose tab is drawn at column ``x`` of the widget, if any."""
        column = x + self.scroll
        return next((n for n, tab in enumerate(self.tabs) if tab.start <= column < tab.end), None)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            strip = self._titles(base)
        elif y == 1:
            strip = self._underline(base, max(width, self.total))
        else:
            return Strip.blank(width, base)
        return strip.crop(self.scroll, self.scroll + width).extend_cell_length(width, base)

    def _titles(self, base: Style) -> Strip:
        dim = self.get_component_rich_style("page-bar--tab")
        bright = self.get_component_rich_style("page-bar--active")
        lit = self.get_component_rich_style("page-bar--hover")
        segments = []
        for n, tab in enumerate(self.tabs):
            style = bright if n == self.active else lit if n == self._hover else dim
            segments.append(Segment(tab_text(tab.label), base + style))
        return Strip(segments)

    def _underline(self, base: Style, width: int) -> Strip:
        bar = self.get_component_rich_style("page-bar--bar")
        lit, unlit = base + Style(color=bar.color), base + Style(color=bar.bgcolor)
        start = end = 0
        if self.tabs:
            tab = self.tabs[self.active]
            start, end = tab.start + 1, tab.end - 1  # under the title, not its padding
        runs = underline(width, start, end)
        return Strip([Segment(text, lit if on else unlit) for text, on in runs])

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._light(self.tab_at(event.x) if event.y == 0 else None)

    def on_leave(self, event: events.Leave) -> None:
        self._light(None)

    def _light(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self.tab_at(event.x)
        if index is not None:
            event.stop()
            self.post_message(self.Clicked(index))
