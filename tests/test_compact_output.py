"""The terminal output in fewer colour codes (lishi_tui.app.compact_output): a terminal that
reads the compacted bytes shows what it shows for Textual's own, cell for cell.

The terminal here is pyte, a terminal emulator: each cell's character, colours and
attributes after the original and after the compacted bytes are compared. The one cell
property that may differ is the foreground of a space that nothing draws (no underline,
strike or reverse video), which no one can see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.control import Control
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.strip import Strip

from lishi_tui.app.compact_output import CompactingFile, compact_sgr
from lishi_tui.app.driver import QuietLinuxDriver
from lishi_tui.store.sqlite import SqliteStore
from tests.support.dashboard_app import app_for, filled_store, first_page_up

COLS, ROWS = 120, 40


def cells(data: str, cols: int = COLS, rows: int = ROWS) -> list[list[tuple[Any, ...]]]:
    screen = pyte.Screen(cols, rows)
    pyte.Stream(screen).feed(data)
    out = []
    for y in range(rows):
        line = []
        for x in range(cols):
            c = screen.buffer[y][x]
            seen = c.underscore or c.reverse or c.strikethrough
            fg = c.fg if c.data != " " or seen else "-"
            line.append((c.data, fg, c.bg, c.bold, c.italics, c.underscore, c.reverse,
                         c.strikethrough, c.blink))  # fmt: skip
        out.append(line)
    return out


def same_screen(original: str, cols: int = COLS, rows: int = ROWS) -> str:
    compacted = compact_sgr(original)
    assert cells(compacted, cols, rows) == cells(original, cols, rows), (original, compacted)
    return compacted


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


@pytest.mark.parametrize("colours", [ColorSystem.TRUECOLOR, ColorSystem.STANDARD])
async def test_the_dashboards_first_frame_shows_the_same_in_far_fewer_bytes(
    store: SqliteStore, colours: ColorSystem
) -> None:
    """The whole first page as Textual renders it for the terminal, in 24-bit colour and
    in the 16 colours of ``low_bandwidth``."""
    app = app_for(store)
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await first_page_up(pilot, app)
        frame = app.dashboard._compositor.render_update(full=True)
        assert isinstance(frame, LayoutUpdate)
        original = frame_text(frame, colours)
    assert "51 %" in original and original.count("\x1b[0m") > 100
    assert ("38;2;" in original) is (colours is ColorSystem.TRUECOLOR)
    compacted = same_screen(original)
    # This frame measured: 24-bit 16.8 -> 9.8 KB, 16 colours 10.3 -> 7.6 KB.
    share = 0.7 if colours is ColorSystem.TRUECOLOR else 0.8
    assert len(compacted.encode()) < share * len(original.encode())
    assert compacted.count("\x1b[0m") < original.count("\x1b[0m") / 4


def frame_text(frame: LayoutUpdate, colours: ColorSystem) -> str:
    """What Textual writes for ``frame`` (``LayoutUpdate.render_segments``), in ``colours``:
    each run as its whole style, the text and a reset. (Textual and Rich keep each style's codes
    once made, whatever the colour system: their own calls would give 24-bit codes twice.)"""
    lines = []
    for y, strips in enumerate(frame.strips, frame.region.y):
        runs = [Control.move_to(frame.region.x, y).segment.text]
        for strip in strips:
            for text, style, _ in strip:
                codes = ""
                if style is not None:
                    fresh = style.copy()
                    fresh._ansi = None  # the codes made anew for ``colours``
                    codes = fresh._make_ansi_codes(colours)
                runs.append(f"\x1b[{codes}m{text}\x1b[0m" if codes else text)
        lines.append("".join(runs))
    return "\n".join(lines)


def sgr(style: Style, text: str) -> str:
    return Strip([Segment(text, style)]).render(cast(Any, _Console()))


class _Console:
    _color_system = ColorSystem.TRUECOLOR


def test_an_attribute_turned_off_is_turned_off() -> None:
    """Bold, then plain in the same colour: the plain text must not stay bold."""
    red = "\x1b[38;2;200;0;0m"
    original = f"\x1b[H\x1b[1;38;2;200;0;0mA\x1b[0m{red}B\x1b[0m"
    compacted = same_screen(original, 10, 2)
    screen = cells(compacted, 10, 2)
    assert screen[0][0][3] is True and screen[0][1][3] is False
    assert compacted.endswith("\x1b[0m")  # the write ends in the original's state


def test_turning_bold_off_keeps_dim_that_is_still_wanted() -> None:
    """SGR 22 ends bold and dim together: dim goes on again (pyte does not show dim, so
    the codes are read here)."""
    c = "38;2;1;2;3"
    original = f"\x1b[0m\x1b[1;2;{c}mA\x1b[0m\x1b[2;{c}mB\x1b[0m"
    compacted = compact_sgr(original)
    assert compacted == f"\x1b[0;1;2;{c}mA\x1b[22;2mB\x1b[0m"


def test_only_the_colour_that_changed_is_sent() -> None:
    bg = "48;2;18;18;18"
    original = f"\x1b[H\x1b[0m\x1b[38;2;1;2;3;{bg}mab\x1b[0m\x1b[38;2;9;9;9;{bg}mcd\x1b[0m"
    compacted = same_screen(original, 10, 2)
    assert compacted == f"\x1b[H\x1b[0;38;2;1;2;3;{bg}mab\x1b[38;2;9;9;9mcd\x1b[0m"


def test_an_erase_paints_with_the_background_the_original_had() -> None:
    """``ESC[K`` clears to the end of the line in the current background: the reset
    before it is sent before it, not after."""
    original = "\x1b[H\x1b[0m\x1b[48;2;0;0;200mab\x1b[0m\x1b[K\x1b[2;1H\x1b[48;2;0;0;200mc\x1b[K"
    same_screen(original, 10, 3)


def test_cursor_moves_pass_and_spaces_keep_their_background() -> None:
    original = (
        "\x1b[0m\x1b[38;2;255;0;0;48;2;0;0;50mx\x1b[0m\x1b[1;5H\x1b[38;2;0;255;0;48;2;0;0;50m"
        "   \x1b[0m\x1b[38;2;255;0;0;48;2;0;0;50my\x1b[0m"
    )
    compacted = same_screen(original, 10, 2)
    assert "\x1b[1;5H" in compacted
    assert "0;255;0" not in compacted  # the spaces' foreground: nothing draws it


def test_underlined_spaces_keep_their_foreground() -> None:
    """An underline draws a space's foreground: it is sent."""
    original = "\x1b[H\x1b[0m\x1b[38;2;255;0;0mx\x1b[0m\x1b[4;38;2;0;255;0m  \x1b[0m"
    compacted = same_screen(original, 10, 2)
    assert "0;255;0" in compacted


def test_codes_it_does_not_know_pass_as_they_came() -> None:
    """A colon sub-parameter (curly underline), an underline colour and 256 colours."""
    for unknown in ("\x1b[4:3m", "\x1b[58;2;1;2;3m", "\x1b[38:2::1:2:3m"):
        original = f"\x1b[H\x1b[0m\x1b[1mA{unknown}B\x1b[22mC\x1b[0m\x1b[38;5;196mD\x1b[0m"
        compacted = compact_sgr(original)
        assert unknown + "B\x1b[22mC\x1b[0m" in compacted  # as received until the reset
        assert cells(compacted, 10, 2) == cells(original, 10, 2)


def test_other_sequences_and_partial_ones_are_left_alone() -> None:
    """Modes, a hyperlink (OSC 8), synchronized output; a write that ends inside a sequence,
    and the next one that finishes it."""
    original = (
        "\x1b[?2026h\x1b[?25l\x1b[H\x1b[0m\x1b]8;;http://127.0.0.1/\x1b\\\x1b[1mlink\x1b[0m"
        "\x1b]8;;\x1b\\\x1b[?2026l"
    )
    assert "\x1b]8;;http://127.0.0.1/\x1b\\" in same_screen(original, 10, 2)
    first, second = "\x1b[H\x1b[0m\x1b[1mA\x1b[0m\x1b[38;2;", "1;2;3mB\x1b[0m"
    joined = compact_sgr(first) + compact_sgr(second)
    assert cells(joined, 10, 2) == cells(first + second, 10, 2)


STYLES = [
    Style(),
    Style(bold=True),
    Style(color="#e0e0e0", bgcolor="#121212"),
    Style(color="#004578", bgcolor="#121212"),
    Style(color="#fea62b", bgcolor="#1b1b1b", bold=True),
    Style(color="red", bgcolor="#121212", italic=True),
    Style(color="#e0e0e0", bgcolor="#121212", underline=True),
    Style(color="#e0e0e0", bgcolor="#121212", reverse=True),
    Style(color="color(196)", strike=True),
    Style(bgcolor="#242f38"),
    Style(color="#98e024", bgcolor="#121212", blink=True),
]
TEXTS = st.sampled_from(["a", "  ", "数据", "x y", "┏╍╍┓", " "])
PIECES = st.one_of(
    st.tuples(st.sampled_from(range(len(STYLES))), TEXTS).map(lambda p: sgr(STYLES[p[0]], p[1])),
    TEXTS,
    st.tuples(st.integers(1, 6), st.integers(1, 20)).map(lambda p: f"\x1b[{p[0]};{p[1]}H"),
    st.sampled_from(["\x1b[K", "\r\n", "\x1b[?2026h", "\x1b[1m", "\x1b[0m", "\x1b[2J"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_any_run_of_styled_text_moves_and_erases_shows_the_same(pieces: list[str]) -> None:
    original = "".join(pieces)
    compacted = same_screen(original, 24, 6)
    assert len(compacted) <= len(original)


async def test_the_driver_writes_through_it() -> None:
    """Textual's writer thread writes to the driver's file: the compacting one."""
    out = io.StringIO()
    driver = QuietLinuxDriver(cast(Any, _App()))
    assert isinstance(driver._file, CompactingFile)
    driver._file = cast(Any, CompactingFile(out))
    driver._file.write("\x1b[0m\x1b[1mA\x1b[0m\x1b[1mB\x1b[0m")
    assert out.getvalue() == "\x1b[0;1mAB\x1b[0m"


class _App:
    """What a driver's constructor reads of its app."""

    debug = False
    _driver = None
