"""What an idle dashboard does: commits read on the watcher's thread and shown only where
they change the screen, no worker per commit, a clock that repaints only the page shown.

Counted, never timed: messages posted, panel updates, workers started, store reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.worker_manager import WorkerManager

from lishi_tui.app import LishiApp, make_app
from lishi_tui.app.polling import PollRead, Shown, StoreFollower
from lishi_tui.app.widgets.panels import Panel
from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import SourceRun
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, INDICATORS, build_config, build_registry, observation
from tests.support.dashboard_app import filled_store, first_page_up, panel_for
from tests.support.waiting import until


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    yield from filled_store(tmp_path)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The group of every worker started from now on, in any app."""
    started: list[str] = []
    add = WorkerManager.add_worker

    def counting(self: WorkerManager, worker: Any, *a: Any, **k: Any) -> None:
        started.append(worker.group)
        add(self, worker, *a, **k)

    monkeypatch.setattr(WorkerManager, "add_worker", counting)
    return started


def updates(app: LishiApp) -> dict[Panel, int]:
    return {p: p.updates for p in app.dashboard.panels}


def demo_tick(store: SqliteStore, value: float) -> None:
    """What a demo feed's tick commits: a new figure of its month and the run's log row."""
    store.write(
        [observation("greening", Period.month(2021, 10), value, source="greening_demo", demo=True)]
    )
    store.log_fetch(SourceRunOutcome("greening_demo", FIXED_NOW, 0.01, ok=True, readings=1))


async def settled(pilot: Any, app: LishiApp) -> None:
    """The first page drawn and the follower's first look (alerts included) applied."""
    await first_page_up(pilot, app)
    await until(pilot, lambda: app.alert_watch.reads >= 1, what="the first look applied")
    await until(pilot, lambda: app.follower.version == app.store.version(), what="caught up")
    await pilot.pause()


async def test_a_commit_off_screen_costs_the_ui_nothing_and_shows_when_its_page_does(
    store: SqliteStore, workers: list[str]
) -> None:
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        before, polls, started, looks = updates(app), app.polls, len(workers), app.follower.looks
        for value in (81.0, 82.0, 83.0):  # three ticks of the demo feed on the ecology page
            demo_tick(store, value)
            await until(pilot, lambda: app.follower.version == store.version(), what="looked at")
        await pilot.pause()
        assert app.follower.looks > looks
        assert app.polls == polls  # nothing posted to the UI
        assert updates(app) == before  # no panel touched, on any page
        assert workers[started:] == []  # no worker per commit

        app.dashboard.show_page(2)  # the page the feed is on: the current figure
        greening = panel_for(app, "greening")

        def shown() -> float | None:
            view = greening.view()
            return view.latest.value if view and view.latest else None

        await until(pilot, lambda: shown() == 83.0, what="the last tick's figure")


async def test_a_commit_on_screen_repaints_only_the_panels_that_show_it(
    store: SqliteStore, workers: list[str]
) -> None:
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        before, polls, started = updates(app), app.polls, len(workers)
        store.write([observation("tertiary_share", Period.year(2022), 63)])
        await until(pilot, lambda: app.polls > polls, what="the commit applied")
        await pilot.pause()
        moved = {p for p, n in updates(app).items() if n != before[p]}
        assert moved == {p for p in app.dashboard.panels if "tertiary_share" in p.indicator_ids}
        assert len(moved) == 2  # its stat panel and the page's table
        assert app.polls == polls + 1
        assert workers[started:] == []


