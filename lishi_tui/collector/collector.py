"""The async collector: runs each source on its own schedule, isolates failures, stores readings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui.alerts.runner import alert_runner
from lishi_tui.collector.backlog import Backlog
from lishi_tui.collector.backoff import backoff_delay
from lishi_tui.collector.breaker import BreakerState, CircuitBreaker
from lishi_tui.collector.heartbeat import beat_forever
from lishi_tui.collector.isolation import FetchRunner, PluginAborted, cap_readings, settle
from lishi_tui.collector.returned import (
    Located,
    check_units,
    plugin_frame,
    stamped,
    validated,
)
from lishi_tui.collector.staged import run_staged
from lishi_tui.config.diff import SourceDiff, diff_sources
from lishi_tui.config.locate import bundled_plugins_dir
from lishi_tui.config.schema import Config, SourceConfig
from lishi_tui.domain.model import Indicator, Observation, Reading, SourceRunOutcome
from lishi_tui.domain.sanity import reading_problem
from lishi_tui.registry import Registry
from lishi_tui.sources import http_cache
from lishi_tui.sources.api import FetchContext, FetchError, SourceType
from lishi_tui.sources.http import HttpClient, SourceHttp
from lishi_tui.store.base import RunWritten, SourceRun, Store, WriteResult
from lishi_tui.store.faults import write_fault
from lishi_tui.text import redact

log = logging.getLogger(__name__)

DEMO_TYPE = "demo"
# A fetch whose HTTP request timed out should report that (with its URL) rather than the
# generic whole-fetch timeout firing at the same instant; the grace lets the inner one win.
TIMEOUT_GRACE_S = 0.25
# The fetch log feeds the sources screen and, later, alerts: a month of it is plenty. A demo
# series revises its current period every tick; those superseded synthetic values have no
# audit value after a day.
FETCH_LOG_KEPT = timedelta(days=30)
DEMO_REVISIONS_KEPT = timedelta(days=1)
HOUSEKEEPING_EVERY = timedelta(hours=1)
# While writes queue up (many sources ending together), the next commit waits this long to
# take more runs with it: one transaction per batch instead of two per run. A quiet
# collector's run is written at once.
WRITE_BATCH_WINDOW_S = 0.05


@dataclass(frozen=True)
class SourceState:
    """A source as the dashboard and ``fetch`` report it."""

    source: str
    type: str
    enabled: bool
    running: bool
    last_outcome: SourceRunOutcome | None
    last_success: datetime | None
    next_run: datetime | None
    breaker: str  # "closed", "open" or "half_open"
    consecutive_failures: int
    last_latency_s: float | None


@dataclass
class _Runtime:
    """What the collector remembers about one source between runs."""

    source: SourceConfig
    breaker: CircuitBreaker
    state: dict[str, Any] = field(default_factory=dict)  # FetchContext.state
    wake: asyncio.Future[None] | None = None  # what its loop sleeps on between runs
    running: bool = False
    last_outcome: SourceRunOutcome | None = None
    last_success: datetime | None = None
    next_run: datetime | None = None
    last_latency_s: float | None = None


# A run that ended, its source, and the future its ``run_source`` waits on.
_PendingRun = tuple[_Runtime, SourceRun, "asyncio.Future[RunWritten]"]


class Collector:
    """Runs sources once (``run_once``) or forever, each on its own interval."""

    def __init__(
        self,
        config: Config,
        registry: Registry,
        store: Store,
        *,
        clock: Callable[[], datetime] | None = None,
        on_run: Callable[[SourceRunOutcome], None] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.store = store
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.on_run = on_run
        settings = config.collector
        self._runtimes = {
            sid: _Runtime(src, CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown))
            for sid, src in config.sources.items()
        }
        self._http: HttpClient | None = None
        self._run_slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # runs and loops, cancelled by stop()
        self._stopping = False
        self._source_loops: dict[str, asyncio.Task[Any]] = {}  # run_forever's loop per source
        self._alerts_task: asyncio.Task[Any] | None = None
        self._first_round: set[str] = set()
        self._first_round_done = asyncio.Event()
        self._stop_event: asyncio.Event | None = None
        self._forever_done: asyncio.Event | None = None
        self._builtin_dir = bundled_plugins_dir()
        self._known_indicators = set(registry.indicators) | set(config.indicators)
        # Alert rules are evaluated here, by the one process that collects (run_forever).
        self.alerts = alert_runner(config, store, clock=self.clock, breaker_open=self._breaker_open)
        self._runner = FetchRunner()
        self._backlog = Backlog(store)
        self._pending: list[_PendingRun] = []  # runs ended, not yet sent to the writer
        self._flushed: asyncio.Future[None] | None = None  # while a batch is in flight
        self._writer: ThreadPoolExecutor | None = None  # the thread of every store write
        self._store_name = str(getattr(store, "path", "") or type(store).__name__)

    # ------------------------------------------------------------------ public API

    def runnable(self, source: SourceConfig) -> bool:
        """Whether ``source`` is ever run: enabled, and not a demo source with demo off."""
        if not source.enabled:
            return False
        return not (source.type == DEMO_TYPE and not self.config.app.demo)

    async def run_once(self, source_ids: Iterable[str] | None = None) -> list[SourceRunOutcome]:
        """Run each runnable source once, concurrently (bounded); outcomes in config order."""
        if source_ids is None:
            ids = list(self._runtimes)
        else:
            ids = list(dict.fromkeys(source_ids))
            unknown = [i for i in ids if i not in self._runtimes]
            if unknown:
                raise ValueError(f"unknown source(s): {', '.join(unknown)}")
        chosen = [self._runtimes[i].source for i in ids if self.runnable(self._runtimes[i].source)]
        await http_cache.before_runs(self.store, {s.id: self._runtimes[s.id].state for s in chosen})
        tasks = [self._spawn(self._run_bounded(src)) for src in chosen]
        if not tasks:
            return []
        return list(await asyncio.gather(*tasks))

    async def run_forever(self) -> None:
        """One loop per runnable source until ``stop()`` or cancellation."""
        self._stop_event = asyncio.Event()
        self._forever_done = asyncio.Event()
        await http_cache.before_runs(
            self.store,
            {sid: rt.state for sid, rt in self._runtimes.items() if self.runnable(rt.source)},
        )
        self._source_loops = {
            sid: self._spawn(self._loop(rt))
            for sid, rt in self._runtimes.items()
            if self.runnable(rt.source)
        }
        loops = [self._spawn(self._housekeeping())]
        self._first_round = set(self._source_loops)  # sources yet to finish their first run
        self._first_round_done = asyncio.Event()
        if not self._first_round:
            self._first_round_done.set()
        if self.alerts is not None:
            self.alerts.ready = self._first_round_done
            self._alerts_task = self._spawn(self.alerts.run())
        loops.append(self._spawn(beat_forever(self.store, self.clock)))
        try:
            if not self._stopping:
                await self._stop_event.wait()
        finally:
            loops.extend(self._source_loops.values())
            if self._alerts_task is not None:
                loops.append(self._alerts_task)
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
            await self._drain_writes()
            self._forever_done.set()

    async def _housekeeping(self) -> None:
        """Keep the history from growing without bound: old run logs and superseded demo
        revisions go (real figures never do), at start and then every hour."""
        while True:
            now = self.clock()
            try:
                await asyncio.to_thread(
                    self.store.prune,
                    fetch_log_before=now - FETCH_LOG_KEPT,
                    demo_revisions_before=now - DEMO_REVISIONS_KEPT,
                )
                keep = self.config.storage
                await asyncio.to_thread(
                    self.store.downsample,
                    instants_before=now - keep.keep_instants,
                    hourly_before=now - keep.keep_hourly,
                )
            except Exception as exc:  # housekeeping must never stop collecting
                log.warning("pruning the store failed: %r", exc)
            await asyncio.sleep(HOUSEKEEPING_EVERY.total_seconds())

    def apply_config(self, config: Config) -> SourceDiff:
        """Hot reload: start, stop and restart exactly the sources a new config adds, removes
        or changes; the others keep their loop, schedule, state and breaker."""
        diff = diff_sources(self.config.sources, config.sources)
        demo_flip = config.app.demo != self.config.app.demo
        self.config = config
        self._known_indicators = set(self.registry.indicators) | set(config.indicators)
        settings = config.collector
        kept = [s for s in config.sources if s not in (*diff.added, *diff.changed)]
        restart = [*diff.changed, *(kept if demo_flip else ())]
        for sid in (*diff.removed, *restart):
            if (task := self._source_loops.pop(sid, None)) is not None:
                task.cancel()
        for sid in diff.removed:
            self._runtimes.pop(sid, None)
        for sid in (*diff.added, *diff.changed):
            breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown)
            self._runtimes[sid] = _Runtime(config.sources[sid], breaker)
        for sid in (*diff.added, *restart):
            rt = self._runtimes[sid]
            if self._stop_event is not None and not self._stopping and self.runnable(rt.source):
                self._source_loops[sid] = self._spawn(self._loop(rt))
        self._runtimes = {sid: self._runtimes[sid] for sid in config.sources}
        # Alert rules (and the indicators they read) are rebuilt from the new config.
        if self._alerts_task is not None:
            self._alerts_task.cancel()
            self._alerts_task = None
        self.alerts = alert_runner(
            config, self.store, clock=self.clock, breaker_open=self._breaker_open
        )
        if self.alerts is not None and self._stop_event is not None and not self._stopping:
            self.alerts.ready = self._first_round_done
            self._alerts_task = self._spawn(self.alerts.run())
        return diff

    def refresh(self, source_id: str | None = None) -> None:
        """Wake the sleeping loop of ``source_id`` (every source when None) to run now."""
        for sid, rt in self._runtimes.items():
            if (source_id is None or sid == source_id) and rt.wake is not None:
                settle(rt.wake)

    async def stop(self) -> None:
        """Stop scheduling, cancel fetches in progress, let store writes finish, close HTTP."""
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._forever_done is not None:
            await self._forever_done.wait()
        await self._drain_writes()
        if self._writer is not None:  # idle now: nothing is written after stop()
            self._writer.shutdown(wait=False)
            self._writer = None
        self._runner.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> Collector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def states(self) -> dict[str, SourceState]:
        """Every configured source's current state, in config order."""
        now = self.clock()
        return {
            sid: SourceState(
                source=sid,
                type=rt.source.type,
                enabled=self.runnable(rt.source),
                running=rt.running,
                last_outcome=rt.last_outcome,
                last_success=rt.last_success,
                next_run=rt.next_run,
                breaker=str(rt.breaker.state(now)),
                consecutive_failures=rt.breaker.consecutive_failures,
                last_latency_s=rt.last_latency_s,
            )
            for sid, rt in self._runtimes.items()
        }

    def _breaker_open(self, source_id: str) -> bool:
        rt = self._runtimes.get(source_id)
        return rt is not None and str(rt.breaker.state(self.clock())) == "open"

    # ------------------------------------------------------------------ scheduling

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run_bounded(self, source: SourceConfig) -> SourceRunOutcome:
        if self._run_slots is None:
            self._run_slots = asyncio.Semaphore(max(1, self.config.collector.max_concurrency))
        async with self._run_slots:
            return await self.run_source(source.id)

    async def _loop(self, rt: _Runtime) -> None:
        loop = asyncio.get_running_loop()
        interval = max(0.0, rt.source.interval.total_seconds())
        while not self._stopping:
            await self._run_bounded(rt.source)
            # The next run is scheduled from when this one ended, never on a free-running
            # timer, so a slow source cannot pile runs on top of each other.
            rt.next_run = self.clock() + rt.source.interval
            # A refresh asked for while this run was queued or in flight is this run (there
            # was no ``wake`` to end), so pressing `r` repeatedly adds no runs. One future
            # and one timer a sleep: an idle collector's loop turns are most of its cost.
            rt.wake = wake = loop.create_future()
            timer = loop.call_later(interval, settle, wake)
            try:
                await wake
            finally:
                timer.cancel()
                rt.wake = None

    async def _drain_writes(self) -> None:
        while self._flushed is not None:
            await asyncio.shield(self._flushed)

    # ------------------------------------------------------------------ one run

    async def run_source(self, source_id: str) -> SourceRunOutcome:
        """Run one source now (breaker permitting), store its readings and log the run."""
        rt = self._runtimes[source_id]
        source = rt.source
        started = self.clock()
        t0 = time.monotonic()
        if not rt.breaker.allow(started):
            until = rt.breaker.opened_until
            outcome = SourceRunOutcome(
                source=source.id,
                started_at=started,
                duration_s=0.0,
                ok=False,
                error=f"circuit open until {until.isoformat() if until else '?'} "
                f"after {rt.breaker.consecutive_failures} failed runs",
            )
            await self._finish(rt, outcome, [])
            return outcome
        rt.running = True
        http: SourceHttp | None = None
        try:
            stype = self.registry.source_types.get(source.type)
            if stype is None:
                raise Located(f"unknown source type {source.type!r}")
            if self._http is None:
                self._http = HttpClient(self.config.collector)
            await http_cache.before_run(self.store, rt.state, source.id)
            http = self._http.for_source(source, rt.state)
            result = await self._fetch_with_retries(source, stype, http, rt)
            await http_cache.after_run(
                self.store, rt.state, source.id, source.secrets, self.clock()
            )
            readings, refused = cap_readings(result, self.config.collector.max_readings)
            readings = validated(readings)
            kept, skipped = self._select(source, readings)
            check_units(source.id, kept, self._indicator, scaled="scale" in stype.options)
            observations = stamped(kept, source, self.clock(), http.last_url)
        except asyncio.CancelledError:
            rt.running = False
            raise
        except Exception as exc:  # one bad source never stops another
            rt.running = False
            outcome = SourceRunOutcome(
                source=source.id,
                started_at=started,
                duration_s=time.monotonic() - t0,
                ok=False,
                error=redact(self._describe(source, exc), source.secrets),
                bytes_received=http.bytes_received if http else 0,
            )
            rt.breaker.record_failure(self.clock())
            await self._finish(rt, outcome, [])
            return outcome
        rt.running = False
        outcome = SourceRunOutcome(
            source=source.id,
            started_at=started,
            duration_s=time.monotonic() - t0,
            ok=not refused,
            error=f"source {source.id}: {refused}" if refused else "",
            bytes_received=http.bytes_received,
            readings=len(readings),
            skipped=tuple(skipped),
        )
        return await self._finish(rt, outcome, observations)

    async def _fetch_with_retries(
        self, source: SourceConfig, stype: SourceType, http: SourceHttp, rt: _Runtime
    ) -> object:
        settings = self.config.collector
        attempts = max(0, settings.retries) + 1
        for attempt in range(attempts):
            ctx = FetchContext(
                source_id=source.id,
                options=source.options,
                indicators=source.indicators,
                http=http,
                now=self.clock(),
                base_dir=self.config.base_dir,
                builtin_dir=self._builtin_dir,
                state=rt.state,
            )
            try:
                return await self._fetch_once(source, stype, ctx)
            except FetchError as exc:
                if not exc.retryable or attempt + 1 >= attempts or self._stopping:
                    raise
                delay = backoff_delay(
                    attempt,
                    base=settings.backoff.total_seconds(),
                    cap=settings.max_backoff.total_seconds(),
                    retry_after=exc.retry_after,
                )
                log.info(
                    "source %s: retry %d in %.2f s after %s",
                    source.id,
                    attempt + 1,
                    delay,
                    redact(str(exc), source.secrets),
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _fetch_once(
        self, source: SourceConfig, stype: SourceType, ctx: FetchContext
    ) -> object:
        seconds = (source.timeout or self.config.collector.timeout).total_seconds()
        # Off this loop, in a thread (and, for async def, on a loop) of its own: a plugin
        # that blocks cannot freeze the dashboard or the other sources. An http_source_type
        # makes its request here (the shared client's code) and parses in the thread.
        if stype.stages is not None:
            return await run_staged(self._runner, stype.stages, ctx, seconds=seconds)
        grace = TIMEOUT_GRACE_S if stype.is_async else 0.0
        return await self._runner.run(
            stype.fetch, ctx, seconds=seconds, grace=grace, is_async=stype.is_async
        )

    def _select(
        self, source: SourceConfig, readings: Sequence[Reading]
    ) -> tuple[list[Reading], list[str]]:
        kept: list[Reading] = []
        skipped: list[str] = []
        fed = set(source.indicators)
        known = self._known_indicators
        for r in readings:
            if (problem := reading_problem(r)) is not None:
                skipped.append(f"{r.indicator} {r.period.key}: {problem}")
            elif r.indicator not in known:
                skipped.append(f"{r.indicator} {r.period.key}: unknown indicator")
            elif fed and r.indicator not in fed:
                skipped.append(f"{r.indicator} {r.period.key}: not fed by this source")
            else:
                kept.append(r)
        return kept, skipped

    def _indicator(self, ind_id: str) -> Indicator | None:
        return self.config.indicators.get(ind_id) or self.registry.indicators.get(ind_id)

    async def _finish(
        self, rt: _Runtime, outcome: SourceRunOutcome, observations: list[Observation]
    ) -> SourceRunOutcome:
        """Write, log and report a run. The writer's callback does all three whether or not
        this waits to the end, so ``stop()`` (which cancels runs) lets the write complete."""
        written = await self._written(rt, SourceRun(observations, outcome))
        return written.outcome or outcome

    def _after_write(self, rt: _Runtime, written: RunWritten) -> None:
        """What a stored run changes: its source's state, the alerts, ``on_run``."""
        outcome = written.outcome
        if outcome is None:
            return
        rt.last_outcome = outcome
        if outcome.ok:
            rt.last_success = outcome.started_at
            rt.last_latency_s = outcome.duration_s
            rt.breaker.record_success()
        elif outcome.duration_s:
            rt.last_latency_s = outcome.duration_s
        source = rt.source
        if self.alerts is not None:
            self.alerts.wrote(written.result.indicators if outcome.ok else (), source.id)
        if source.id in self._first_round:
            self._first_round.discard(source.id)
            if not self._first_round:
                self._first_round_done.set()
        if self.on_run is not None:
            self.on_run(outcome)

    def _written(self, rt: _Runtime, run: SourceRun) -> asyncio.Future[RunWritten]:
        """``run`` stored and logged, together with every other run that ends meanwhile:
        one thread hop and one transaction for a batch, however many sources finish at
        once (the first run of a quiet spell is written at once, not after a delay)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[RunWritten] = loop.create_future()
        self._pending.append((rt, run, done))
        if self._flushed is None or self._flushed.get_loop() is not loop:  # else the batch
            # in flight sends this one when it is done
            self._flushed = loop.create_future()
            # At the end of this loop turn, not now: runs whose fetches came back in the
            # same turn go in the same batch (under load, many do).
            loop.call_soon(self._send_batch, loop)
        return done

    def _send_batch(self, loop: asyncio.AbstractEventLoop) -> None:
        # Callbacks and one writer thread, no task: an idle collector's cost is its loop
        # turns, and a task and a wrapped future would add three to every write.
        batch, self._pending = self._pending, []
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="lishi-store-write")
        self._writer.submit(self._write_batch, loop, batch)

    def _write_batch(self, loop: asyncio.AbstractEventLoop, batch: list[_PendingRun]) -> None:
        """On the writer thread: the batch's one transaction, then its report to ``loop``."""
        runs = [run for _, run, _ in batch]
        try:
            written = self._backlog.write_runs(runs)
        except Exception as exc:  # disk full, read-only: kept in the backlog, retried
            fault = write_fault(exc, self._store_name)
            written = [
                RunWritten(
                    WriteResult(),
                    _replace_outcome(
                        run.outcome, ok=False, error=f"source {run.outcome.source}: {fault}"
                    )
                    if run.outcome is not None
                    else None,
                )
                for run in runs
            ]
            try:
                self._backlog.log_runs([w.outcome for w in written if w.outcome is not None])
            except Exception as again:  # kept; one line a batch, not a traceback per run
                log.warning("fetch log: %s", write_fault(again, self._store_name))
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(self._batch_written, loop, batch, written)

    def _batch_written(
        self, loop: asyncio.AbstractEventLoop, batch: list[_PendingRun], written: list[RunWritten]
    ) -> None:
        for (rt, _, done), result in zip(batch, written, strict=True):
            try:
                self._after_write(rt, result)
            except Exception:  # a callback's fault: the other runs are still reported
                log.exception("reporting the run of source %s failed", rt.source.id)
            if not done.done():  # cancelled when its run was (stop): written all the same
                done.set_result(result)
        if self._pending:  # busy: let a few more runs end before the next commit
            loop.call_later(WRITE_BATCH_WINDOW_S, self._send_batch, loop)
        elif self._flushed is not None:
            self._flushed.set_result(None)
            self._flushed = None

    def _describe(self, source: SourceConfig, exc: BaseException) -> str:
        if isinstance(exc, Located):
            return f"source {source.id}: {exc}"
        kind = "" if isinstance(exc, PluginAborted) else f"{type(exc).__name__}: "
        text = f"source {source.id}: {kind}{exc}"
        if not isinstance(exc, FetchError):
            where = plugin_frame(exc)
            if where:
                text += f" (at {where})"
        return text


def _replace_outcome(outcome: SourceRunOutcome, **changes: Any) -> SourceRunOutcome:
    return replace(outcome, **changes)


__all__ = ["BreakerState", "Collector", "SourceState"]
