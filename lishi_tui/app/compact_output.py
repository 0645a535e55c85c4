"""What the dashboard writes to the terminal, without the colour codes it repeats (issue 16).

Textual writes each run of text as ``ESC[<style>m text ESC[0m``: the whole style again
after a reset, even when only the foreground changed. On the dashboard's first frame that is
two thirds of the bytes (21.8 KB at 120x40, 15.5 KB of them escape codes, 505 resets), and
an official on a slow SSH link waits for every one.

``compact_sgr`` rewrites one write so that the terminal ends up showing the same thing:
it keeps the style each piece of text wants, and before the text sends only what differs
from what the terminal already has (a colour, an attribute switched on or off, or a reset
when that is shorter). Nothing else is moved or dropped:

- cursor moves (``CUP``, ``CUU``...) pass as they are: they do not depend on the colours;
- anything else (text, a newline, an erase that paints with the background, a mode switch,
  an OSC sequence) is sent after the style it would have met in the original;
- a style code this module does not know (``4:3``, a colon sub-parameter, ``ESC[58;...m``)
  passes as it is, and what follows is written as received until the next reset;
- each write ends in the style the original ended in, and starts from nothing known, so
  writes that bypass this (or come out of order) cannot inherit a wrong state.

One liberty is taken, for what no one can see: the foreground of a run of spaces is left as
it was when nothing draws it (no underline, strike, overline or reverse video).
"""

from __future__ import annotations

import re
from typing import IO

# A style (SGR) sequence, or a cursor move, which no style changes.
_TOKEN = re.compile(r"\x1b\[([0-9;:]*)m|(\x1b\[[0-9;]*[ABCDEFGHdf])")
# Attributes that stay on until switched off, and what switches each off.
_ATTRIBUTES = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 21, 53})
_OFF: dict[int, frozenset[int]] = {
    22: frozenset({1, 2}),
    23: frozenset({3}),
    24: frozenset({4, 21}),
    25: frozenset({5, 6}),
    27: frozenset({7}),
    28: frozenset({8}),
    29: frozenset({9}),
    55: frozenset({53}),
}
# Attributes that draw a space's foreground: underline, double underline, strike,
# overline, reverse video.
_DRAWS_SPACES = frozenset({4, 7, 9, 21, 53})

# (attributes, foreground code, background code); None: not known.
Style = tuple[frozenset[int], str | None, str | None]
_RESET: Style = (frozenset(), None, None)
_KEPT = 4096  # entries per cache before it starts afresh (styles in use are far fewer)

_after: dict[tuple[Style, str], Style | None] = {}  # (style, SGR params) -> style
_moves: dict[tuple[Style | None, Style], str] = {}  # (terminal's, wanted) -> codes to send


def _apply(style: Style, params: str) -> Style | None:
    """``style`` after an SGR with ``params``; None if a code is not one this knows."""
    attributes, fg, bg = set(style[0]), style[1], style[2]
    codes = params.split(";") if params else ["0"]
    i = 0
    while i < len(codes):
        code = codes[i]
        if not code.isdigit():
            return None
        n = int(code)
        if n == 0:
            attributes, fg, bg = set(), None, None
        elif n in _ATTRIBUTES:
            attributes.add(n)
        elif n in _OFF:
            attributes -= _OFF[n]
        elif 30 <= n <= 37 or 90 <= n <= 97:
            fg = code
        elif 40 <= n <= 47 or 100 <= n <= 107:
            bg = code
        elif n == 39:
            fg = None
        elif n == 49:
            bg = None
        elif n in (38, 48):
            kind = codes[i + 1] if i + 1 < len(codes) else ""
            width = 3 if kind == "5" else 5 if kind == "2" else 0
            if (
                not width
                or i + width > len(codes)
                or not all(c.isdigit() for c in codes[i + 1 : i + width])
            ):
                return None
            colour = ";".join(codes[i : i + width])
            i += width - 1
            if n == 38:
                fg = colour
            else:
                bg = colour
        else:
            return None
        i += 1
    return (frozenset(attributes), fg, bg)