async def test_idle_minutes_touch_only_the_page_shown_and_the_rest_catches_up(
    store: SqliteStore, workers: list[str]
) -> None:
    clock = Clock(FIXED_NOW)
    app = make_app(build_config(), build_registry(), store, clock=clock, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        greening = panel_for(app, "greening")
        app.dashboard.show_page(2)
        await until(pilot, lambda: greening.view() is not None, what="the ecology page read")
        app.dashboard.show_page(0)
        await pilot.pause()
        view = greening.view()
        assert view is not None and not view.stale
        # The page shown, and the page made ready ahead of Tab (kept current with it).
        page0 = set(app.dashboard.pages[0][1]) | set(app.dashboard.pages[1][1])
        before, started = updates(app), len(workers)
        clock.now = datetime(2023, 6, 1, tzinfo=FIXED_NOW.tzinfo)  # far on: greening is overdue
        for _ in range(10):
            app.clock_tick()
            await pilot.pause()
        moved = {p for p, n in updates(app).items() if n != before[p]}
        assert moved <= page0 and moved  # the page shown redone, nothing off screen
        assert all(updates(app)[p] - before[p] <= 10 for p in moved)  # once a tick at most
        hidden = greening.view()
        assert hidden is not None and not hidden.stale  # off screen: not redone yet
        assert workers[started:] == []  # the heartbeat too is read on the watcher's thread

        app.dashboard.show_page(2)
        await until(pilot, lambda: (v := greening.view()) is not None and v.stale, what="stale")


def follower_for(store: SqliteStore, on_screen: dict[str, int]) -> tuple[StoreFollower, list[Any]]:
    posted: list[PollRead] = []
    panelled = set(INDICATORS)
    follower = StoreFollower(
        store,
        Shown(
            indicators=lambda: INDICATORS,
            panelled=lambda: panelled,
            on_screen=lambda: on_screen,
            source_of=lambda _: None,
            include_demo=lambda: True,
            clock=lambda: FIXED_NOW,
        ),
        posted.append,
    )
    follower.reset(store.version(), store.changes_since(0)[0], store.health())
    return follower, posted


def test_the_follower_posts_only_what_the_page_shown_draws(store: SqliteStore) -> None:
    on_screen = {"tertiary_share": 800, "gdp_growth": 1}
    follower, posted = follower_for(store, on_screen)
    assert follower.look() is False  # nothing committed: nothing read, nothing posted
    demo_tick(store, 90.0)
    assert follower.look() is False and posted == []
    assert follower.take_stale({"greening", "gdp_growth"}) == {"greening"}
    assert follower.take_stale({"greening"}) == set()  # taken once

    store.write([observation("tertiary_share", Period.year(2022), 64)])
    assert follower.look() is True
    (read,) = posted
    assert set(read.views) == {"tertiary_share"}
    latest = read.views["tertiary_share"].latest
    assert latest is not None and latest.value == 64
    assert read.depths == {"tertiary_share": 800}

    # A source on screen ran without storing anything new: its status only.
    store.log_fetch(SourceRunOutcome("report", FIXED_NOW, 0.1, ok=True, readings=0))
    assert follower.look() is True
    assert posted[-1].views == {} and posted[-1].status_only >= {"gdp_growth", "tertiary_share"}


def test_a_reset_drops_what_was_marked_and_counts_a_generation(store: SqliteStore) -> None:
    follower, _ = follower_for(store, {})
    demo_tick(store, 91.0)
    follower.look()
    generation = follower.generation
    follower.reset(store.version(), store.changes_since(0)[0], store.health())
    assert follower.generation == generation + 1
    assert follower.take_stale({"greening"}) == set()


def test_a_demo_tick_off_screen_costs_a_look_a_few_statements_and_one_health_row(
    store: SqliteStore,
) -> None:
    store.log_fetch(SourceRunOutcome("report", FIXED_NOW, 0.1, ok=True, readings=3))
    follower, posted = follower_for(store, {"tertiary_share": 800, "gdp_growth": 1})
    follower.look()
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        for n in range(5):
            # What a demo feed's tick commits (greening: on no page shown), each a second on.
            store.write_runs(
                [
                    SourceRun(
                        [
                            observation(
                                "greening",
                                Period.month(2021, 10),
                                90.0 + n,
                                source="greening_demo",
                                demo=True,
                            )
                        ],
                        SourceRunOutcome(
                            "greening_demo", FIXED_NOW + timedelta(seconds=n), 0.01, ok=True
                        ),
                    )
                ]
            )
            parsed, statements[:] = store.health_parsed, []
            before = dict(follower.health)
            assert follower.look() is False
            reads = [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT"}]
            # The version, the new observations' indicators, the sources' health: nothing
            # of the figure itself is read, since no panel on screen draws it.
            assert len(reads) <= 3, reads
            assert store.health_parsed - parsed == 1  # only the source that ran is parsed
            assert follower.health["report"] is before["report"]  # the rest kept as read
    finally:
        store._conn.set_trace_callback(None)
    assert posted == []
    assert follower.take_stale({"greening"}) == {"greening"}
