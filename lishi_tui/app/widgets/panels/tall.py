"""What a stat or gauge panel shows in the rows below its figure: the change, where the figure
is from, its note, and every stored period.

A window taller than the page's natural height gives its spare rows to every panel in a row
(``page_layout.row_heights``): a one-figure panel beside a chart or a table is as tall as they
are. These lines fill those rows with stored facts only: nothing here is computed that the
store does not hold, and a demo figure says so on its own line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath

from rich.cells import cell_len
from rich.text import Text

from lishi_tui.app.formatting import (
    append_status_mark,
    clean,
    delta_text,
    period_text,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.domain.model import Observation

# The most rows the document or URL a figure is from, and its note (the report's sentence),
# take: more where everything then fits, else fewer (the detail screen shows them whole).
ROWS = ((3, 8), (2, 3))
PERIODS_KEPT = 5  # the periods' heading and the newest four: what the origin and note leave


def change_line(view: IndicatorView, lang: str) -> Text:
    """The change from the previous period, or why there is none."""
    latest, previous = view.latest, view.previous
    if previous is not None and previous.demo and not (latest is not None and latest.demo):
        # A difference from an invented figure is itself invented: a label beside the
        # number is lost once the number is read out or copied into a report.
        return Text(t("panel.change_demo", lang), "dim italic")
    if (
        latest is not None
        and previous is not None
        and previous.value is not None
        and latest.value is not None
    ):
        delta = delta_text(view.indicator, latest.value - previous.value, lang)
        return Text(t("panel.change", lang, delta=delta))
    return Text(t("panel.change_none", lang), "dim")


def tall_lines(view: IndicatorView, lang: str, width: int, rows: int) -> list[Text]:
    """At most ``rows`` lines, ``width`` cells wide: the figure's origin, its note, then its
    periods newest first (demo ones marked), each section after a blank line where all fit."""
    if rows <= 0 or view.latest is None:
        return []
    latest = view.latest
    origin = _origin_text(clean(latest.reading.origin or latest.fetch_url))
    note = clean(latest.reading.note_text(lang))
    # The indicator's own unit is never split across two rows ("亿 / 元" reads as two words).
    units = tuple({view.indicator.unit, view.indicator.unit_label(lang)})
    figured = view.figured if len(view.figured) > 1 else ()
    # The heading and a line per period; only what can show is formatted (a view holds up to
    # 800 periods, a panel shows a handful: formatting them all was most of a page switch).
    total = len(figured) + 1 if figured else 0
    periods = _periods(view, figured[:rows], lang) if figured else []
    sections: list[list[Text]] = []
    for origin_rows, note_rows in ROWS:  # the origin and note whole if the rows allow
        sections = []
        if origin:
            sections.append(_wrapped(t("panel.origin", lang), origin, width, origin_rows))
        if note:
            sections.append(_wrapped(t("panel.note", lang), note, width, note_rows, units))
        # Room left for the heading and a few periods (a long list is cut anyway).
        if _height(sections, min(total, PERIODS_KEPT)) <= rows:
            break
    spaced = _height(sections, total) <= rows
    lines: list[Text] = []
    for section in sections:
        if spaced:
            lines.append(Text(""))
        lines.extend(section[: max(rows - len(lines), 0)])
    if periods:
        if spaced:
            lines.append(Text(""))
        room = rows - len(lines)
        if total > room >= 3:
            # The first that fit, then how many more (the detail, one Enter away, has all).
            more = total - (room - 1)
            # Past the read's limit the count is a floor: "at least N", never a wrong "N".
            key = "panel.periods.more" if view.history_whole else "panel.periods.more_floor"
            periods = [*periods[: room - 1], Text(t(key, lang, n=more), "dim")]
            lines.extend(periods)
        elif total <= room:  # else too few rows to list even one period with its "more"
            lines.extend(periods)
    return lines[:rows]


def _origin_text(origin: str) -> str:
    """A URL or a document as stored; a local file by its name (the detail screen gives the
    whole path, which on a panel would be mostly the folders it sits in)."""
    if origin.startswith("/") or _WINDOWS_PATH.match(origin):
        return PureWindowsPath(origin).name if "\\" in origin else PurePosixPath(origin).name
    return origin


def _height(sections: list[list[Text]], periods: int) -> int:
    """The rows the sections and ``periods`` lines take, with a blank line before each."""
    return sum(len(s) + 1 for s in sections) + (periods + 1 if periods else 0)


def _periods(view: IndicatorView, history: Sequence[Observation], lang: str) -> list[Text]:
    """A heading, then one line per period of ``history`` (newest first, each with a figure:
    one stored without is left to the detail screen, as missing): period, figure, marks."""
    indicator, latest = view.indicator, view.latest
    labels = [period_text(indicator, o, lang) for o in history]
    figures = [value_text(indicator, o, lang) for o in history]
    label_cells = max(cell_len(label) for label in labels)
    figure_cells = max(cell_len(figure) for figure in figures)
    lines = [Text(t("panel.periods", lang), "dim")]
    for obs, label, figure in zip(history, labels, figures, strict=True):
        line = Text(label + " " * (label_cells - cell_len(label)) + "  ")
        shown = _same(obs, latest)
        line.append(" " * (figure_cells - cell_len(figure)) + figure, "bold" if shown else "")
        append_status_mark(line, obs, lang)
        if obs.demo:
            line.append("  ")
            line.append(t("panel.demo", lang), "reverse")
        if shown:
            line.append(f"  {t('panel.periods.shown', lang)}", "dim")
        lines.append(line)
    return lines


def _same(obs: Observation, latest: Observation | None) -> bool:
    return latest is not None and obs.period == latest.period and obs.source == latest.source


# Where a line may break: after a run of ASCII (a word, a number, a path) with its spaces, or
# after any other single character (Chinese breaks between any two).
_TOKEN = re.compile(r"[!-~]+ *| +|[^!-~ ] *")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_FIGURE_END = re.compile(r"[0-9]$")
# Never at the start of a line: closing marks stay with what they close;
_CLOSING = frozenset("，。、；：！？”’）》」』,.;:!?)")
_OPENING = frozenset("“‘（《「『(")  # nor at the end: opening marks stay with what they open


def _pieces(plain: str, whole: Sequence[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of what a line may break between. A figure keeps what follows it: an
    ASCII unit ("88 %", "1,581 / 1,787") or up to two Chinese characters ("1581件",
    "166亿元"); a closing mark keeps the character before it, an opening one the next; a
    word of ``whole`` (the indicator's unit) is never broken, figure or not ("总投资，亿元")."""
    inside = {
        match.start() + offset
        for word in whole
        if len(word) > 1
        for match in re.finditer(re.escape(word), plain)
        for offset in range(1, len(word))
    }
    pieces: list[tuple[int, int]] = []
    glue = 0  # how many more pieces join the figure before them
    for match in _TOKEN.finditer(plain):
        start, end = match.span()
        word = match.group().rstrip(" ")
        joins = bool(pieces) and (
            glue > 0
            or start in inside
            or (bool(word) and word[0] in _CLOSING)
            or plain[pieces[-1][1] - 1] in _OPENING
        )
        if joins:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
        if word and (_FIGURE_END.search(word) or word == "/"):
            glue = 2
        elif glue and len(word) == 1 and not word.isascii() and end == start + 1:
            glue -= 1  # a Chinese unit character, more may follow
        else:
            glue = 0
    return pieces


