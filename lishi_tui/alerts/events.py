"""What alerting hands the notification channels: the agreed AlertEvent and DeliveryResult.

A stand-in with the agreed fields until ``lishi_tui.notify.api`` is on main; then this
module re-exports those instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One alert's state change (or a repeat of a still-firing alert) to tell a channel about."""

    alert_id: str
    rule_id: str
    rule_text: str
    state: str  # "firing" | "resolved" | "nodata" | "error"
    severity: str
    indicator_id: str | None
    indicator_name: str | None
    value: float | None
    unit: str | None
    period: str | None
    period_label: str | None
    target: float | None
    pace: str | None
    source: str | None
    demo: bool
    since: datetime
    repeat: bool
    summary: str


@dataclass(frozen=True)
class DeliveryResult:
    """How delivering one batch to one channel ended."""

    ok: bool
    error: str | None
    attempts: int
