"""Reviewed pictures of the main pages at 80x24 and 160x50, fixed clock, no animation."""

from __future__ import annotations

from pathlib import Path

import pytest

from lishi_tui.app import make_app
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store


def snapshot_app(tmp_path: Path) -> object:
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    app.animation_level = "none"
    return app


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
@pytest.mark.parametrize("page", ["1", "2", "3"])
def test_page_snapshot(
    snap_compare: object, tmp_path: Path, size: tuple[int, int], page: str
) -> None:
    async def show(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await pilot.press(page)
        await pilot.pause(0.2)

    assert snap_compare(snapshot_app(tmp_path), terminal_size=size, run_before=show)  # type: ignore[operator]


def test_detail_snapshot(snap_compare: object, tmp_path: Path) -> None:
    async def show(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await pilot.press("2", "enter")
        await pilot.pause(0.2)

    assert snap_compare(snapshot_app(tmp_path), terminal_size=(120, 40), run_before=show)  # type: ignore[operator]