def _codes(style: Style) -> list[str]:
    attributes, fg, bg = style
    return [str(a) for a in sorted(attributes)] + [c for c in (fg, bg) if c is not None]


def _move(known: Style | None, want: Style) -> str:
    """The SGR that takes a terminal in style ``known`` to ``want``: the shorter of the
    differences and a reset with the whole style."""
    whole = ";".join(["0", *_codes(want)])
    if known is None:
        return f"\x1b[{whole}m"
    had, fg, bg = known
    wanted = want[0]
    codes: list[str] = []
    again: set[int] = set()
    for off, which in _OFF.items():
        if had & which - wanted:
            codes.append(str(off))
            again |= which & wanted  # "22" also ends dim (or bold): on again if wanted
    codes += [str(a) for a in sorted(wanted - had | again)]
    if want[1] != fg:
        codes.append(want[1] or "39")
    if want[2] != bg:
        codes.append(want[2] or "49")
    diff = ";".join(codes)
    return f"\x1b[{diff if len(diff) <= len(whole) else whole}m"


def _cached_apply(style: Style, params: str) -> Style | None:
    key = (style, params)
    if key in _after:
        return _after[key]
    if len(_after) >= _KEPT:
        _after.clear()
    after = _after[key] = _apply(style, params)
    return after


def _cached_move(known: Style | None, want: Style) -> str:
    move = _moves.get((known, want))
    if move is None:
        if len(_moves) >= _KEPT:
            _moves.clear()
        move = _moves[(known, want)] = _move(known, want)
    return move


def compact_sgr(data: str) -> str:
    """``data`` with the same effect on a terminal, in fewer style codes (module doc)."""
    out: list[str] = []
    emit = out.append
    known: Style | None = None  # what the terminal has, as far as this write knows
    want: Style | None = None  # what the original would have by now; None: passing through
    passing = False  # an unknown code was met: write as received until the next reset
    pos = 0
    for match in _TOKEN.finditer(data):
        start, end = match.span()
        if start > pos:
            chunk = data[pos:start]
            if want is not None and not passing:
                target = want
                if target != known:
                    move = _cached_move(known, target)
                    if (
                        known is not None
                        and want[1] != known[1]
                        and not want[0] & _DRAWS_SPACES
                        and not chunk.strip(" ")
                    ):
                        # Spaces: their foreground shows nowhere; kept if that is shorter.
                        kept = (want[0], known[1], want[2])
                        shorter = "" if kept == known else _cached_move(known, kept)
                        if len(shorter) < len(move):
                            target, move = kept, shorter
                    emit(move)
                    known = target
            emit(chunk)
        pos = end
        params = match.group(1)
        if params is None:  # a cursor move
            emit(match.group(2))
            continue
        base = want
        if base is None or passing:
            first = params.split(";", 1)[0]
            base = _RESET if first in ("", "0") else None
        after = None if base is None else _cached_apply(base, params)
        if after is None:  # not understood: send it as it came, and what follows
            if want is not None and not passing and want != known:
                emit(_move(known, want))
            emit(match.group(0))
            passing, known, want = True, None, None
        else:
            if passing:  # a reset ends the passing through: send it as it came
                emit(match.group(0))
                passing, known = False, after
            want = after
    if pos < len(data):
        if want is not None and not passing and want != known:
            emit(_move(known, want))
            known = want
        emit(data[pos:])
    elif want is not None and not passing and want != known:
        emit(_move(known, want))
    return "".join(out)


class CompactingFile:
    """The terminal file Textual's writer thread writes to, each write compacted there (off
    the event loop)."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file

    def write(self, text: str) -> int:
        return self._file.write(compact_sgr(text))

    def flush(self) -> None:
        self._file.flush()

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return self._file.isatty()


__all__ = ["CompactingFile", "compact_sgr"]
