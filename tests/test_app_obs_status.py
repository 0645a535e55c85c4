"""The publisher's flag (provisional, estimated, break) shown beside the figure on panels and the detail screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lishi_tui.domain.model import ObservationStatus
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, fill_store, observation, screen_text
from tests.support.dashboard_app import app_for
from tests.support.waiting import until


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lishi.db")
    fill_store(s)
    yield s
    s.close()


@pytest.mark.parametrize(("lang", "mark"), [("zh", "52 % 初步"), ("en", "52 % prov.")])
async def test_provisional_figure_is_marked_beside_it(
    store: SqliteStore, lang: str, mark: str
) -> None:
    obs = observation("tertiary_share", Period.year(2021), 52, fetched_at=FIXED_NOW)
    flagged = replace(obs, reading=replace(obs.reading, status=ObservationStatus.PROVISIONAL))
    store.write([flagged])
    app = app_for(store, language=lang)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: mark in screen_text(app), what="mark in screen_text(app)")
        app.open_detail("tertiary_share")
        await until(pilot, lambda: mark in screen_text(app), what="mark in screen_text(app)")


async def test_normal_figure_has_no_mark(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: "51 %" in screen_text(app), what='"51 %" in screen_text(app)')
        assert "初步" not in screen_text(app)
