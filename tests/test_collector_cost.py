"""What a collector run costs, pinned by mechanism rather than by time (issue 16): the
cross-thread hand-offs of a fetch, the HTTP connections kept across runs, and the SQL
statements a batch of unchanged runs sends. Real sources (the bundled ``http_json`` type,
loaded as the CLI loads it) against a real HTTP server, into a real store."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.bootstrap import load_runtime
from lishi_tui.collector import Collector
from lishi_tui.collector.isolation import _WorkerLoop
from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.sources.api import FetchContext, SourceType
from lishi_tui.sources.loop_slots import LoopSlots
from lishi_tui.store.base import SourceRun, Store
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer
from tests.support.json_series import serve_series, write_series_config
from tests.support.stores import OpenStore

MONTHS = 6


class Count:
    """A tally that threads may add to."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.n += 1


class Wakes:
    """Counts event-loop wake-ups from another thread (``call_soon_threadsafe`` and
    ``run_coroutine_threadsafe`` both end in the loop's ``_write_to_self``), by kind of loop."""

    def __init__(self) -> None:
        self.worker = Count()
        self.other = Count()
        self.on = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from asyncio import selector_events

        real = getattr(selector_events.BaseSelectorEventLoop, "_write_to_self")  # noqa: B009
        wakes = self

        def counted(loop: Any) -> None:
            if wakes.on:
                (wakes.worker if isinstance(loop, _WorkerLoop) else wakes.other).add()
            real(loop)

        monkeypatch.setattr(selector_events.BaseSelectorEventLoop, "_write_to_self", counted)


@pytest.fixture
def accepts(http_server: LocalHTTPServer) -> Iterator[Count]:
    """Counts the TCP connections the server accepts."""
    counter = Count()
    server = http_server._server
    real = server.get_request

    def counted() -> Any:
        got = real()
        counter.add()
        return got

    server.get_request = counted  # type: ignore[method-assign]
    yield counter


