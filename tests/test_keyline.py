"""The one-widget footer: what it draws, what a click and the pointer do, when it repaints."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import fill_store
from tests.support.dashboard_app import app_for, first_page_up
from tests.support.waiting import until


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "press('q')", "退出"),
        Binding("enter", "press('enter')", "Detail"),
        Binding("x,y", "press('x')", "Same action"),  # one action, two keys: shown once
        Binding("d", "press('d')", "Off"),  # shown, disabled (check_action says None)
        Binding("h", "press('h')", "Hidden", show=False),
        Binding("t", "flip", "Toggle", tooltip="Shows or hides r"),
        Binding("r", "press('r')", "Raw"),  # hidden while ``hide_r``
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []
        self.bells = 0
        self.hide_r = False

    def compose(self) -> ComposeResult:
        yield KeyLine()

    def action_press(self, key: str) -> None:
        self.pressed.append(key)

    def action_flip(self) -> None:
        self.hide_r = not self.hide_r
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if parameters == ("d",):
            return None
        return not (parameters == ("r",) and self.hide_r)

    def bell(self) -> None:
        self.bells += 1


def line_of(line: KeyLine) -> list[Segment]:
    return list(line.render_line(0))


def text_of(line: KeyLine) -> str:
    return "".join(segment.text for segment in line_of(line))


async def test_keys_are_drawn_in_order_padded_as_textuals_footer_pads_them() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)):
        line = app.screen.query_one(KeyLine)
        # Read off Textual's footer: " key " then "description ", one after another; the
        # enter key written as Textual writes it; x and y (one action) once; h not shown.
        text = text_of(line)
        assert text.startswith(" q 退出  ⏎ Detail  x Same action  d Off  t Toggle  r Raw ")
        assert cell_len(text) == 80 and len(text) == 78  # 退出: two characters, four cells
        assert "Hidden" not in text and " y " not in text
        assert [k.key for k in line.keys] == ["q", "enter", "x", "d", "t", "r"]
        assert [(k.start, k.end) for k in line.keys][:2] == [(0, 8), (8, 18)]
        # The key bold, its description not; a disabled key and its description dim.
        styles = {segment.text: segment.style or Style() for segment in line_of(line)}
        assert styles[" q "].bold and not styles["退出 "].bold
        assert styles[" d "].dim and styles["Off "].dim
        assert not styles[" q "].dim


async def test_a_click_presses_the_key_under_it_and_a_disabled_one_rings() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        line = app.screen.query_one(KeyLine)
        assert await pilot.click(KeyLine, offset=(12, 0))  # "Detail": enter's description
        await until(pilot, lambda: app.pressed == ["enter"], what="enter pressed by a click")
        d = next(k for k in line.keys if k.key == "d")
        await pilot.click(KeyLine, offset=(d.start, 0))
        await until(pilot, lambda: app.bells == 1, what="the bell for a disabled key")
        await pilot.click(KeyLine, offset=(79, 0))  # past the last key: nothing
        await pilot.pause()
        assert app.pressed == ["enter"] and app.bells == 1


async def test_the_key_under_the_pointer_is_lit_and_shows_its_tooltip() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        line = app.screen.query_one(KeyLine)
        before = line_of(line)
        toggle = next(k for k in line.keys if k.key == "t")
        await pilot.hover(KeyLine, offset=(toggle.start + 1, 0))
        await until(pilot, lambda: line_of(line) != before, what="the key under the pointer lit")
        lit = {s.text: s.style for s in line_of(line)}
        unlit = {s.text: s.style for s in before}
        assert lit[" t "] != unlit[" t "] and lit["Toggle "] != unlit["Toggle "]
        assert lit[" q "] == unlit[" q "]  # the others as they were
        assert line.tooltip == "Shows or hides r"
        q = line.keys[0]
        await pilot.hover(KeyLine, offset=(q.start, 0))
        await until(pilot, lambda: line.tooltip is None, what="no tooltip over q")


async def test_the_line_follows_the_bindings_and_repaints_only_when_they_change() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        line = app.screen.query_one(KeyLine)
        assert "Raw" in text_of(line)
        keys = line.keys
        app.refresh_bindings()  # the same keys: the very same tuple is kept
        await pilot.pause()
        assert line.keys is keys
        await pilot.press("t")
        await until(pilot, lambda: "Raw" not in text_of(line), what="r hidden")
        await pilot.press("t")
        await until(pilot, lambda: "Raw" in text_of(line), what="r shown again")


async def test_a_narrow_line_is_cut_at_the_edge() -> None:
    app = KeysApp()
    async with app.run_test(size=(20, 5)):
        line = app.screen.query_one(KeyLine)
        assert text_of(line) == " q 退出  ⏎ Detail  x"  # 8 + 10 cells, and 2 of " x Same…"


async def test_the_dashboards_footer_opens_the_plugins_screen_on_a_click(tmp_path: Path) -> None:
    from lishi_tui.app.screens.plugins import PluginsScreen

    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    app = app_for(store)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await first_page_up(pilot, app)
            line = app.dashboard.query_one(KeyLine)
            plugins = next(k for k in line.keys if k.key == "p")
            assert plugins.description == "插件与数据源"  # Chinese by default
            await pilot.click(KeyLine, offset=(plugins.start + 1, 0))
            await until(
                pilot,
                lambda: isinstance(app.screen, PluginsScreen),
                what="the plugins screen, from a click on p",
            )
    finally:
        store.close()
