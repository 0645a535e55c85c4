"""The collector with a real SQLite store and a real HTTP server: isolation, retries, breaker,
scheduling and a clean stop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector import Collector
from lishi_tui.collector.backoff import backoff_delay
from lishi_tui.collector.breaker import BreakerState, CircuitBreaker
from lishi_tui.config.schema import AppSettings, CollectorSettings, Config, SourceConfig
from lishi_tui.domain.model import Indicator, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, FetchError, SourceType
from lishi_tui.store.base import RunWritten, SourceRun
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer, Route

INDICATORS = ("gdp", "green", "jobs")


def reading(indicator: str = "gdp", year: int = 2023, value: float = 5.2) -> Reading:
    return Reading(indicator=indicator, period=Period.year(year), value=value)


async def good(ctx: FetchContext) -> list[Reading]:
    return [reading(ctx.indicator, 2023, 5.2)]


async def raises(ctx: FetchContext) -> list[Reading]:
    raise KeyError("no such column")  # the line number is asserted below


async def hangs(ctx: FetchContext) -> list[Reading]:
    await asyncio.sleep(30)
    return []


_release_sync = threading.Event()


def hangs_sync(ctx: FetchContext) -> list[Reading]:
    _release_sync.wait(30)
    return []


async def garbage(ctx: FetchContext) -> Any:
    return {"value": 1}


def sync_good(ctx: FetchContext) -> list[Reading]:
    return [reading(ctx.indicator, 2022, 7.0)]


async def http_number(ctx: FetchContext) -> list[Reading]:
    """Fetch ``url`` and read its body as one number."""
    res = await ctx.http.get(str(ctx.options["url"]))
    return [reading(ctx.indicator, 2023, float(res.text))]


TYPES = {
    st.name: st
    for st in (
        SourceType("good", good),
        SourceType("raises", raises),
        SourceType("hangs", hangs),
        SourceType("hangs_sync", hangs_sync),
        SourceType("garbage", garbage),
        SourceType("sync_good", sync_good),
        SourceType("http_number", http_number),
        SourceType("demo", good),
    )
}


def src(sid: str, type_: str, indicator: str = "gdp", **kw: Any) -> SourceConfig:
    base: dict[str, Any] = {
        "id": sid,
        "type": type_,
        "interval": timedelta(hours=1),
        "indicators": (indicator,),
        "options": {},
        "timeout": timedelta(seconds=0.3),
    }
    base.update(kw)
    return SourceConfig(**base)


def make_config(
    tmp_path: Path, *sources: SourceConfig, app: AppSettings | None = None, **settings: Any
) -> Config:
    defaults: dict[str, Any] = {
        "retries": 0,
        "backoff": timedelta(milliseconds=10),
        "max_backoff": timedelta(seconds=2),
    }
    defaults.update(settings)
    return Config(
        path=tmp_path / "lishi.toml",
        app=app or AppSettings(),
        collector=CollectorSettings(**defaults),
        sources={s.id: s for s in sources},
        indicators={i: Indicator(id=i, name_zh=i, name_en=i) for i in INDICATORS},
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "history.db")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def release_sync_hang() -> Iterator[None]:
    _release_sync.clear()
    yield
    _release_sync.set()  # let the abandoned thread end


def registry() -> Registry:
    return Registry(source_types=dict(TYPES))


async def test_bad_sources_never_stop_the_good_one(tmp_path: Path, store: SqliteStore) -> None:
    config = make_config(
        tmp_path,
        src("ok", "good", "gdp"),
        src("boom", "raises", "green"),
        src("stuck", "hangs", "green"),
        src("stuck_sync", "hangs_sync", "green"),
        src("junk", "garbage", "jobs"),
        src("blocking_ok", "sync_good", "jobs"),
        src("nobody", "no_such_type", "jobs"),
    )
    seen: list[SourceRunOutcome] = []
    async with Collector(config, registry(), store, on_run=seen.append) as collector:
        outcomes = {o.source: o for o in await collector.run_once()}

    assert outcomes["ok"].ok and outcomes["ok"].new_observations == 1
    assert outcomes["blocking_ok"].ok
    latest = store.latest()
    assert latest["gdp"].value == 5.2 and latest["gdp"].source == "ok"
    assert latest["jobs"].value == 7.0 and latest["jobs"].source == "blocking_ok"
    assert "green" not in latest

    log = {o.source: o for o in store.fetch_log()}
    assert set(log) == set(outcomes) == {o.source for o in seen}
    boom = log["boom"].error
    assert boom.startswith("source boom: KeyError: 'no such column'")
    line = raises.__code__.co_firstlineno + 1
    assert boom.endswith(f"(at tests/test_collector.py:{line})")  # the raising plugin line
    assert log["stuck"].error == "source stuck: FetchError: fetch timed out after 0.3 s"
    assert log["stuck_sync"].error.startswith("source stuck_sync: FetchError: fetch timed out")
    assert log["junk"].error == (
        "source junk: plugin returned malformed data: expected a list of Reading, "
        "got dict: {'value': 1}"
    )
    assert log["nobody"].error == "source nobody: unknown source type 'no_such_type'"
    assert not any(log[s].ok for s in ("boom", "stuck", "stuck_sync", "junk", "nobody"))


async def test_plugin_calling_sys_exit_is_contained(tmp_path: Path, store: SqliteStore) -> None:
    def quits(ctx: FetchContext) -> list[Reading]:
        raise SystemExit(3)

    reg = registry()
    reg.source_types["quits"] = SourceType("quits", quits)
    config = make_config(tmp_path, src("q", "quits"), src("ok", "good", "jobs"))
    async with Collector(config, reg, store) as collector:
        outcomes = {o.source: o for o in await collector.run_once()}
    assert outcomes["q"].error.startswith("source q: SystemExit: 3")
    assert outcomes["ok"].ok


async def test_malformed_item_in_list_is_located(tmp_path: Path, store: SqliteStore) -> None:
    async def mixed(ctx: FetchContext) -> Any:
        return [reading(), "2023: 5.1"]

    reg = registry()
    reg.source_types["mixed"] = SourceType("mixed", mixed)
    config = make_config(tmp_path, src("m", "mixed"))
    async with Collector(config, reg, store) as collector:
        [outcome] = await collector.run_once()
    assert "got list with str at index 1: '2023: 5.1'" in outcome.error
    assert store.latest() == {}  # nothing from a malformed run is stored


async def test_readings_for_other_indicators_are_skipped(
    tmp_path: Path, store: SqliteStore
) -> None:
    async def spray(ctx: FetchContext) -> list[Reading]:
        return [reading("gdp"), reading("green"), reading("nonesuch")]

    reg = registry()
    reg.source_types["spray"] = SourceType("spray", spray)
    config = make_config(tmp_path, src("sp", "spray", "gdp"))
    async with Collector(config, reg, store) as collector:
        [outcome] = await collector.run_once()
    assert outcome.ok and outcome.readings == 3 and outcome.new_observations == 1
    assert outcome.skipped == (
        "green 2023: not fed by this source",
        "nonesuch 2023: unknown indicator",
    )
    assert set(store.latest()) == {"gdp"}
    assert store.fetch_log()[0].skipped == outcome.skipped


async def test_provenance_from_the_last_url(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/v", "6.1")
    fixed = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    config = make_config(tmp_path, src("h", "http_number", options={"url": http_server.url("/v")}))
    async with Collector(config, registry(), store, clock=lambda: fixed) as collector:
        [outcome] = await collector.run_once()
    assert outcome.ok and outcome.bytes_received >= 3
    obs = store.latest()["gdp"]
    assert obs.value == 6.1
    assert obs.fetch_url == http_server.url("/v")
    assert obs.fetched_at == fixed


async def test_500_retried_then_failed(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/v", "server exploded", status=500)
    config = make_config(
        tmp_path, src("h", "http_number", options={"url": http_server.url("/v")}), retries=2
    )
    async with Collector(config, registry(), store) as collector:
        [outcome] = await collector.run_once()
    assert http_server.count("/v") == 3  # one try and two retries
    assert not outcome.ok
    assert outcome.error == (
        f"source h: FetchError: {http_server.url('/v')}: "
        "HTTP 500 Internal Server Error: server exploded"
    )


async def test_500_then_success_recovers(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.sequence("/v", [Route(status=500), Route(body=b"4.4")])
    config = make_config(
        tmp_path, src("h", "http_number", options={"url": http_server.url("/v")}), retries=2
    )
    async with Collector(config, registry(), store) as collector:
        [outcome] = await collector.run_once()
    assert outcome.ok and http_server.count("/v") == 2
    assert store.latest()["gdp"].value == 4.4


async def test_429_retry_after_is_honoured(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.sequence(
        "/v", [Route(status=429, headers={"Retry-After": "1"}), Route(body=b"3.3")]
    )
    # A backoff far below the server's Retry-After: only honouring the header waits 1 s.
    config = make_config(
        tmp_path,
        src("h", "http_number", options={"url": http_server.url("/v")}),
        retries=1,
        backoff=timedelta(milliseconds=1),
    )
    async with Collector(config, registry(), store) as collector:
        [outcome] = await collector.run_once()
    assert outcome.ok and http_server.count("/v") == 2
    first, second = http_server.requests_to("/v")
    assert second.received_at - first.received_at >= 0.9  # the server's clock, not ours


async def test_non_retryable_fetch_error_is_not_retried(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/v", status=404)
    config = make_config(
        tmp_path, src("h", "http_number", options={"url": http_server.url("/v")}), retries=3
    )
    async with Collector(config, registry(), store) as collector:
        [outcome] = await collector.run_once()
    assert http_server.count("/v") == 1 and "HTTP 404" in outcome.error


async def test_secrets_never_reach_the_fetch_log(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    async def leaky(ctx: FetchContext) -> list[Reading]:
        raise ValueError(f"bad token {ctx.options['token']}")

    reg = registry()
    reg.source_types["leaky"] = SourceType("leaky", leaky)
    config = make_config(
        tmp_path, src("l", "leaky", options={"token": "tk-123"}, secrets=("tk-123",))
    )
    async with Collector(config, reg, store) as collector:
        [outcome] = await collector.run_once()
    assert "tk-123" not in store.fetch_log()[0].error
    assert "bad token ***" in outcome.error


async def test_breaker_opens_after_n_failures_then_half_opens(
    tmp_path: Path, store: SqliteStore
) -> None:
    now = [datetime(2024, 1, 1, tzinfo=UTC)]
    calls: list[int] = []
    fail = [True]

    async def flaky(ctx: FetchContext) -> list[Reading]:
        calls.append(1)
        if fail[0]:
            raise FetchError("down")
        return [reading()]

    reg = registry()
    reg.source_types["flaky"] = SourceType("flaky", flaky)
    config = make_config(
        tmp_path,
        src("f", "flaky"),
        breaker_failures=3,
        breaker_cooldown=timedelta(minutes=5),
    )
    async with Collector(config, reg, store, clock=lambda: now[0]) as collector:
        for _ in range(3):
            await collector.run_once()
        assert collector.states()["f"].breaker == "open"
        [skipped] = await collector.run_once()
        assert len(calls) == 3  # the open breaker kept the plugin from running
        assert skipped.error.startswith("circuit open until 2024-01-01T00:05:00")

        now[0] += timedelta(minutes=6)
        assert collector.states()["f"].breaker == "half_open"
        [trial] = await collector.run_once()
        assert not trial.ok and len(calls) == 4
        assert collector.states()["f"].breaker == "open"  # a failed trial re-opens

        now[0] += timedelta(minutes=6)
        fail[0] = False
        [healed] = await collector.run_once()
        state = collector.states()["f"]
    assert healed.ok and state.breaker == "closed" and state.consecutive_failures == 0
    assert state.last_success == now[0]


def test_breaker_unit() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    b = CircuitBreaker(2, timedelta(seconds=10))
    b.record_failure(t0)
    assert b.allow(t0) and b.state(t0) is BreakerState.CLOSED
    b.record_failure(t0)
    assert not b.allow(t0 + timedelta(seconds=9))
    assert b.allow(t0 + timedelta(seconds=10))
    assert b.state() is BreakerState.HALF_OPEN


def test_backoff_bounds() -> None:
    import random

    rng = random.Random(1)
    for attempt in range(10):
        d = backoff_delay(attempt, base=1.0, cap=8.0, rng=rng)
        assert 0.0 <= d <= min(8.0, 2.0**attempt)
    assert backoff_delay(0, base=1.0, cap=60.0, retry_after=30.0, rng=rng) == 30.0
    assert backoff_delay(0, base=1.0, cap=5.0, retry_after=3600.0, rng=rng) == 5.0


async def test_disabled_and_demo_sources_do_not_run(tmp_path: Path, store: SqliteStore) -> None:
    config = make_config(
        tmp_path,
        src("off", "good", "gdp", enabled=False),
        src("fake", "demo", "green"),
        src("real", "good", "jobs"),
        app=AppSettings(demo=False),
    )
    async with Collector(config, registry(), store) as collector:
        outcomes = await collector.run_once()
        states = collector.states()
    assert [o.source for o in outcomes] == ["real"]
    assert not states["off"].enabled and not states["fake"].enabled
    assert {o.source for o in store.fetch_log()} == {"real"}


async def test_run_forever_schedules_next_run_after_the_current_ends(
    tmp_path: Path, store: SqliteStore
) -> None:
    events: list[str] = []
    ticks = [0]
    t0 = datetime(2024, 1, 1, tzinfo=UTC)

    def clock() -> datetime:
        ticks[0] += 1
        return t0 + timedelta(seconds=ticks[0])

    async def slow(ctx: FetchContext) -> list[Reading]:
        events.append("start")
        await asyncio.sleep(0.08)  # longer than the interval
        events.append("end")
        return [reading()]

    reg = registry()
    reg.source_types["slow"] = SourceType("slow", slow)
    config = make_config(
        tmp_path, src("s", "slow", interval=timedelta(milliseconds=20), timeout=None)
    )
    done = asyncio.Event()
    outcomes: list[SourceRunOutcome] = []

    def on_run(o: SourceRunOutcome) -> None:
        outcomes.append(o)
        if len(outcomes) >= 3:
            done.set()

    collector = Collector(config, reg, store, clock=clock, on_run=on_run)
    forever = asyncio.create_task(collector.run_forever())
    await asyncio.wait_for(done.wait(), 10)
    state = collector.states()["s"]
    await collector.stop()
    await asyncio.wait_for(forever, 5)

    # Runs never overlap: each starts only after the previous one ended.
    n = events.count("start")
    assert n >= 3
    assert events[: 2 * 3] == ["start", "end"] * 3
    assert state.next_run is not None and state.last_outcome is not None
    assert state.next_run > state.last_outcome.started_at
    assert len(store.fetch_log("s")) >= 3


async def test_refresh_wakes_a_sleeping_loop(tmp_path: Path, store: SqliteStore) -> None:
    runs: list[SourceRunOutcome] = []
    first, second = asyncio.Event(), asyncio.Event()

    def on_run(o: SourceRunOutcome) -> None:
        runs.append(o)
        (first if len(runs) == 1 else second).set()

    config = make_config(tmp_path, src("ok", "good", interval=timedelta(hours=1)))
    collector = Collector(config, registry(), store, on_run=on_run)
    forever = asyncio.create_task(collector.run_forever())
    await asyncio.wait_for(first.wait(), 5)
    collector.refresh("ok")  # an hour early
    await asyncio.wait_for(second.wait(), 5)
    forever.cancel()
    await asyncio.gather(forever, return_exceptions=True)
    await collector.stop()
    assert len(runs) == 2
    assert collector.states()["ok"].next_run is not None


class SlowWriteStore(SqliteStore):
    """A real SQLite store whose write waits until the test lets it go."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writing = threading.Event()
        self.release = threading.Event()

    def write_runs(self, runs: Sequence[SourceRun]) -> list[RunWritten]:
        self.writing.set()
        self.release.wait(10)
        time.sleep(0.05)
        return super().write_runs(runs)


