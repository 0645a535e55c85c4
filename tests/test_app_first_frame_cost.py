"""What the first frame costs: no restyle or repaint before or after it that changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.dom import DOMNode

from lishi_tui.app import LishiApp
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.store.sqlite import SqliteStore
from tests.support.dashboard_app import app_for, filled_store, first_page_up


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


class Seen:
    """The cells each frame of the dashboard sends, and the nodes restyled before the first."""

    def __init__(self, app: LishiApp) -> None:
        self.frames: list[set[tuple[int, int]]] = []
        self.restyled: list[DOMNode] = []  # update_styles calls before the first frame
        self.focused: list[object] = []  # and the widgets given the focus before it
        compositor = app.dashboard._compositor
        render_update: Callable[..., Any] = compositor.render_update

        def counted(full: bool = False, **kwargs: Any) -> Any:
            if not full:
                size = compositor.size
                regions = (
                    [size.region]
                    if size.region in compositor._dirty_regions
                    else list(compositor._dirty_regions)
                )
                self.frames.append(
                    {
                        (x, y)
                        for r in regions
                        for y in range(max(r.y, 0), min(r.bottom, size.height))
                        for x in range(max(r.x, 0), min(r.right, size.width))
                    }
                )
            return render_update(full=full, **kwargs)

        compositor.render_update = counted  # type: ignore[method-assign,assignment]
        update_styles = app.update_styles

        def restyle(node: DOMNode, animate: bool = True) -> None:
            if not self.frames:
                self.restyled.append(node)
            update_styles(node, animate=animate)

        app.update_styles = restyle  # type: ignore[method-assign]
        screen = app.dashboard
        set_focus: Callable[..., Any] = screen.set_focus

        def focus(widget: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.frames:
                self.focused.append(widget)
            return set_focus(widget, *args, **kwargs)

        screen.set_focus = focus  # type: ignore[method-assign]


async def test_no_frame_after_the_first_sends_the_screen_again(store: SqliteStore) -> None:
    """Widgets ask to repaint as they mount; the first frame draws them whole, and what they
    asked for must not come as a second frame of (nearly) every cell."""
    app = app_for(store)
    seen = Seen(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await pilot.pause(0.3)
        cells = 120 * 40
        assert len(seen.frames[0]) == cells
        later = [len(frame) / cells for frame in seen.frames[1:]]
        assert all(share < 0.6 for share in later), later


async def test_nothing_is_restyled_for_nothing_before_the_first_frame(
    store: SqliteStore,
) -> None:
    """Before the first frame: the footer is not restyled, the first panel has the focus
    (set once, not given to another widget first), and the screen is not restyled whole as
    it first resumes (each widget was styled as it mounted)."""
    app = app_for(store)
    seen = Seen(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        assert seen.frames
        assert not [n for n in seen.restyled if isinstance(n, KeyLine)], seen.restyled
        assert app.dashboard not in seen.restyled
        assert {id(w) for w in seen.focused} == {id(app.dashboard.pages[0][1][0])}
        assert app.focused is app.dashboard.pages[0][1][0]


def _styles(app: LishiApp) -> dict[DOMNode, tuple[object, ...]]:
    return {
        node: (
            dict(node.styles.base._rules),
            {name: dict(s.base._rules) for name, s in node._component_styles.items()},
        )
        for node in app.dashboard.walk_children(with_self=True)
    }


async def test_the_skipped_restyle_would_have_changed_nothing(store: SqliteStore) -> None:
    """The whole-screen restyle Textual does at a screen's first resume is skipped: once the
    start has settled, doing it changes no widget's styles (if it did, the first frame would
    have drawn something with stale styles)."""
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await first_page_up(pilot, app)
        await pilot.pause(0.3)
        before = _styles(app)
        app.stylesheet.update(app.dashboard)
        after = _styles(app)
        changed = [n for n in before if before[n] != after[n]]
        assert changed == [], changed
