"""Fitting the screen: a figure never split from its unit, the overview's columns at 80 columns in
both languages, the spare rows of a page without charts."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from lishi_tui.app import LishiApp
from lishi_tui.app.formatting import period_text, value_text
from lishi_tui.app.i18n import t
from lishi_tui.app.screens.dashboard import DashboardScreen, pack, row_heights
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.app.widgets.panels import Panel, TablePanel
from lishi_tui.app.widgets.prose import Prose, wrap
from lishi_tui.config.schema import Config
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import screen_text
from tests.support.bundled_app import bundled_app
from tests.support.waiting import until

SENTENCES = [
    ("Behind the on-track path by 0.26 %  8.56 % a month is needed to finish on time", "en"),
    ("Latest value: 88.47 %  (1,581 / 1,787)  ▲ warning", "en"),
    ("需每月新增 0.3 万亩方能按期完成  落后按期路径 0.26 %", "zh"),
    ("目标 100 %  基期 0.00 % (2021-01-01)  核实于3 小时前", "zh"),
]
FIGURES = [
    "0.26 %",
    "8.56 %",
    "88.47 %",
    "1,581 / 1,787",
    "0.3 万亩",
    "100 %",
    "0.00 %",
    "3 小时前",
]


@pytest.mark.parametrize("width", range(8, 61))
def test_a_figure_and_its_unit_never_wrap_apart(width: int) -> None:
    for sentence, _ in SENTENCES:
        lines = [line.plain for line in wrap(Text(sentence), width)]
        assert all(cell_len(line) <= width for line in lines), lines
        # Nothing lost, only broken (a break takes the spaces it falls on).
        assert "".join(lines).replace(" ", "") == sentence.replace(" ", "")
        for figure in FIGURES:
            if figure not in sentence:
                continue
            # The figure, its unit and the words glued to them ("核实于3 小时前"): whole
            # wherever they fit on a line; a piece longer than a line is folded by cells.
            at = sentence.index(figure)
            start = sentence.rfind(" ", 0, at) + 1 if not sentence[at - 1 : at].isspace() else at
            piece = sentence[start:].split(" ")
            glued = " ".join(piece[: len(figure.split(" ")) + (1 if figure[-1].isdigit() else 0)])
            if cell_len(glued) <= width:
                assert any(figure in line for line in lines), (width, figure, lines)


def test_prose_folds_what_is_longer_than_a_line() -> None:
    assert [line.plain for line in wrap(Text("a" * 25 + " b"), 10)] == [
        "a" * 10,
        "a" * 10,
        "aaaaa b",
    ]
    assert [line.plain for line in wrap(Text("one\n\ntwo"), 10)] == ["one", "", "two"]
    assert Prose(Text("x")).text.plain == "x"


def open_app(published: tuple[Path, Config, Registry], lang: str) -> LishiApp:
    path, config, registry = published
    app = bundled_app(SqliteStore(path), config, registry, lang=lang)
    assert isinstance(app, LishiApp)
    return app


UNIT_START = re.compile(r"^\s*(%|万|亿|人|个|项|件|mu\b|people\b|items\b)")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_detail_at_80_columns_keeps_each_figure_with_its_unit(
    published: tuple[Path, Config, Registry], lang: str
) -> None:
    app = open_app(published, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None, what="the first page up")
        board = app.dashboard
        await pilot.press("4")
        await until(pilot, lambda: board.page_index == board.page_keys[4], what="page 4")
        await until(
            pilot,
            lambda: app.focused in board.pages[board.page_index][1],
            what="its first panel focused",
        )
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen) and app.screen.reads > 0,
            what="the requests detail read",
        )
        text = screen_text(app)
        lines = text.splitlines()
        # The target's note in the UI's language (the bundled config gives both).
        assert ("assumed: all handled by year end" in text) == (lang == "en"), text
        assert ("假设：年底前全部办结" in text) == (lang == "zh"), text
        pace = t("detail.off_track", lang, gap="").strip().split()[0]
        assert pace in text, text  # the sentence that used to split "0.26 / %" is there
        for above, below in itertools.pairwise(lines):
            if re.search(r"\d\s*$", above):
                assert not UNIT_START.search(below), f"{above!r} / {below!r}"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_overview_at_80_columns_keeps_progress_and_status(
    published: tuple[Path, Config, Registry], lang: str
) -> None:
    app = open_app(published, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = app.dashboard.overview
        assert overview is not None
        await until(
            pilot,
            lambda: overview.views and overview.content_size.width > 0,
            what="the overview read and laid out",
        )
        body = overview.body(overview.content_size.width)
        assert isinstance(body, Group)
        lines = [line.plain for line in body.renderables if isinstance(line, Text)]
        header = lines[0]
        for key in ("ov.value", "ov.period", "ov.progress.short", "ov.status.short"):
            assert t(key, lang) in header, header
        shown = overview.ordered()
        for line, indicator in zip(lines[1:], shown, strict=True):
            view = overview.views.get(indicator.id)
            if view is not None and view.progress is not None:
                assert f"{view.progress * 100:.0f}%" in line, line
                assert t(f"panel.rag.{view.rag.value}", lang) in line, line
            assert len(line) <= overview.content_size.width
            if view is not None:  # the figure whole, with its unit and period
                figure = value_text(indicator, view.latest, lang)
                assert figure in line and period_text(indicator, view.latest, lang) in line
                assert "…" not in line[line.index(figure) :], line
        assert any("…" in line for line in lines[1:])  # the names gave way, in the middle


def test_a_page_without_charts_gives_its_spare_rows_to_tables_else_to_every_row(
    published: tuple[Path, Config, Registry],
) -> None:
    app = open_app(published, "zh")
    board = DashboardScreen(app.data.config, app.data.ctx, overview="off", registry=app.registry)
    livelihood = next(panels for page, panels in board.pages if page.id == "livelihood")
    rows = pack(livelihood, 2)
    natural = row_heights(rows, 0)
    heights = row_heights(rows, sum(natural) + 12)
    assert sum(heights) == sum(natural) + 12
    for row, height, was in zip(rows, heights, natural, strict=True):
        tables = any(isinstance(p, TablePanel) for p, _ in row)
        assert (height > was) == tables, (row, heights, natural)
    stats_only = [[(p, s) for p, s in row if not isinstance(p, TablePanel)] for row in rows]
    stats_only = [row for row in stats_only if row]
    natural = row_heights(stats_only, 0)
    grown = row_heights(stats_only, sum(natural) + 9)
    assert all(h > n for h, n in zip(grown, natural, strict=True))  # every row shares them
    assert isinstance(livelihood[0], Panel)


def test_a_note_in_one_language_is_shown_in_both() -> None:
    from lishi_tui.domain.model import Target

    both = Target(100, note="假设", note_en="assumed")
    assert (both.note_text("zh"), both.note_text("en")) == ("假设", "assumed")
    assert Target(100, note="假设").note_text("en") == "假设"
    assert Target(100, note_en="assumed").note_text("zh") == "assumed"


@pytest.mark.parametrize("width", range(8, 24))
def test_names_that_would_read_the_same_once_elided_differ(width: int) -> None:
    from lishi_tui.app.widgets.panels.columns import elide_names

    names = [
        "市交办离石牵头实事办结率",
        "市交办离石配合实事办结率",
        "全区各级接收实事办结率",
        "爱心驿站",
    ]
    shown = [t.plain for t in elide_names([Text(n) for n in names], width)]
    assert all(cell_len(s) <= width for s in shown), shown
    assert len(set(shown)) == len(shown), shown  # no two lines read the same
    assert shown[3] == "爱心驿站"  # a name that fits is left alone
    if width >= 14:
        assert "牵头" in shown[0] and "配合" in shown[1]  # what tells them apart is kept


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(120, 36), (200, 56)], ids=["120x40", "200x60"])
def test_a_page_that_fits_gives_each_table_the_width_it_reads_well_at(
    published: tuple[Path, Config, Registry], lang: str, size: tuple[int, int]
) -> None:
    from lishi_tui.app.screens.page_layout import GUTTER, page_columns

    _, config, registry = published
    app = open_app(published, lang)
    board = DashboardScreen(config, app.data.ctx, overview="off", registry=registry)
    width, height = size
    narrow = 0
    for page, panels in board.pages:
        columns = page_columns(panels, width, height)
        rows = pack(panels, columns)
        cell = (width - GUTTER * (columns - 1)) / columns
        tall = sum(max(p.natural_height() for p, _ in row) for row in rows)
        assert tall <= height, (page.id, tall)  # the bundled pages all fit at these sizes
        for row in rows:
            for panel, span in row:
                if isinstance(panel, TablePanel):
                    got = span * cell + (span - 1) * GUTTER
                    assert got >= panel.min_width(), (page.id, panel.title_text(), got)
                    narrow = max(narrow, panel.min_width())
    assert narrow > 38  # a table wants more than one 38-cell column: the test can fail
