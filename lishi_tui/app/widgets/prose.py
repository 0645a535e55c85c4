"""Text that wraps at spaces but never between a figure and its unit ("0.26 %", "1.8 亿元")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text

# A line may break after a run of spaces, except where the run follows a figure (a digit,
# a digit and a closing mark such as "2021年" does not count: only a bare number): the
# unit, or the next figure of "1,581 / 1,787", stays on the figure's line.
_CHUNK = re.compile(r"\S+ *| +")
_FIGURE_END = re.compile(r"[0-9]$")
_GLUE_AFTER = frozenset("/")  # "1,581 / 1,787": the slash holds both figures together


def _chunks(plain: str) -> list[tuple[int, int]]:
    """(start, end) of the pieces a line may break between: words with their trailing spaces,
    a figure glued to what follows it."""
    pieces: list[tuple[int, int]] = []
    glue = False
    for match in _CHUNK.finditer(plain):
        start, end = match.span()
        word = match.group().rstrip(" ")
        if glue and pieces:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
        glue = (
            bool(word)
            and end > start + len(word)
            and (bool(_FIGURE_END.search(word)) or word in _GLUE_AFTER)
        )
    return pieces


def wrap_line(text: Text, width: int) -> list[Text]:
    """One line of ``text`` (no newline) wrapped to ``width`` cells; a piece longer than a
    line is folded by cells."""
    width = max(width, 1)
    plain = text.plain
    offsets: list[int] = []
    used = 0
    for start, end in _chunks(plain):
        piece = plain[start:end]
        size, bare = cell_len(piece), cell_len(piece.rstrip(" "))
        if used and used + bare > width:
            offsets.append(start)
            used = 0
        if bare > width:  # longer than a whole line: fold it where the cells run out
            position = start
            for index, char in enumerate(piece.rstrip(" ")):
                cells = cell_len(char)
                if used + cells > width:
                    offsets.append(start + index)
                    used = 0
                used += cells
                position = start + index + 1
            used += cell_len(plain[position:end])
            continue
        used += size
    lines = list(text.divide(offsets)) if offsets else [text.copy()]
    for line in lines:
        line.rstrip()
    return lines


def wrap(text: Text, width: int) -> list[Text]:
    """``text`` wrapped to ``width`` cells, its own newlines kept."""
    out: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        out.extend(wrap_line(line, width))
    return out


class Prose:
    """A Rich renderable: ``text`` wrapped so that no figure is split from its unit."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        for line in wrap(self.text, options.max_width):
            line.no_wrap = True
            line.overflow = "fold"
            line.end = "\n"
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.plain.split("\n")
        widest = max((cell_len(line) for line in lines), default=0)
        pieces = [cell_len(line[s:e].rstrip(" ")) for line in lines for s, e in _chunks(line)]
        return Measurement(min(max(pieces, default=1), widest), widest)
