"""Containers that draw nothing where their children cover them (issue 16).

Textual's compositor asks every visible widget for the lines of its whole visible region,
then keeps, cell by cell, the topmost widget's: a container under a child of its own size
is drawn in full and thrown away. The dashboard nests four containers of the page's size
around its grid of panels (the tabs, the switcher, the page's pane and its scroll area): at
120x40 their 146 lines are almost half of the 324 its first frame draws, drawn cold. (The
grid itself shows between its panels, so it is drawn.)

``SkipCovered`` before a container's Textual class draws blank lines instead when every
cell it would show is covered by its children's, read off the compositor's own map of what
is drawn where (so a shorter grid, a page scrolled past its end, a scroll bar, a border or
padding all leave it drawing as before). Every cell it skips is one a child draws over, so
the screen is the same, cell for cell.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


def covered_by_children(widget: Widget) -> bool:
    """Every cell ``widget`` shows is drawn over by one of its children (or theirs, above)."""
    try:
        drawn = widget.screen._compositor.visible_widgets
    except Exception:  # not on a screen (yet): draw as Textual does
        return False
    own = drawn.get(widget)
    if own is None or widget.scrollable_content_region != own[0]:
        return False  # a border, padding or a scroll bar of its own shows around children
    area = own[0].intersection(own[1])
    if not area:
        return False
    parts = []
    for child in widget.children:
        placed = drawn.get(child)
        if placed is not None and (part := area.intersection(placed[0].intersection(placed[1]))):
            parts.append(part)
    return _covers(area, parts)


def _covers(area: Region, parts: list[Region]) -> bool:
    """``parts`` (each inside ``area``) leave no cell of ``area`` uncovered."""
    if sum(p.width * p.height for p in parts) < area.width * area.height:
        return False  # too little, even if none overlapped
    rows = sorted({area.y, area.bottom, *(p.y for p in parts), *(p.bottom for p in parts)})
    for top, bottom in pairwise(rows):
        spans = sorted((p.x, p.right) for p in parts if p.y <= top and p.bottom >= bottom)
        reached = area.x
        for left, right in spans:
            if left > reached:
                return False  # a gap in this band of rows
            reached = max(reached, right)
        if reached < area.right:
            return False
    return True


class SkipCovered(_Base):
    """Mix in before a container's Textual class: blank lines where children cover it."""

    def render_lines(self, crop: Region) -> list[Strip]:
        if covered_by_children(self):
            return [Strip.blank(crop.width)] * crop.height
        return super().render_lines(crop)
