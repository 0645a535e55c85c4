"""Alert evaluation inside the collecting process: after each store write and on a clock.

The collector tells the runner what it wrote (``wrote``); the runner's own task
evaluates the rules those writes can change, and every rule on a clock (for ``for``,
``keep_firing_for``, staleness and repeats), then hands the batches to the channels.
Nothing here can stop or slow collection: evaluation runs in a thread, delivery is
time-bounded, and every failure is logged and recorded, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta

from lishi_tui.alerts.config import rules_of
from lishi_tui.alerts.engine import AlertEngine, Evaluation
from lishi_tui.alerts.events import AlertEvent, DeliveryResult
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.config.schema import Config, resolve_language
from lishi_tui.store.base import Store

log = logging.getLogger(__name__)

CLOCK_EVERY = timedelta(seconds=15)  # time-based rules: for, keep_firing_for, stale, repeats
DELIVERY_BOUND = timedelta(seconds=120)  # one evaluation's sending, all channels together

Deliver = Callable[[Mapping[str, Sequence[AlertEvent]]], Awaitable[Mapping[str, DeliveryResult]]]


# How long the first evaluation waits for every source's first run since start.
FIRST_ROUND_WAIT_S = 120.0


class AlertRunner:
    """Evaluates an engine's rules when told of writes and on a clock, and delivers."""

    def __init__(
        self,
        engine: AlertEngine,
        deliver: Deliver | None,
        *,
        every: timedelta = CLOCK_EVERY,
        bound: timedelta = DELIVERY_BOUND,
    ) -> None:
        self.engine = engine
        self.deliver = deliver
        self.every = every
        self.bound = bound
        self._indicators: set[str] = set()
        self._sources: set[str] = set()
        self._wake: asyncio.Event | None = None
        self.evaluations = 0  # completed (tests wait on it)
        self.last_error: str | None = None
        # Set by the collector once every source has run once since start: until then a
        # figure not stored yet is "not fetched yet", never "no data" sent to the group.
        self.ready: asyncio.Event | None = None

    def wrote(self, indicators: Collection[str], source: str | None = None) -> None:
        """A store write (or a source run) happened; evaluate what it may change, soon."""
        self._indicators.update(indicators)
        if source:
            self._sources.add(source)
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Until cancelled: evaluate every rule now and each ``every``, and after writes."""
        self._wake = asyncio.Event()
        if self.ready is not None:  # bounded: a source that waits for its schedule
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), FIRST_ROUND_WAIT_S)
        loop = asyncio.get_running_loop()
        next_full = loop.time()
        while True:
            if loop.time() >= next_full:
                rule_ids: list[str] | None = None
                self._indicators.clear()
                self._sources.clear()
                next_full = loop.time() + self.every.total_seconds()
            else:
                rule_ids = self.engine.rules_for(self._indicators, self._sources)
                self._indicators.clear()
                self._sources.clear()
            if rule_ids is None or rule_ids:
                await self.evaluate(rule_ids)
            self._wake.clear()
            if self._indicators or self._sources:
                continue  # written to while evaluating
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_full - loop.time()))

    async def evaluate(self, rule_ids: Sequence[str] | None = None) -> Evaluation | None:
        """One evaluation and its delivery; None if evaluating failed (logged)."""
        try:
            evaluation = await asyncio.to_thread(self.engine.evaluate, rule_ids)
        except Exception as exc:  # the store may be away for a moment: try again next time
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("alert evaluation failed: %s", self.last_error)
            self.evaluations += 1
            return None
        if evaluation.batches and self.deliver is not None:
            sending = asyncio.ensure_future(self._send(evaluation))
            try:
                await asyncio.shield(sending)
            except asyncio.CancelledError:
                # Stopping (or a reload) while a message is on its way: let it finish and be
                # recorded (bounded by the delivery's own limit), or the next start would find
                # it still due and send it to the group a second time.
                await sending
                raise
        self.evaluations += 1
        return evaluation

    async def _send(self, evaluation: Evaluation) -> None:
        assert self.deliver is not None
        try:
            results = await asyncio.wait_for(
                self.deliver(evaluation.batches), self.bound.total_seconds()
            )
        except Exception as exc:  # a failing channel never loses the alert: it stays due
            error = f"delivery failed: {type(exc).__name__}: {exc}"
            log.warning("alerts: %s", error)
            results = {n: DeliveryResult(False, error, 0) for n in evaluation.batches}
        try:
            await asyncio.to_thread(self.engine.delivered, evaluation, results)
        except Exception as exc:
            log.warning("alerts: recording deliveries failed: %r", exc)


def alert_runner(
    config: Config,
    store: Store,
    *,
    clock: Callable[[], datetime],
    breaker_open: Callable[[str], bool] | None = None,
    env: Mapping[str, str] | None = None,
) -> AlertRunner | None:
    """The runner for ``config``'s rules over ``store``; None when no rule is configured."""
    rules = rules_of(config)
    if not rules:
        return None
    lang = resolve_language(config.app.language, os.environ if env is None else env)
    engine = AlertEngine(
        rules,
        config.indicators,
        store,
        StoreRepository(store),
        lang=lang,
        clock=clock,
        breaker_open=breaker_open,
    )
    return AlertRunner(engine, _deliver_for(config, lang, store))


def _deliver_for(config: Config, lang: str, store: Store) -> Deliver | None:
    """The configured channels' ``deliver_all``; None when no notifier is configured.

    Each channel's outcome is recorded in ``store`` too, for every viewer's plugins screen."""
    from lishi_tui.notify.config import configured_notifiers

    notifiers = configured_notifiers(config)
    if not notifiers:
        return None

    async def deliver(batches: Mapping[str, Sequence[AlertEvent]]) -> Mapping[str, DeliveryResult]:
        from lishi_tui.notify.api import deliver_all  # httpx: only once something is sent

        return await deliver_all(notifiers, batches, lang=lang, store=store)

    return deliver
