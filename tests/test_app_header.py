"""The screens' header survives a title change that arrives after its children went."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Header
from textual.widgets._header import HeaderTitle

from lishi_tui.app.widgets.header import SteadyHeader


class Titled(App[None]):
    def __init__(self, header: Header) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header


async def lose_title_then_retitle(header: Header) -> None:
    app = Titled(header)
    async with app.run_test() as pilot:
        await header.query_one(HeaderTitle).remove()  # what a recompose does first
        app.sub_title = "新的副标题"  # e.g. the alerts badge, while the recompose runs
        await pilot.pause()
        app.title = "离石区"
        await pilot.pause()
        assert app.is_running


async def test_textual_header_would_end_the_app() -> None:
    """The failure the steady header exists for (if Textual fixes it, drop SteadyHeader)."""
    with pytest.raises(NoMatches, match="HeaderTitle"):
        await lose_title_then_retitle(Header(show_clock=False, icon=""))


async def test_the_steady_header_ignores_a_title_child_that_has_gone() -> None:
    await lose_title_then_retitle(SteadyHeader())


async def test_the_steady_header_still_shows_title_changes() -> None:
    header = SteadyHeader()
    app = Titled(header)
    async with app.run_test() as pilot:
        app.title = "离石指标看板"
        await pilot.pause()
        assert "离石指标看板" in str(header.query_one(HeaderTitle).render())
