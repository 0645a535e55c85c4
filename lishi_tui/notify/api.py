"""What a notification channel provides (NotifierType) and receives (SendContext, AlertEvent).

The alerts engine decides *what* to tell (state changes, repeats, grouping); this module
is *how* a batch of :class:`AlertEvent` reaches each configured channel. A channel type is
registered by a plugin through ``lishi_register_notifiers`` (see ``lishi_tui.hookspecs``);
a ``[notifiers.<id>]`` table in the config names one with ``type`` and gives its options,
which become a :class:`NotifierConfig`.

Like ``lishi_tui.sources.api`` this module imports neither Textual nor httpx.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from lishi_tui.sources.api import HttpResult, Option
from lishi_tui.text import redact

if TYPE_CHECKING:
    from lishi_tui.notify.message import Message
    from lishi_tui.sources.http import HttpClient
    from lishi_tui.store.base import Store

ALERT_STATES = ("firing", "resolved", "nodata", "error")
SECRET_MASK = "***"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One alert's state change (or a repeat of a still-firing alert) to tell a channel about."""

    alert_id: str
    rule_id: str
    rule_text: str  # the rule as the operator wrote it, at the time of the event
    state: str  # one of ALERT_STATES
    severity: str  # "info" | "warning" | "critical"
    indicator_id: str | None
    indicator_name: str | None  # in the UI language
    value: float | None
    unit: str | None
    period: str | None  # the period's key, e.g. "2024-Q1"
    period_label: str | None  # the period as people read it, in the UI language
    target: float | None
    pace: str | None  # e.g. "behind the on-track path by 4.1 points", in the UI language
    source: str | None  # the source id (or name) the figure came from
    demo: bool  # the figure is demo data: every message says so
    since: datetime  # when the alert entered ``state``
    repeat: bool  # a reminder for an alert still in ``state``, not a new change
    summary: str  # one line in the UI language

    def to_json(self) -> dict[str, Any]:
        """The event as the generic webhook's JSON object (the contract's keys, and more)."""
        return {
            "alert": self.alert_id,
            "rule": self.rule_id,
            "rule_text": self.rule_text,
            "state": self.state,
            "severity": self.severity,
            "indicator": self.indicator_id,
            "indicator_name": self.indicator_name,
            "value": self.value,
            "unit": self.unit,
            "period": self.period,
            "period_label": self.period_label,
            "target": self.target,
            "pace": self.pace,
            "source": self.source,
            "demo": self.demo,
            "since": self.since.isoformat(),
            "repeat": self.repeat,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class DeliveryResult:
    """How delivering one batch to one channel ended. ``error`` never contains a secret."""

    ok: bool
    error: str | None
    attempts: int


class DeliveryError(Exception):
    """A channel could not deliver. ``retryable`` marks refused/timeout/5xx/429 failures,
    which are retried with backoff; ``retry_after`` honours a server's ``Retry-After``."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class Poster(Protocol):
    """The shared HTTP client as a channel sees it: one JSON POST, no redirects followed.

    Raises :class:`DeliveryError` (retryable for refused, timeout, 5xx and 429) on any
    failure; the error text has every secret of the channel replaced by ``***``.
    """

    async def post_json(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> HttpResult: ...


@dataclass
class SendContext:
    """Everything one delivery attempt of one batch to one channel gets."""

    notifier_id: str
    options: Mapping[str, Any]  # validated against the channel type's options, ${ENV} expanded
    events: tuple[AlertEvent, ...]  # never empty
    lang: str  # "zh" or "en": the language of every text sent
    http: Poster
    now: datetime  # aware UTC; robots sign with it
    timeout: float  # seconds this attempt may take in all
    secrets: tuple[str, ...] = ()  # values to keep out of any error text (see ``redact``)

    @property
    def message(self) -> Message:
        """The batch as one message in ``lang``: title, lines, plain text and markdown."""
        from lishi_tui.notify.message import render

        return render(self.events, self.lang)

    def redact(self, text: str) -> str:
        """``text`` with every secret of this channel replaced by ``***``."""
        return redact(text, self.secrets)


SendFn = Callable[[SendContext], Awaitable[None] | None]
# Cross-option rules of a channel type: (key, message) for each problem found.
ValidateFn = Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class NotifierType:
    """A kind of channel (``type = "..."`` in a ``[notifiers.<id>]`` table).

    ``send`` delivers ``ctx.events`` as one message or raises :class:`DeliveryError`; it
    may be ``async def`` (preferred) or a plain function, which runs in a worker thread.
    Each attempt is time-limited by the notifier's ``timeout``; retries are not its job.
    ``options`` are declared like a source type's: mark keys, passwords and signing
    secrets ``secret=True`` so they never appear in errors, ``show`` or the screen.
    ``validate`` (optional) checks rules between options when the config is loaded, e.g.
    "not both ssl and starttls"; each (key, message) it yields is a located config error.
    """

    name: str
    send: SendFn
    options: Mapping[str, Option] = field(default_factory=dict)
    description: str = ""
    validate: ValidateFn | None = None

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.send)


@dataclass(frozen=True)
class NotifierConfig:
    """``[notifiers.<id>]``: one configured channel, its options typed and checked."""

    id: str
    type: str
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    channel: NotifierType | None = field(default=None, repr=False, compare=False)
    enabled: bool = True
    timeout: timedelta = timedelta(seconds=10)  # per attempt
    retries: int = 3  # further attempts after a retryable failure
    backoff: timedelta = timedelta(seconds=1)  # first wait; doubles, capped at max_backoff
    max_backoff: timedelta = timedelta(seconds=60)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # expanded secret values

    def public_options(self) -> dict[str, Any]:
        """The options as they may be shown: secret ones masked, secrets in others redacted."""
        declared = self.channel.options if self.channel is not None else {}
        out: dict[str, Any] = {}
        for key, value in self.options.items():
            option = declared.get(key)
            if option is not None and option.secret:
                out[key] = SECRET_MASK if value else value
            else:
                out[key] = _redact_value(value, self.secrets)
        return out


def _redact_value(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list | tuple):
        return [_redact_value(v, secrets) for v in value]
    if isinstance(value, Mapping):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ChannelHealth:
    """The last delivery outcome of one channel in this process (for the plugins screen)."""

    notifier_id: str
    type: str
    ok: bool
    error: str | None  # redacted
    attempts: int
    at: datetime  # when the last delivery ended
    failures_in_row: int
    last_ok_at: datetime | None


async def deliver_all(
    notifiers: Mapping[str, NotifierConfig],
    batches: Mapping[str, Sequence[AlertEvent]],
    *,
    lang: str,
    http: HttpClient | None = None,
    now: Callable[[], datetime] | None = None,
    store: Store | None = None,
) -> dict[str, DeliveryResult]:
    """Deliver each batch to its channel, all channels at once; never raises for a channel.

    ``batches`` maps a notifier id to the events for it (an empty batch sends nothing and
    has no result). Each channel is independent: a slow or failing one delays no other.
    Every attempt is time-limited; refused, timed-out, 5xx and 429 replies are retried
    with backoff (honouring Retry-After). An unknown or disabled notifier id gets a failed
    result. ``http`` is the shared client (one is made and closed here if not given).
    The outcome is recorded for :func:`channel_health`, and in ``store`` when given (so
    that a dashboard in another process shows it; see ``lishi_tui.notify.health``).
    """
    from lishi_tui.notify.delivery import deliver_batches

    return await deliver_batches(notifiers, batches, lang=lang, http=http, now=now, store=store)


def channel_health() -> dict[str, ChannelHealth]:
    """The last delivery outcome of every channel that delivered in this process."""
    from lishi_tui.notify.delivery import HEALTH

    return dict(HEALTH)


__all__ = [
    "ALERT_STATES",
    "AlertEvent",
    "ChannelHealth",
    "DeliveryError",
    "DeliveryResult",
    "NotifierConfig",
    "NotifierType",
    "Poster",
    "SendContext",
    "SendFn",
    "ValidateFn",
    "channel_health",
    "deliver_all",
]
