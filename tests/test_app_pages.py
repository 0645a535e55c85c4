"""A page switch on a large dashboard: what it reads, mounts, restyles and draws, counted (never timed).

The page Tab goes to is read and mounted ahead, once the page shown is drawn; the switch
itself reads nothing, mounts nothing and restyles no panel, whatever the number of pages;
its chart is drawn the frame after its figures; what was written while a page was hidden
is on it when it shows.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from lishi_tui.app import heap
from lishi_tui.app.app import LishiApp
from lishi_tui.app.screens import dashboard
from lishi_tui.app.screens.page_picker import PagePicker
from lishi_tui.app.widgets.chart import PlotChart
from lishi_tui.app.widgets.panels import ChartPanel, Panel
from lishi_tui.domain.periods import Period
from tests.app_support import observation
from tests.support.waiting import until, until_shown
from tests.test_app_scale import (
    PER_PAGE,
    app_for,
    filled,
    ind,
    many_config,
    mounted,
    page_ids,
    settled,
)


def count_restyles(panels: list[Panel]) -> list[Panel]:
    """Every restyle of ``panels`` from now on, one entry per call."""
    restyled: list[Panel] = []
    for panel in panels:
        original = panel.update_node_styles

        def restyle(animate: bool = True, panel: Panel = panel, original: Any = original) -> None:
            restyled.append(panel)
            original(animate)

        panel.update_node_styles = restyle  # type: ignore[method-assign]
    return restyled


@pytest.mark.parametrize("count", [100, 1000])
async def test_a_switch_reads_mounts_and_restyles_nothing_whatever_the_pages(
    tmp_path: Path, count: int
) -> None:
    config = many_config(count)
    store = filled(tmp_path, count)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        for shown in range(3):
            await settled(app, pilot)
            assert screen.shown_page == shown and screen.ahead == shown + 1
            target = screen.pages[shown + 1][1]
            before = set(mounted(app))
            restyled = count_restyles(target)
            store.history_reads.clear()

            screen.action_next_page()  # Tab: everything the switch does before its frame

            assert store.history_reads == []
            assert set(mounted(app)) == before
            assert restyled == []
            assert app.screen.focused is target[0]  # focused at once, one focus change
            # Once drawn, the next page is made ready: one page's figures read, one page's
            # panels mounted, the same for 13 pages as for 126.
            await settled(app, pilot)
            assert screen.ahead == shown + 2
            assert {i for i, _ in store.history_reads} == page_ids(config, shown + 2)
            assert len(store.history_reads) == PER_PAGE
            assert set(mounted(app)) - before == set(screen.pages[shown + 2][1])
            # Nor after (the focus's own :focus style aside): its panels were styled once,
            # with their figures' status, when they were mounted.
            assert restyled in ([], [target[0]])


def chart_of(app: LishiApp, page: int) -> tuple[ChartPanel, PlotChart]:
    panel = next(p for p in app.dashboard.pages[page][1] if isinstance(p, ChartPanel))
    return panel, panel.query_one(PlotChart)


async def test_a_page_shows_its_figures_a_frame_before_its_chart(tmp_path: Path) -> None:
    config = many_config(40)
    store = filled(tmp_path, 40)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        screen = app.dashboard
        panel, chart = chart_of(app, 1)
        stats = [p for p in screen.pages[1][1] if p is not panel]
        assert chart.builds == 0 and chart.held_frames == 0 and all(p.renders == 0 for p in stats)
        # What each render of the chart found: (plotext builds so far, held frames so far,
        # the page's other panels drawn so far, the caption).
        seen: list[tuple[int, int, int, str]] = []
        lines_for = chart.lines_for

        def watched(width: int, height: int) -> Any:
            lines = lines_for(width, height)
            caption = str(panel.query_one(".caption").render())
            seen.append(
                (chart.builds, chart.held_frames, sum(p.renders > 0 for p in stats), caption)
            )
            return lines

        chart.lines_for = watched  # type: ignore[method-assign]
        screen.action_next_page()
        await until(pilot, lambda: chart.builds == 1, what="the chart drawn")
        # The page's first frame: the chart held (a placeholder), its caption with its
        # figure (ind0015, June) and period; by the time plotext runs, every other panel of
        # the page has been drawn (in that first frame).
        first, *_, last = seen
        assert first[:2] == (0, 1)
        assert "66 %" in first[3] and "2021年6月" in first[3]
        assert last[:3] == (1, 1, len(stats))
        held = chart.held_frames

        # Away and back: the drawing is kept for its data and size, so it shows at once.
        screen.action_next_page()
        await settled(app, pilot)
        screen.action_prev_page()
        await until(pilot, lambda: screen.ahead == 2, what="page 2 ready again")
        await pilot.pause()
        assert chart.builds == 1 and chart.held_frames == held


async def test_figures_written_while_a_page_was_hidden_are_on_it_when_it_shows(
    tmp_path: Path,
) -> None:
    config = many_config(40)
    store = filled(tmp_path, 40)
    app = app_for(config, store)
    july = Period.month(2021, 7)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        await settled(app, pilot)
        left = ind(2)  # on page 0, left behind once page 1 shows
        screen.action_next_page()
        await settled(app, pilot)
        assert screen.ahead == 2
        ahead = ind(2 * PER_PAGE + 1)  # on page 2, ready ahead: kept current while hidden
        polls = app.polls
        store.history_reads.clear()
        store.write([observation(i, july, 77, source="bulk") for i in (left, ahead)])
        await until(pilot, lambda: app.polls > polls, what="a poll")
        assert {i for i, _ in store.history_reads} == {ahead}  # left is only marked

        store.history_reads.clear()
        screen.action_next_page()  # to page 2: nothing to read, it is current
        assert store.history_reads == []
        panel = next(p for p in screen.pages[2][1] if p.indicator_ids == (ahead,))
        view = panel.view()
        assert view is not None and view.latest is not None and view.latest.value == 77
        await until_shown(pilot, "77 %")

        await settled(app, pilot)
        store.history_reads.clear()
        screen.show_page(0)  # back to page 0: what changed while hidden is read, and only it
        assert {i for i, _ in store.history_reads} == {left}
        panel = next(p for p in screen.pages[0][1] if p.indicator_ids == (left,))
        view = panel.view()
        assert view is not None and view.latest is not None and view.latest.value == 77
        await until_shown(pilot, "77 %")


async def test_the_objects_of_the_start_are_frozen_out_of_the_collector(tmp_path: Path) -> None:
    config = many_config(16)
    store = filled(tmp_path, 16)
    app = app_for(config, store)
    heap.thaw()  # as at a process's start (an earlier test's app froze its own)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        # Once the first page is drawn and the next made ready: a full collection no longer
        # walks every panel built at start (it grew to ~80 ms with 1,000 panels).
        assert gc.get_freeze_count() > 0
        built = app.dashboard.pages[1][1][0]  # a panel built at start, mounted later
        assert all(o is not built for o in gc.get_objects(generation=2))


async def test_a_page_mounted_ahead_is_frozen_once_shown_and_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = many_config(40)
    store = filled(tmp_path, 40)
    app = app_for(config, store)
    heap.thaw()  # as at a process's start (an earlier test's app froze its own)
    freezes: list[int] = []
    original = heap.freeze_settled

    def counted() -> None:
        freezes.append(app.dashboard.shown_page)
        original()

    monkeypatch.setattr(dashboard, "freeze_settled", counted)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        await settled(app, pilot)
        screen.action_next_page()
        await settled(app, pilot)
        grid = screen._grids[2]  # mounted ahead of page 1, after the start's freeze
        assert any(o is grid for o in gc.get_objects())  # seen by the collector yet
        screen.action_next_page()
        await settled(app, pilot)
        # Shown and drawn: out of the collector's sight (a full collection, which started
        # at random inside Tab presses and grew with every page visited, walks only what
        # the last page mounted since).
        assert all(o is not grid for o in gc.get_objects())
        assert freezes == [0, 1, 2]  # the start's own call is a no-op: nothing frozen yet
        screen.show_page(1)  # pages mounted already: nothing new to freeze
        await settled(app, pilot)
        assert freezes == [0, 1, 2]


async def open_picker(app: LishiApp, pilot: Any) -> PagePicker:
    """``g`` pressed: the picker up, its query line taking the keys."""
    await pilot.press("g")

    def typing() -> bool:
        screen = app.screen
        return isinstance(screen, PagePicker) and isinstance(screen.focused, Input)

    await until(pilot, typing, what="the page picker, ready for typing")
    assert isinstance(app.screen, PagePicker)
    return app.screen


def footer_keys(app: LishiApp) -> list[str]:
    from lishi_tui.app.widgets.keyline import KeyLine

    return [key.description for key in app.dashboard.query_one(KeyLine).keys]


async def test_the_page_picker_goes_to_any_page_by_keyboard_in_chinese(tmp_path: Path) -> None:
    config = many_config(1000)  # 125 pages and the overview
    store = filled(tmp_path, 1000)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        await until(pilot, lambda: "选页" in footer_keys(app), what="the picker's key shown")
        picker = await open_picker(app, pilot)
        await until_shown(pilot, "跳转到页面（共 126 页）", "输入页名或页码")
        rows = picker.query_one(OptionList)
        assert rows.option_count == 126 and rows.highlighted == 0  # the page shown

        await pilot.press("8", "0")  # a page number: 80, and the pages whose number has 80
        await until(pilot, lambda: picker.shown == [79], what="page 80 alone")
        await pilot.press("enter")
        await until(pilot, lambda: app.dashboard.page_index == 79, what="page 80 shown")
        await until_shown(pilot, "指标0633")  # page 80's first panel: indicator 79 * 8 + 1
        assert isinstance(app.screen.focused, Panel)

        picker = await open_picker(app, pilot)  # by title, in Chinese; the arrows; Enter
        await pilot.press(*"第12")
        await until(pilot, lambda: picker.shown == [11, *range(119, 125)], what="第12…")
        await pilot.press("down", "enter")  # 第120页
        await until(pilot, lambda: app.dashboard.page_index == 119, what="page 120 shown")

        picker = await open_picker(app, pilot)
        await pilot.press(*"总览", "enter")
        await until(pilot, lambda: app.dashboard.page_index == 125, what="the overview shown")

        await open_picker(app, pilot)
        await pilot.press(*"nosuch", "enter")  # nothing matches: Enter does nothing
        await until_shown(pilot, "没有相符的页面")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.dashboard, what="the picker closed")
        assert app.dashboard.page_index == 125


async def test_the_picker_key_is_in_the_footer_only_beside_many_pages(tmp_path: Path) -> None:
    config = many_config(40)  # 5 pages and the overview: Tab and the number keys do
    store = filled(tmp_path, 40)
    app = app_for(config, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        assert "选页" not in footer_keys(app)
        await open_picker(app, pilot)  # it works all the same
        await pilot.press("3", "enter")
        await until(pilot, lambda: app.dashboard.page_index == 2, what="page 3 shown")
