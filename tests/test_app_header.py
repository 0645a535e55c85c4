"""The screens' header: one widget that shows the title as it changes and never loses it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.command import CommandPalette

from lishi_tui.app.widgets.header import SteadyHeader
from tests.app_support import screen_text
from tests.support.waiting import until


class Titled(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.header = SteadyHeader()

    def compose(self) -> ComposeResult:
        yield self.header


def shown(header: SteadyHeader) -> str:
    """The header's top row as the terminal gets it."""
    return screen_text(header.app).splitlines()[0]


async def test_the_header_shows_title_and_sub_title_as_they_change() -> None:
    app = Titled()
    async with app.run_test(size=(60, 5)) as pilot:
        header = app.header
        assert not header.children  # one widget: no title child to look up (or lose)
        app.title = "离石指标看板"
        await until(pilot, lambda: "离石指标看板" in shown(header), what="the new title")
        app.sub_title = "采集中"
        await until(pilot, lambda: "离石指标看板 — 采集中" in shown(header), what="the sub-title")
        app.screen.sub_title = "本屏"  # a screen's own sub-title wins over the app's
        await until(pilot, lambda: "— 本屏" in shown(header), what="the screen's sub-title")


async def test_the_title_is_centred_between_the_icon_and_the_clock_and_cut_to_fit() -> None:
    app = Titled()
    async with app.run_test(size=(40, 5)) as pilot:
        app.title = "ab"
        await until(pilot, lambda: "ab" in shown(app.header), what="the title")
        row = shown(app.header)
        # 40 columns: 8 for the icon, 10 for the clock, "ab" in the middle of the 22 between.
        assert row.index("ab") == 8 + 10 and len(row) == 40
        app.title = "x" * 30
        await until(pilot, lambda: "…" in shown(app.header), what="a long title cut")
        row = shown(app.header)
        assert row[:8] == " " * 8 and row[-10:] == " " * 10
        assert row[8:30] == "x" * 21 + "…"


async def test_a_click_makes_it_tall_and_one_on_the_icon_opens_the_palette() -> None:
    app = Titled()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.click(SteadyHeader, offset=(30, 0))
        await until(pilot, lambda: app.header.size.height == 3, what="a tall header")
        await pilot.click(SteadyHeader, offset=(30, 1))
        await until(pilot, lambda: app.header.size.height == 1, what="back to one row")
        await pilot.click(SteadyHeader, offset=(2, 0))
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