async def test_a_fetch_costs_two_hand_offs_and_its_connection_is_kept(
    tmp_path: Path,
    http_server: LocalHTTPServer,
    accepts: Count,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count, concurrency = 24, 4
    serve_series(http_server, count, MONTHS)
    config = write_series_config(
        tmp_path, http_server.port, count, concurrency=concurrency, timeout="20s"
    )
    wakes = Wakes()
    wakes.install(monkeypatch)
    runtime = load_runtime(config, {}, db=tmp_path / "h.db")
    store = runtime.open_store()
    batches = Count()
    real_write = store.write_runs

    def write_runs(runs: Any) -> Any:
        batches.add()
        return real_write(runs)

    store.write_runs = write_runs  # type: ignore[method-assign]
    try:
        async with Collector(runtime.config, runtime.registry, store) as collector:
            first = await collector.run_once()
            opened = accepts.n
            wakes.on = True
            before = batches.n
            later = [await collector.run_once() for _ in range(2)]
            wakes.on = False
            written = batches.n - before
    finally:
        store.close()
    assert all(o.ok and o.readings == MONTHS for o in first), [o.error for o in first]
    assert all(o.ok and o.new_observations == 0 for run in later for o in run)
    # Each fetch worker keeps its connection: none is opened again on later runs, and no
    # more are opened than fetches can run at once.
    assert 1 <= opened <= concurrency
    assert accepts.n == opened
    # Per fetch: the job handed to its worker (a queue, not a loop wake) and its result
    # handed back (one wake of the collector's loop). Requests run on the worker's loop:
    # nothing wakes it from outside (handing each request to the collector's loop and
    # back woke both loops once more per fetch).
    fetches = 2 * count
    assert wakes.worker.n == 0
    assert wakes.other.n <= fetches + written


async def test_a_blocked_plugin_does_not_hold_up_http_sources(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    count = 6
    serve_series(http_server, count, MONTHS)
    config = write_series_config(tmp_path, http_server.port, count, concurrency=3, timeout="20s")
    release = threading.Event()

    async def blocks(ctx: FetchContext) -> list[Reading]:
        release.wait(20)  # stands for time.sleep(20) inside async def fetch
        return []

    runtime = load_runtime(config, {}, db=tmp_path / "h.db")
    sources = dict(runtime.config.sources)
    stuck = replace(sources["s0"], id="stuck", type="blocks", options={})
    sources["stuck"] = replace(stuck, timeout=timedelta(seconds=0.5))
    cfg = replace(runtime.config, sources=sources)
    registry = runtime.registry
    registry.source_types["blocks"] = SourceType("blocks", blocks)
    store = runtime.open_store()
    try:
        async with Collector(cfg, registry, store) as collector:
            outcomes = {o.source: o for o in await collector.run_once()}
    finally:
        release.set()
        store.close()
    assert "its event loop is blocked" in outcomes.pop("stuck").error
    assert all(o.ok and o.readings == MONTHS for o in outcomes.values())


def runs(count: int, at: datetime) -> list[SourceRun]:
    out = []
    for i in range(count):
        url = f"http://127.0.0.1/series/{i}.json"
        observations = [
            Observation(
                Reading(f"series{i}", Period.month(2024, m + 1), i + m, origin=url), f"s{i}", at
            )
            for m in range(MONTHS)
        ]
        outcome = SourceRunOutcome(
            source=f"s{i}", started_at=at, duration_s=0.01, ok=i % 3 != 0, readings=MONTHS
        )
        out.append(SourceRun(observations, outcome))
    return out


def statements(store: Store, write: Callable[[], Any]) -> int:
    """How many statements (an executemany or COPY counted once) ``write`` sends."""
    dialect: Any = getattr(store, "dialect")  # noqa: B009
    counter = Count()
    names = ("execute", "executemany", "insert_rows")
    real = {name: getattr(dialect, name) for name in names}

    def counting(name: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            counter.add()
            return real[name](*args)

        return call

    for name in names:
        setattr(dialect, name, counting(name))
    try:
        write()
    finally:
        for name in names:
            delattr(dialect, name)
    return counter.n


def test_unchanged_runs_cost_the_same_statements_however_many(open_store: OpenStore) -> None:
    store = open_store()
    t0 = datetime(2026, 12, 2, tzinfo=UTC)
    sent = {}
    for count in (3, 30):
        store.write_runs(runs(count, t0))  # new figures
        later = runs(count, t0 + timedelta(minutes=1))
        sent[count] = statements(store, partial(store.write_runs, later))
    assert sent[3] == sent[30] <= 10, sent
    # Nothing an operator relies on was lost: every run is in the fetch log, health folds
    # them in order (every third run failed), and the figures were kept, not revised.
    log = store.fetch_log(limit=1000)
    assert sum(1 for o in log if o.source == "s29") == 2
    health = store.health()
    assert health["s3"].consecutive_failures == 2 and health["s3"].last_success is None
    assert health["s4"].consecutive_failures == 0
    assert health["s4"].last_success == t0 + timedelta(minutes=1)
    assert health["s4"].last_run is not None and health["s4"].last_run.new_observations == 0
    assert store.latest(["series29"])["series29"].revision == 1


def test_runs_of_one_source_in_one_batch_are_written_in_turn(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    t0 = datetime(2026, 12, 2, tzinfo=UTC)
    at = [t0 + timedelta(minutes=m) for m in range(3)]
    batch = []
    for n, when in enumerate(at):  # the same source three times: revised, failed, revised
        reading = Reading("series0", Period.month(2024, 1), 10.0 + n)
        ok = n != 1
        batch.append(
            SourceRun(
                [Observation(reading, "s0", when)] if ok else [],
                SourceRunOutcome(source="s0", started_at=when, duration_s=0.1, ok=ok),
            )
        )
    try:
        written = store.write_runs(batch)
        history = store.revisions("series0")
        health = store.health()["s0"]
    finally:
        store.close()
    assert [w.result.stored for w in written] == [1, 0, 1]
    assert [(o.revision, o.reading.value) for o in history] == [(2, 12.0), (1, 10.0)]
    assert health.last_success == at[2] and health.consecutive_failures == 0
    assert health.last_run is not None and health.last_run.started_at == at[2]


def test_loop_slots_cap_requests_across_loops_and_survive_cancellation() -> None:
    slots = LoopSlots(2)
    held = Count()
    peak: list[int] = []
    lock = threading.Lock()
    inside = [0]

    async def one() -> None:
        async with slots:
            with lock:
                inside[0] += 1
                peak.append(inside[0])
            try:
                await asyncio.sleep(0.01)
            finally:
                with lock:
                    inside[0] -= 1
            held.add()

    async def many() -> None:
        waiter = asyncio.ensure_future(one())
        await asyncio.gather(*(one() for _ in range(10)))
        await waiter
        cancelled = asyncio.ensure_future(one())
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)

    threads = [threading.Thread(target=asyncio.run, args=(many(),)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert held.n == 3 * 11  # every one that was not cancelled got a slot
    assert max(peak) <= 2
    assert slots.free == 2


async def test_fetch_workers_are_as_many_as_fetches_at_once_and_kept(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    count, concurrency = 24, 4
    serve_series(http_server, count, MONTHS)
    config = write_series_config(
        tmp_path, http_server.port, count, concurrency=concurrency, timeout="20s"
    )
    runtime = load_runtime(config, {}, db=tmp_path / "w.db")
    store = runtime.open_store()

    def workers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "lishi-fetch"}

    before = workers()
    try:
        async with Collector(runtime.config, runtime.registry, store) as collector:
            first = await collector.run_once()
            made = workers() - before
            later = await collector.run_once()
            again = workers() - before
            http = collector._http
            assert http is not None and http._tls is not None
            # Every URL is http://: no TLS connection, so certifi's bundle was never read.
            assert not getattr(http._tls, "trust_loaded", True)
    finally:
        store.close()
    assert all(o.ok for o in [*first, *later])
    # At most one worker thread per fetch that can run at once, not one per source, and the
    # first run's kept for the next (which may need one more: a parse is short, and how
    # many overlap depends on when the requests end).
    assert 1 <= len(made) <= len(again) <= concurrency
    assert made <= again
