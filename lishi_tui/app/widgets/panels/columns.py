"""Table columns sized to their content: figures whole, names elided in the middle, columns dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text

ELLIPSIS = "…"
GAP = 2  # cells between columns
NAME_COMFORT = 16  # columns are dropped before a name is elided below this (or its length)


def elide_middle(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells; a long one keeps its head and tail ("全区各…办结率")."""
    if cell_len(text.plain) <= width:
        return text
    if width <= 1:
        return Text(ELLIPSIS[:width])
    keep = width - 1
    head_cells = (keep + 1) // 2
    tail_cells = keep - head_cells
    plain = text.plain
    head = _prefix(plain, head_cells)
    tail = _suffix(plain, tail_cells)
    out = text[: len(head)]
    out.append(ELLIPSIS, "dim")
    if tail:
        out.append_text(text[len(plain) - len(tail) :])
    return out


def elide_names(names: Sequence[Text], width: int) -> list[Text]:
    """Each name in at most ``width`` cells, elided in the middle; names that would read the
    same once elided ("市交办…办结率" for both "市交办离石牵头实事办结率" and
    "市交办离石配合实事办结率") lose the head they share instead, so that they differ:
    "…牵头实…办结率", "…配合实…办结率"."""
    out = [elide_middle(name, width) for name in names]
    groups: dict[str, list[int]] = {}
    for index, (name, shown) in enumerate(zip(names, out, strict=True)):
        if shown.plain != name.plain:
            groups.setdefault(shown.plain, []).append(index)
    for same in groups.values():
        if len(same) < 2 or len({names[i].plain for i in same}) < 2:
            continue
        shared = _shared_head([names[i].plain for i in same])
        for i in same:
            rest = names[i][shared:]
            if not rest.plain:
                continue
            shorter = Text(ELLIPSIS, "dim")
            shorter.append_text(elide_middle(rest, width - 1))
            out[i] = shorter
    return out


def _shared_head(texts: Sequence[str]) -> int:
    """How many leading characters all of ``texts`` share."""
    first = min(texts, key=len)
    for i, char in enumerate(first):
        if any(text[i] != char for text in texts):
            return i
    return len(first)


def _prefix(plain: str, cells: int) -> str:
    used = 0
    for i, char in enumerate(plain):
        used += cell_len(char)
        if used > cells:
            return plain[:i]
    return plain


def _suffix(plain: str, cells: int) -> str:
    return _prefix(plain[::-1], cells)[::-1]


def fit_columns(
    columns: Sequence[str],
    cells: Sequence[Mapping[str, Text]],
    headers: Mapping[str, str],
    width: int,
    *,
    elastic: str,
    drop_order: Sequence[str],
    gap: int = GAP,
    comfort: int = NAME_COMFORT,
) -> dict[str, int]:
    """Which columns show, and how wide: every column but ``elastic`` as wide as its widest
    cell or header; ``elastic`` (the name) takes what is left and gives way first; columns
    in ``drop_order`` go, in that order, while the name would be squeezed below ``comfort``
    cells (NAME_COMFORT). Columns are ``gap`` cells apart.

    Returns column -> width, in the order of ``columns``. A column never in ``drop_order``
    and not elastic is always there, whole: the figure, its unit, its marks and its period.
    """

    def natural(key: str) -> int:
        return max([cell_len(headers[key])] + [cell_len(row[key].plain) for row in cells])

    shown = list(columns)
    widths = {key: natural(key) for key in columns}
    for victim in (*drop_order, None):
        fixed = sum(widths[k] for k in shown if k != elastic)
        room = width - fixed - gap * (len(shown) - 1)
        if room >= min(widths[elastic], comfort) or victim is None:
            widths[elastic] = max(min(widths[elastic], room), 1)
            break
        if victim in shown:
            shown.remove(victim)
    return {key: widths[key] for key in shown}


def table_lines(
    widths: Mapping[str, int],
    headers: Mapping[str, str],
    cells: Sequence[Mapping[str, Text]],
    *,
    elastic: str,
    right: frozenset[str] = frozenset(),
    gap: int = GAP,
) -> list[Text]:
    """The header and one line per row, each column padded to its width (``right`` ones
    right-aligned), the elastic column elided in the middle."""
    lines: list[Text] = []
    header = Text(style="bold")
    rows: list[Mapping[str, Text]] = [{k: Text(headers[k]) for k in widths}, *cells]
    names = (
        elide_names([row[elastic] for row in cells], widths[elastic]) if elastic in widths else []
    )
    for index, row in enumerate(rows):
        line = header if index == 0 else Text()
        for position, (key, w) in enumerate(widths.items()):
            if position:
                line.append(" " * gap)
            cell = row[key].copy()
            if key == elastic:
                cell = elide_middle(cell, w) if index == 0 else names[index - 1]
            pad = max(w - cell_len(cell.plain), 0)
            if key in right:
                line.append(" " * pad)
                line.append_text(cell)
            else:
                line.append_text(cell)
                if position < len(widths) - 1:
                    line.append(" " * pad)
        line.no_wrap = True
        line.overflow = "ellipsis"
        lines.append(line)
    return lines
