"""Running plugin fetches off the caller's event loop, so a plugin that blocks freezes only itself.

Every fetch, ``async def`` or plain, runs in a daemon worker thread of its own; an ``async
def`` one runs there on the worker's own event loop. Workers are kept and reused for the next
fetch (a thread and a loop per fetch cost more CPU than a small JSON fetch itself), one fetch
at a time each. A plugin that calls ``time.sleep`` (or any other
blocking call) inside ``async def fetch`` then stalls only its own loop: the dashboard keeps
painting, the collector's other sources keep running, and the timeout fires. HTTP requests
made through ``ctx.http`` run on the worker's own loop when the getter allows it (the shared
client does: the same rules and the same cap on requests in flight, with a connection pool
per loop, kept with the worker), so a fetch costs two cross-thread hand-offs (there and
back), not four; any other getter's requests are handed to the caller's loop and back.

An ``http_source_type`` fetch is run in its parts (``lishi_tui.collector.staged``): its
request on the caller's loop, which is the shared client's code, and only the type's own code
(its parse) on a worker, as a plain fetch; the request then costs no worker loop at all.

A thread cannot be killed. A worker still stuck when its timeout fires is abandoned (daemon,
so it never holds up exit; it ends when the fetch finally returns) and remembered: the
source is not started again while its previous fetch is still stuck, so a hung plugin
cannot pile up threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lishi_tui.sources.api import FetchContext, FetchError, HttpGetter, HttpResult

log = logging.getLogger(__name__)

# How long a loop that did not finish in time gets to answer a ping before it is reported
# as blocked (rather than merely slow).
PING_GRACE_S = 0.2


class PluginAborted(Exception):
    """A plugin raised KeyboardInterrupt, SystemExit or another BaseException.

    Caught at the plugin boundary and turned into an ordinary error of that plugin's run,
    so that it neither ends the command nor the dashboard.
    """


def settle(waiter: asyncio.Future[None]) -> None:
    """End a wait on ``waiter`` (if nothing ended it yet): a sleep, or a wait for a result."""
    if not waiter.done():
        waiter.set_result(None)


def as_plugin_error(exc: BaseException) -> BaseException:
    """``exc`` if it is an ordinary ``Exception``; else a ``PluginAborted`` carrying its
    traceback (so that the plugin's file and line can still be named)."""
    if isinstance(exc, Exception):
        return exc
    detail = str(exc)
    message = type(exc).__name__ + (f": {detail}" if detail else "")
    return PluginAborted(message).with_traceback(exc.__traceback__)


class _HomeLoopHttp:
    """``ctx.http`` as seen from a plugin's own loop: each request runs on the home loop
    (or, for a getter that ``runs_on_any_loop``, right here), keeping the URLs in flight
    and the last request error (read by the watchdog)."""

    def __init__(self, real: HttpGetter, home: asyncio.AbstractEventLoop | None) -> None:
        self._real = real
        self._home = home  # None: the requests run on the plugin's own loop
        self.in_flight: list[str] = []  # changed on the loop the requests run on only
        self.failed: FetchError | None = None

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = True,
    ) -> HttpResult:
        async def request() -> HttpResult:
            self.in_flight.append(url)
            try:
                return await self._real.get(
                    url, params=params, headers=headers, conditional=conditional
                )
            except FetchError as exc:
                self.failed = exc
                raise
            finally:
                self.in_flight.remove(url)

        if self._home is None:
            return await request()
        future = asyncio.run_coroutine_threadsafe(request(), self._home)
        return await asyncio.wrap_future(future)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _WorkerLoop(asyncio.SelectorEventLoop):
    """A fetch worker's event loop: remembers the tasks made on it (so that what a fetch
    left running can be ended without walking every task of the process), and runs
    ``lishi_closers`` (the HTTP client's pool on this loop) before it is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.lishi_closers: list[Callable[[], Awaitable[None]]] = []
        self.made: list[asyncio.Task[Any]] = []
        self.set_task_factory(self._remember)

    def _remember(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
        self.made.append(task)
        return task

    def leftover(self) -> list[asyncio.Task[Any]]:
        """Tasks made since the last call that have not finished."""
        made, self.made = self.made, []
        return [t for t in made if not t.done()]

    def close_resources(self) -> None:
        for close in self.lishi_closers:
            with contextlib.suppress(BaseException):
                self.run_until_complete(close())
        self.lishi_closers.clear()


class _Worker:
    """A daemon thread that runs one job at a time from its queue, with an event loop of
    its own for ``async def`` fetches (kept between jobs); ``None`` ends it."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[_Worker], None] | None] = queue.SimpleQueue()
        self.loop: _WorkerLoop | None = None
        self.retired = False
        self.thread = threading.Thread(target=self._serve, name="lishi-fetch", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while (job := self.jobs.get()) is not None:
            job(self)
        if self.loop is not None:
            self.loop.close_resources()
            self.loop.close()

    def own_loop(self) -> _WorkerLoop:
        if self.loop is None:
            self.loop = _WorkerLoop()
        return self.loop

    def retire(self) -> None:
        """End the thread once its current job (if any) returns."""
        self.retired = True
        self.jobs.put(None)


@dataclass
class _Run:
    """One fetch on its worker."""

    source_id: str
    worker: _Worker
    started: float  # time.monotonic()
    loop: asyncio.AbstractEventLoop | None = None  # the worker's loop (async fetches)
    task: asyncio.Task[Any] | None = None
    http: _HomeLoopHttp | None = None  # its ctx.http (async fetches)
    finished: threading.Event = field(default_factory=threading.Event)

    async def loop_answers(self, grace: float = PING_GRACE_S) -> bool:
        """Whether the plugin's own loop still runs callbacks (False: something blocks it)."""
        loop = self.loop
        if loop is None or loop.is_closed() or self.finished.is_set():
            return True
        home = asyncio.get_running_loop()
        answered: asyncio.Future[None] = home.create_future()

        def pong() -> None:
            if not answered.done():
                answered.set_result(None)

        try:
            loop.call_soon_threadsafe(home.call_soon_threadsafe, pong)
        except RuntimeError:  # closed meanwhile: it finished
            return True
        try:
            await asyncio.wait_for(answered, grace)
        except TimeoutError:
            return self.finished.is_set()
        return True

    def cancel(self) -> None:
        loop, task = self.loop, self.task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)


