"""What alerting keeps: alert instances, state changes, acks, silences, deliveries; and where.

``AlertRepository`` is the small protocol the engine, the CLI and the dashboard use;
``lishi_tui.alerts.stored.StoreRepository`` keeps it in the store (SQLite or PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lishi_tui.alerts.state import Instance, State, outward


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert instance: a rule on one subject, its state and the figure it last judged."""

    id: str  # "<rule>/<subject>"
    rule_id: str
    subject: str  # indicator id, or source id for ``source`` rules
    indicator_id: str | None
    severity: str
    rule_text: str  # the rule as it read when last evaluated
    instance: Instance
    updated_at: datetime
    value: float | None = None
    period: str | None = None
    period_label: str | None = None
    source: str | None = None
    demo: bool = False
    pace: str | None = None
    detail: str = ""

    @property
    def state(self) -> State:
        return self.instance.state

    @property
    def active(self) -> bool:
        """Pending, firing, recovering, NoData or Error: worth showing by default."""
        return self.instance.state is not State.NORMAL

    @property
    def firing(self) -> bool:
        return outward(self.instance.state) is not None


def alert_id(rule_id: str, subject: str) -> str:
    return f"{rule_id}/{subject}"


@dataclass(frozen=True, slots=True)
class Transition:
    """One state change of one alert, with what was judged and the rule's text at the time."""

    alert_id: str
    rule_id: str
    at: datetime
    from_state: str
    to_state: str
    value: float | None
    period: str | None
    source: str | None
    demo: bool
    rule_text: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Ack:
    """Someone saw an alert; it stops repeating until it resolves."""

    alert_id: str
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Silence:
    """Nothing is sent about ``target`` (an alert id, or a rule id for all its alerts) until
    ``until``."""

    target: str
    at: datetime
    until: datetime
    by: str
    reason: str

    def covers(self, record: AlertRecord, now: datetime) -> bool:
        return now < self.until and self.target in (record.id, record.rule_id)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one notice to one channel."""

    alert_id: str
    notifier: str
    at: datetime
    state: str
    repeat: bool
    ok: bool
    error: str | None
    attempts: int


class AlertRepository(Protocol):
    """Where alert state and history live; every method is one transaction."""

    def alerts(self) -> dict[str, AlertRecord]:
        """Every alert instance ever evaluated, by id."""
        ...

    def save_alerts(
        self, records: Sequence[AlertRecord], transitions: Sequence[Transition]
    ) -> None:
        """Insert or replace ``records`` and append ``transitions``, together."""
        ...

    def transitions(self, alert_id: str | None = None, limit: int = 100) -> list[Transition]:
        """State changes, newest first."""
        ...

    def add_ack(self, ack: Ack) -> None: ...

    def acks(self) -> dict[str, Ack]:
        """The newest ack of each alert."""
        ...

    def add_silence(self, silence: Silence) -> None: ...

    def silences(self, now: datetime) -> list[Silence]:
        """Silences still in force at ``now``."""
        ...

    def record_deliveries(self, deliveries: Sequence[Delivery]) -> None: ...

    def deliveries(self, alert_id: str | None = None, limit: int = 100) -> list[Delivery]:
        """Delivery outcomes, newest first."""
        ...


def acknowledged(record: AlertRecord, ack: Ack | None) -> bool:
    """Whether ``ack`` covers the alert's current episode (an ack ends when the alert resolves)."""
    episode = record.instance.episode_at
    return ack is not None and episode is not None and ack.at >= episode
