"""A page's grid: how many columns, which panel spans what, row heights, the first screenful."""

from __future__ import annotations

from collections.abc import Sequence

from lishi_tui.app.widgets.panels import Panel

MIN_COLUMN_CELLS = 38  # the narrowest a one-column panel gets: a stat's lines fit whole


def max_columns(width: int) -> int:
    """How many one-column panels fit side by side in ``width`` cells (80 -> 2, 200 -> 5)."""
    return max(1, width // MIN_COLUMN_CELLS)


def pack(panels: Sequence[Panel], columns: int) -> list[list[tuple[Panel, int]]]:
    """Panels in rows of ``columns`` grid columns, in order, each with its column span.

    A panel wider than what is left of a row starts the next row; the last panel of a row
    widens to close the gap, so every row is full.
    """
    rows: list[list[tuple[Panel, int]]] = []
    row: list[tuple[Panel, int]] = []
    used = 0
    for panel in panels:
        span = min(max(panel.config.width, 1), columns)
        if row and used + span > columns:
            rows.append(row)
            row, used = [], 0
        row.append((panel, span))
        used += span
    if row:
        rows.append(row)
    for row in rows:
        last, span = row[-1]
        row[-1] = (last, span + columns - sum(s for _, s in row))
    return rows


GUTTER = 1  # cells between grid columns (app.tcss, Grid.panels grid-gutter)


def page_columns(panels: Sequence[Panel], width: int, height: int | None = None) -> int:
    """The grid columns for a page: a layout whose rows fit in ``height`` (None: any), then
    the fewest panels narrower than they read well at (a table that would squeeze its names
    and drop its columns), then the fewest rows, the fewest gaps to close, the most columns
    (a page of 2+1 / 2+1 panels lays out as two full rows of 3, not 2+1+2 / 1)."""
    best: tuple[tuple[int, int, int, int, int], int] | None = None
    for columns in range(1, max_columns(width) + 1):
        rows = pack_unwidened(panels, columns)
        gaps = sum(columns - sum(spans) for spans in rows)
        packed = pack(panels, columns)
        cell = (width - GUTTER * (columns - 1)) / columns
        squeezed = sum(
            1
            for row in packed
            for panel, span in row
            if span * cell + (span - 1) * GUTTER < panel.min_width()
        )
        tall = sum(max(p.natural_height() for p, _ in row) for row in packed)
        overflows = 1 if height is not None and tall > height else 0
        score = (overflows, squeezed, len(rows), gaps, -columns)
        if best is None or score < best[0]:
            best = (score, columns)
    return best[1] if best else 1


def pack_unwidened(panels: Sequence[Panel], columns: int) -> list[list[int]]:
    rows: list[list[int]] = [[]]
    for panel in panels:
        span = min(max(panel.config.width, 1), columns)
        if rows[-1] and sum(rows[-1]) + span > columns:
            rows.append([])
        rows[-1].append(span)
    return rows


def row_heights(rows: Sequence[Sequence[tuple[Panel, int]]], available: int) -> list[int]:
    """Each row's height: the tallest natural height in it; what a page leaves over goes to
    the rows holding its most eager growers (charts, else tables, else every row), by their
    declared height weights, so that a page that fits fills the window."""
    heights = [max(panel.natural_height() for panel, _ in row) for row in rows]
    spare = available - sum(heights)
    eager = max((panel.GROWS for row in rows for panel, _ in row), default=0)
    weights = [
        max((p.config.height for p, _ in row if eager <= p.GROWS), default=0) for row in rows
    ]
    total = sum(weights)
    if spare <= 0 or total == 0:
        return heights
    given = 0
    for index, weight in enumerate(weights):
        share = spare * weight // total
        heights[index] += share
        given += share
    for index in reversed(range(len(weights))):  # the rounding remainder to the last grower
        if weights[index]:
            heights[index] += spare - given
            break
    return heights


def split_screenful(
    panels: Sequence[Panel], width: int, height: int
) -> tuple[list[Panel], list[Panel]]:
    """The panels of a page whose rows start within the first ``height`` rows, and the rest."""
    if not panels or width <= 0 or height <= 0:
        return list(panels), []
    rows = pack(panels, page_columns(panels, width, height))
    first: list[Panel] = []
    top = 0
    for row in rows:
        if top >= height:
            break
        first.extend(panel for panel, _ in row)
        top += max(panel.natural_height() for panel, _ in row)
    return first, list(panels[len(first) :])