def _breaks(plain: str, width: int, whole: Sequence[str] = ()) -> list[int]:
    """The offsets at which ``plain`` breaks into lines of ``width`` cells."""
    offsets: list[int] = []
    used = 0
    for start, end in _pieces(plain, whole):
        piece = plain[start:end]
        bare = cell_len(piece.rstrip(" "))
        if used and used + bare > width:
            offsets.append(start)
            used = 0
        if bare > width:  # longer than a line: folded where the cells run out
            for index, char in enumerate(piece):
                if used and used + cell_len(char) > width and not char.isspace():
                    offsets.append(start + index)
                    used = 0
                used += cell_len(char)
            continue
        used += cell_len(piece)
    return offsets


def _wrapped(label: str, text: str, width: int, most: int, whole: Sequence[str] = ()) -> list[Text]:
    """``label`` then ``text`` on at most ``most`` rows of ``width`` cells, the rows after the
    first indented under the text (the last holds the rest, which fit() cuts with "…")."""
    indent = cell_len(label)
    if width - indent < 8:  # too narrow for a hanging indent: the text under its label
        return [Text(label, "dim"), *_wrapped("", text, width, most - 1, whole)] if most > 1 else []
    body = Text(text)
    offsets = _breaks(text, width - indent, whole)[: most - 1]
    lines = list(body.divide(offsets)) if offsets else [body]
    out = []
    for index, line in enumerate(lines):
        line.rstrip()
        head = Text(label, "dim") if index == 0 else Text(" " * indent)
        out.append(head + line)
    return out