async def test_stop_during_a_write_lets_it_complete(tmp_path: Path) -> None:
    slow = SlowWriteStore(tmp_path / "slow.db")
    try:
        config = make_config(tmp_path, src("ok", "good"))
        collector = Collector(config, registry(), slow)
        forever = asyncio.create_task(collector.run_forever())
        assert await asyncio.to_thread(slow.writing.wait, 10)
        stopping = asyncio.create_task(collector.stop())
        await asyncio.sleep(0.05)
        assert not stopping.done()  # stop() waits for the write
        slow.release.set()
        await asyncio.wait_for(stopping, 10)
        await asyncio.wait_for(forever, 5)
        assert slow.latest()["gdp"].value == 5.2
        assert slow.fetch_log("ok")[0].ok
    finally:
        slow.release.set()
        slow.close()


async def test_scheduled_runs_start_no_task(tmp_path: Path, store: SqliteStore) -> None:
    """Issue 16's idle cost is loop turns: each run of a running collector sleeps on a
    future and a timer, has its fetch and its write handed back by callbacks, and starts
    no task (waiting with ``wait_for`` and writing through a task of its own cost three)."""
    interval = timedelta(milliseconds=20)
    config = make_config(
        tmp_path,
        src("a", "sync_good", interval=interval),
        src("b", "good", "green", interval=interval),
    )
    runs: list[SourceRunOutcome] = []
    collector = Collector(config, registry(), store, on_run=runs.append)
    loop = asyncio.get_running_loop()
    started: list[str] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kw: Any) -> asyncio.Task[Any]:
        started.append(getattr(coro, "__qualname__", repr(coro)))
        return asyncio.Task(coro, loop=loop, **kw)

    async def until(count: int) -> None:  # polled: a wait_for would start a task itself
        for _ in range(1000):
            if len(runs) >= count:
                return
            await asyncio.sleep(0.01)

    forever = asyncio.create_task(collector.run_forever())
    await until(2)
    first = len(runs)
    loop.set_task_factory(factory)
    try:
        await until(first + 10)
    finally:
        loop.set_task_factory(None)
    await collector.stop()
    await asyncio.wait_for(forever, 5)
    assert len(runs) >= first + 10 and all(o.ok for o in runs), [o.error for o in runs]
    assert started == []
    assert len(store.fetch_log("a")) + len(store.fetch_log("b")) == len(runs)
