"""The one-widget page tabs: their layout, underline, scrolling, clicks and the pointer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from textual.app import App, ComposeResult
from textual.content import Content

from lishi_tui.app.widgets.page_bar import PageBar, TabSpan, centred_scroll, lay_out, underline
from tests.app_support import screen_text
from tests.support.waiting import until, until_shown
from tests.test_app_scale import app_for, filled, many_config


def test_tabs_sit_side_by_side_with_a_column_of_padding_each_side() -> None:
    # "经济" takes four columns: its tab six.
    assert lay_out([Content("0 总览"), "1 经济"]) == (
        TabSpan("0 总览", 0, 8),
        TabSpan("1 经济", 8, 16),
    )


def test_the_underline_is_textuals_bar() -> None:
    # Textual's Bar over 10 columns lit from 3 to 6: the bar up to one before the start, a
    # right half-bar, the lit part, a left half-bar, the bar to the end.
    assert underline(10, 3, 6) == [("━━", False), ("╸", False), ("━━━", True), ("╺", False),
                                   ("━━━", False)]  # fmt: skip
    assert underline(10, 0, 0) == [("━" * 10, False)]  # nothing lit
    assert underline(6, 1, 6) == [("╸", False), ("━" * 5, True)]  # lit to the end: no half-bar


def test_the_shown_tab_is_centred_when_the_tabs_are_wider_than_the_screen() -> None:
    tab = [TabSpan(str(n), n * 10, n * 10 + 10) for n in range(20)]  # 200 columns
    assert centred_scroll(0, tab[3], 200, 200) == 0  # they fit: no scroll
    assert centred_scroll(0, tab[10], 50, 200) == 80  # its middle (105) in the middle (25)
    assert centred_scroll(80, tab[19], 50, 200) == 150  # no further than the last column
    assert centred_scroll(150, tab[0], 50, 200) == 0


class Bar(App[None]):
    def __init__(self, labels: list[str]) -> None:
        super().__init__()
        self.bar = PageBar([Content(label) for label in labels])
        self.clicked: list[int] = []

    def compose(self) -> ComposeResult:
        yield self.bar

    def on_page_bar_clicked(self, event: PageBar.Clicked) -> None:
        self.clicked.append(event.index)
        self.bar.show(event.index)


def lit_columns(bar: PageBar) -> list[int]:
    """The underline's columns drawn in the highlight's colour."""
    lit = bar.get_component_rich_style("page-bar--bar").color
    columns: list[int] = []
    x = 0
    for segment in bar.render_line(1):
        if segment.style is not None and segment.style.color == lit:
            columns += range(x, x + len(segment.text))
        x += len(segment.text)
    return columns


def rows(app: App[Any]) -> list[str]:
    return screen_text(app).splitlines()[:2]


async def test_the_bar_draws_titles_and_underlines_the_shown_one() -> None:
    app = Bar(["0 总览", "1 经济", "2 项目"])
    async with app.run_test(size=(40, 5)):
        titles, under = rows(app)
        assert titles.rstrip() == " 0 总览  1 经济  2 项目"
        # Lit under "0 总览" (columns 1 to 6): a right half-bar before it, a left one after.
        assert under == "╸" + "━" * 6 + "╺" + "━" * 32
        styles = [seg.style or Style() for seg in app.bar.render_line(0)]
        assert styles[0].color != styles[1].color  # the shown tab brighter than the others


async def test_a_click_on_a_title_or_under_it_shows_that_page_and_the_pointer_lights() -> None:
    app = Bar(["0 总览", "1 经济", "2 项目"])
    async with app.run_test(size=(40, 5)) as pilot:
        assert lit_columns(app.bar) == list(range(1, 7))  # under "0 总览"
        await pilot.click(PageBar, offset=(10, 0))  # on "1 经济"
        await until(pilot, lambda: app.clicked == [1], what="page 1 clicked")
        await until(pilot, lambda: lit_columns(app.bar) == list(range(9, 15)), what="lit")
        await pilot.click(PageBar, offset=(18, 1))  # under "2 项目"
        await until(pilot, lambda: app.clicked == [1, 2], what="page 2 clicked")
        await pilot.click(PageBar, offset=(35, 0))  # past the last tab: nothing
        await pilot.pause()
        assert app.clicked == [1, 2]
        before = list(app.bar.render_line(0))
        await pilot.hover(PageBar, offset=(2, 0))  # over "0 总览", not the page shown
        await until(pilot, lambda: list(app.bar.render_line(0)) != before, what="it is lit")
        assert app.bar.render_line(0)._segments[0].style != before[0].style


async def test_on_a_narrow_screen_the_bar_scrolls_the_shown_tab_into_view() -> None:
    app = Bar([f"{n} 第{n}页" for n in range(20)])  # 20 tabs of 8 or 9 columns
    async with app.run_test(size=(40, 5)) as pilot:
        app.bar.show(15)
        await until(pilot, lambda: "15 第15页" in rows(app)[0], what="page 15's tab in view")
        titles = rows(app)[0]
        middle = titles.index("15 第15页") + len("15 第15页")  # about the middle of 40
        assert 15 <= middle <= 30, titles
        app.bar.show(0)
        await until(pilot, lambda: rows(app)[0].startswith(" 0 第0页"), what="back to the left")


async def test_the_dashboard_pages_by_its_tabs_at_80_columns(tmp_path: Path) -> None:
    config = many_config(200)  # 25 pages and the overview: far wider than 80 columns
    store = filled(tmp_path, 200)
    app = app_for(config, store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until_shown(pilot, "1 第1页")
            await pilot.press("9")
            await until(pilot, lambda: app.dashboard.page_index == 8, what="page 9 shown")
            await until(pilot, lambda: "9 第9页" in rows(app)[1], what="its tab in view")
    finally:
        store.close()