class FetchRunner:
    """Runs each fetch on a worker thread of its own (reused), with a watchdog."""

    def __init__(self) -> None:
        self._stuck: dict[str, _Run] = {}
        self._idle: list[_Worker] = []

    def stuck(self) -> dict[str, float]:
        """Sources whose abandoned fetch is still running, with seconds since it started."""
        now = time.monotonic()
        return {
            sid: now - run.started for sid, run in self._stuck.items() if not run.finished.is_set()
        }

    def refuse_if_stuck(self, source_id: str) -> None:
        """Raise FetchError if ``source_id``'s abandoned fetch has not returned yet."""
        previous = self._stuck.get(source_id)
        if previous is not None:
            if not previous.finished.is_set():
                raise FetchError(
                    f"not started: its previous fetch has been stuck in plugin code for "
                    f"{time.monotonic() - previous.started:.0f} s and has not returned"
                )
            del self._stuck[source_id]

    def close(self) -> None:
        """End the idle workers' threads (busy and abandoned ones end when they return)."""
        while self._idle:
            self._idle.pop().retire()

    async def run(
        self,
        fetch: Callable[[FetchContext], Any],
        ctx: FetchContext,
        *,
        seconds: float,
        is_async: bool,
        grace: float = 0.0,
    ) -> object:
        """``fetch(ctx)``'s result; raises what it raised (``PluginAborted`` for a
        BaseException) or ``FetchError`` when it did not return within ``seconds``
        (waited ``grace`` longer, so that an inner timeout can report itself first)."""
        source_id = ctx.source_id
        self.refuse_if_stuck(source_id)
        home = asyncio.get_running_loop()
        future: asyncio.Future[Any] = home.create_future()
        # An abandoned fetch may fail long after anyone waits; retrieve its error so that
        # asyncio does not log "exception was never retrieved".
        future.add_done_callback(lambda f: None if f.cancelled() else f.exception())
        loop_ready = threading.Event()
        worker = self._idle.pop() if self._idle else _Worker()
        run = _Run(source_id, worker, time.monotonic())

        def hand_back(result: Any, error: BaseException | None) -> None:
            # On the home loop, after the job returned: the worker may take the next one.
            if worker.retired:
                pass
            elif self._stuck.get(source_id) is run:
                worker.retire()
            else:
                self._idle.append(worker)
            settle(waiter)  # here, not by a done callback: one loop turn fewer
            if future.done():
                return
            if error is not None:
                future.set_exception(as_plugin_error(error))
            else:
                future.set_result(result)

        def job(w: _Worker) -> None:
            try:
                if is_async:
                    result = self._run_async(run, w.own_loop(), fetch, ctx, home, loop_ready)
                else:
                    loop_ready.set()
                    result = fetch(ctx)
            except BaseException as exc:  # the plugin boundary: whatever it raised is its error
                outcome: tuple[Any, BaseException | None] = (None, exc)
            else:
                outcome = (result, None)
            run.finished.set()
            try:
                home.call_soon_threadsafe(hand_back, *outcome)
            except RuntimeError:  # the home loop closed meanwhile: nobody takes the worker
                w.retire()

        # The caller sleeps on ``waiter``, which the result or the deadline ends, never on
        # ``future`` itself: a deadline leaves the fetch running for its own error to come.
        waiter: asyncio.Future[None] = home.create_future()
        deadline = home.call_later(seconds + grace, settle, waiter)
        worker.jobs.put(job)
        try:
            await waiter
        except asyncio.CancelledError:
            run.cancel()
            raise
        finally:
            deadline.cancel()
        if not future.done():  # the deadline passed
            timed_out = await self._timed_out(run, seconds, loop_ready)
            if timed_out.retryable:  # merely slow, and cancelled: its own error may follow
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(future), PING_GRACE_S)
            own = future.exception() if future.done() and not future.cancelled() else None
            if timed_out.retryable and not isinstance(own, FetchError) and run.http is not None:
                # Its request failed on this loop (an HTTP timeout at the same deadline) but
                # the plugin's thread has not passed that on yet: a loaded machine is slow
                # to schedule it, and no fixed grace is enough.
                own = run.http.failed
            # The plugin's own error (an HTTP timeout naming its URL) says more than ours.
            raise (own if isinstance(own, FetchError) else timed_out) from None
        result = future.result()
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise FetchError(
                "fetch returned an awaitable from a plain function; declare it async def"
            )
        return result

    @staticmethod
    def _run_async(
        run: _Run,
        loop: _WorkerLoop,
        fetch: Callable[[FetchContext], Any],
        ctx: FetchContext,
        home: asyncio.AbstractEventLoop,
        loop_ready: threading.Event,
    ) -> Any:
        here = getattr(ctx.http, "runs_on_any_loop", False) is True
        run.http = _HomeLoopHttp(ctx.http, None if here else home)
        own_ctx = dataclasses.replace(ctx, http=run.http)
        run.loop = loop
        try:
            run.task = loop.create_task(fetch(own_ctx))
            loop_ready.set()
            return loop.run_until_complete(run.task)
        finally:
            task = run.task
            if task is not None and task.done() and not task.cancelled():
                # KeyboardInterrupt or SystemExit left run_until_complete raised but
                # not retrieved from the task: asyncio would log "Task exception was
                # never retrieved" whenever the garbage collector frees it, inside
                # whatever code is running then.
                task.exception()
            # Whatever the plugin left running on the loop ends with its fetch, as it would
            # if the loop were closed; the loop itself is kept for the worker's next job.
            leftover = loop.leftover()
            for task in leftover:
                task.cancel()
            with contextlib.suppress(BaseException):
                if leftover:
                    loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))

    async def _timed_out(
        self, run: _Run, seconds: float, loop_ready: threading.Event
    ) -> FetchError:
        source_id = run.source_id
        if run.finished.is_set() or (
            run.loop is not None and loop_ready.is_set() and await run.loop_answers()
        ):
            # Merely slow (waiting on something): cancel it in its own loop, and let the
            # collector retry as it would any timeout.
            run.cancel()
            waiting = run.http.in_flight if run.http is not None else []
            on = f" waiting for {waiting[0]}" if waiting else ""
            return FetchError(f"fetch timed out after {seconds:g} s{on}", retryable=True)
        self._stuck[source_id] = run
        if run.loop is not None:
            what = (
                "its event loop is blocked by a blocking call in async def fetch "
                "(time.sleep, a synchronous request, a busy loop); use await asyncio.sleep "
                "or a plain def fetch"
            )
        else:
            what = "blocking plugin code still running in its thread"
        log.warning(
            "source %s: fetch timed out after %g s; %s; abandoned", source_id, seconds, what
        )
        return FetchError(f"fetch timed out after {seconds:g} s: {what}; abandoned")


def cap_readings(result: object, limit: int) -> tuple[object, str]:
    """At most ``limit`` of a fetch's readings, and why the rest were refused ("" if none)."""
    if not isinstance(result, list | tuple) or len(result) <= limit:
        return result, ""
    refused = len(result) - limit
    return result[:limit], (
        f"returned {len(result)} readings, more than [collector] max_readings = {limit}: "
        f"the first {limit} were kept, {refused} refused"
    )


__all__ = ["FetchRunner", "PluginAborted", "as_plugin_error", "cap_readings"]
