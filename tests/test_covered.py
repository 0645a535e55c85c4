"""Containers under children that cover them draw blank lines: the screen stays the same,
cell for cell and style for style, and the lines are in fact skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.strip import Strip

from lishi_tui.app import LishiApp
from lishi_tui.app.widgets import covered
from lishi_tui.app.widgets.covered import SkipCovered, _covers
from lishi_tui.store.sqlite import SqliteStore
from tests.support.dashboard_app import app_for, filled_store, first_page_up


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


def test_covers_needs_every_cell() -> None:
    area = Region(0, 0, 10, 4)
    assert _covers(area, [Region(0, 0, 10, 4)])
    assert _covers(area, [Region(0, 0, 10, 1), Region(0, 1, 4, 3), Region(4, 1, 6, 3)])
    assert not _covers(area, [])
    assert not _covers(area, [Region(0, 0, 10, 3)])  # the last row shows
    assert not _covers(area, [Region(0, 0, 4, 4), Region(5, 0, 5, 4)])  # column 4 shows
    # Overlapping parts whose areas add up to more than enough, with one cell left over.
    parts = [Region(0, 0, 10, 3), Region(0, 1, 10, 2), Region(0, 3, 9, 1)]
    assert sum(p.width * p.height for p in parts) >= 40
    assert not _covers(area, parts)


def screen_cells(app: LishiApp) -> list[list[tuple[str, object]]]:
    """What the compositor makes of the whole screen: each line's text runs and styles."""
    strips = app.screen._compositor.render_strips()
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_screen_is_the_same_with_and_without_skipping(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    skipped: list[str] = []
    real = covered.covered_by_children

    def counted(widget: object) -> bool:
        answer = real(widget)  # type: ignore[arg-type]
        if answer:
            skipped.append(type(widget).__name__)
        return answer

    monkeypatch.setattr(covered, "covered_by_children", counted)
    app = app_for(store)
    async with app.run_test(size=size) as pilot:
        await first_page_up(pilot, app)
        for scrolls in range(2):  # as drawn, then with the page scrolled to its end
            if scrolls:
                app.dashboard.query_one("PageScroll").scroll_end(animate=False)
                await pilot.pause()
            skipped.clear()
            with_skipping = screen_cells(app)
            assert skipped, "no container was found covered"
            assert any(isinstance(w, SkipCovered) for w in app.screen.walk_children())
            monkeypatch.setattr(covered, "covered_by_children", lambda widget: False)
            drawn_whole = screen_cells(app)
            monkeypatch.setattr(covered, "covered_by_children", counted)
            assert with_skipping == drawn_whole
            assert any(text.strip() for line in drawn_whole for text, _ in line)


def test_a_covered_container_gives_blank_lines_of_the_crop(monkeypatch: pytest.MonkeyPatch) -> None:
    class Probe(SkipCovered):
        pass

    monkeypatch.setattr(covered, "covered_by_children", lambda widget: True)
    lines = Probe().render_lines(Region(3, 2, 7, 5))
    assert lines == [Strip.blank(7)] * 5
