"""The changed-cell engine: which cells of a panel's body a new picture changes."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.geometry import Region
from textual.strip import Strip


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
