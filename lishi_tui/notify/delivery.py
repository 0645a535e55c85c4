"""Delivering batches to channels: each channel on its own, time-limited, retried with backoff.

A channel's failure is a :class:`~lishi_tui.notify.api.DeliveryResult`, never an exception,
so the alerts engine keeps the alert and tries again later; one slow channel delays no
other. The last outcome of each channel is kept in ``HEALTH`` for the plugins screen.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.notify.api import (
    AlertEvent,
    ChannelHealth,
    DeliveryError,
    DeliveryResult,
    NotifierConfig,
    SendContext,
)
from lishi_tui.sources.api import FetchError, HttpResult
from lishi_tui.sources.http import HttpClient, SourceHttp
from lishi_tui.store.base import Store
from lishi_tui.text import clean, redact

log = logging.getLogger("lishi_tui.notify")

HEALTH: dict[str, ChannelHealth] = {}


class NotifierHttp:
    """The shared HTTP client as one channel sees it (implements ``Poster``).

    The client is asked for only when the channel posts: e-mail and command channels
    never pay for an HTTP pool (its TLS setup alone costs tens of milliseconds).
    """

    def __init__(self, client: Callable[[], HttpClient], notifier: NotifierConfig) -> None:
        self._client = client
        self._notifier = notifier
        self._http: SourceHttp | None = None

    def _view(self) -> SourceHttp:
        if self._http is None:
            # SourceHttp keeps the pool's rules (size cap, timeouts, secret redaction); a
            # notifier is a source of no indicators as far as it is concerned.
            n = self._notifier
            view = SourceConfig(
                id=f"notifiers.{n.id}",
                type=n.type,
                interval=timedelta(),
                indicators=(),
                options={},
                timeout=n.timeout,
                secrets=n.secrets,
            )
            self._http = self._client().for_source(view, {})
        return self._http

    async def post_json(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> HttpResult:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        try:
            return await self._view().post(url, content=content, headers=sent)
        except FetchError as exc:  # already redacted by SourceHttp
            raise DeliveryError(
                str(exc), retryable=exc.retryable, retry_after=exc.retry_after
            ) from None


class _OwnClient:
    """An HTTP client made on first use and closed by whoever made this holder."""

    def __init__(self, given: HttpClient | None) -> None:
        self.given = given
        self.made: HttpClient | None = None

    def __call__(self) -> HttpClient:
        if self.given is not None:
            return self.given
        if self.made is None:
            self.made = HttpClient(CollectorSettings())
        return self.made

    async def aclose(self) -> None:
        if self.made is not None:
            await self.made.aclose()


def backoff_delay(notifier: NotifierConfig, attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: Retry-After if given, else doubling."""
    cap = notifier.max_backoff.total_seconds()
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    return float(min(notifier.backoff.total_seconds() * 2 ** (attempt - 1), cap))


async def deliver_one(
    notifier: NotifierConfig,
    events: Sequence[AlertEvent],
    *,
    lang: str,
    http: HttpClient | Callable[[], HttpClient],
    now: Callable[[], datetime],
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> DeliveryResult:
    """One batch to one channel, with retries; the result, never an exception."""
    channel = notifier.channel
    if channel is None:
        return DeliveryResult(False, f"notifier {notifier.id!r}: no channel type", 0)
    client = http if callable(http) else _OwnClient(http)
    poster = NotifierHttp(client, notifier)
    timeout = notifier.timeout.total_seconds()
    attempts = 0
    error = ""
    while True:
        attempts += 1
        ctx = SendContext(
            notifier_id=notifier.id,
            options=notifier.options,
            events=tuple(events),
            lang=lang,
            http=poster,
            now=now(),
            timeout=timeout,
            secrets=notifier.secrets,
        )
        retryable = False
        retry_after: float | None = None
        try:
            async with asyncio.timeout(timeout):
                if channel.is_async:
                    await channel.send(ctx)  # type: ignore[misc]
                else:
                    await asyncio.to_thread(channel.send, ctx)
            return DeliveryResult(True, None, attempts)
        except TimeoutError:
            error, retryable = f"timed out after {timeout:g} s", True
        except DeliveryError as exc:
            error, retryable, retry_after = exc.message, exc.retryable, exc.retry_after
        except Exception as exc:  # a channel plugin's bug is its failure, not the caller's
            error = f"{type(exc).__name__}: {exc}"
        error = clean(redact(error, notifier.secrets), single_line=True, limit=300)
        if not retryable or attempts > notifier.retries:
            return DeliveryResult(False, error, attempts)
        await sleep(backoff_delay(notifier, attempts, retry_after))


def _record(notifier: NotifierConfig, result: DeliveryResult, at: datetime) -> None:
    before = HEALTH.get(notifier.id)
    failures = 0 if result.ok else (before.failures_in_row if before else 0) + 1
    last_ok = at if result.ok else (before.last_ok_at if before else None)
    HEALTH[notifier.id] = ChannelHealth(
        notifier_id=notifier.id,
        type=notifier.type,
        ok=result.ok,
        error=result.error,
        attempts=result.attempts,
        at=at,
        failures_in_row=failures,
        last_ok_at=last_ok,
    )


async def deliver_batches(
    notifiers: Mapping[str, NotifierConfig],
    batches: Mapping[str, Sequence[AlertEvent]],
    *,
    lang: str,
    http: HttpClient | None = None,
    now: Callable[[], datetime] | None = None,
    store: Store | None = None,
) -> dict[str, DeliveryResult]:
    """See :func:`lishi_tui.notify.api.deliver_all`."""
    clock = now or (lambda: datetime.now(UTC))
    results: dict[str, DeliveryResult] = {}
    jobs: dict[str, tuple[NotifierConfig, Sequence[AlertEvent]]] = {}
    for notifier_id, events in batches.items():
        if not events:
            continue
        notifier = notifiers.get(notifier_id)
        if notifier is None:
            results[notifier_id] = DeliveryResult(
                False, f"no notifier {notifier_id!r} is configured", 0
            )
        elif not notifier.enabled:
            results[notifier_id] = DeliveryResult(False, f"notifier {notifier_id!r} is disabled", 0)
        else:
            jobs[notifier_id] = (notifier, events)
    if not jobs:
        return results
    client = _OwnClient(http)
    try:
        outcomes = await asyncio.gather(
            *(
                deliver_one(n, events, lang=lang, http=client, now=clock)
                for n, events in jobs.values()
            )
        )
    finally:
        await client.aclose()
    for (notifier_id, (notifier, _)), result in zip(jobs.items(), outcomes, strict=True):
        results[notifier_id] = result
        _record(notifier, result, clock())
        if not result.ok:
            log.warning(
                "notifier %s failed after %d attempt(s): %s",
                notifier_id,
                result.attempts,
                result.error,
            )
    if store is not None:
        await _save(store, [HEALTH[n] for n in jobs])
    return results


async def _save(store: Store, healths: list[ChannelHealth]) -> None:
    from lishi_tui.notify.health import save_health

    try:
        await asyncio.to_thread(save_health, store, healths)
    except Exception as exc:  # the store's trouble is reported; deliveries already happened
        log.warning("could not record channel health: %s", clean(str(exc), single_line=True))
