"""What alerting hands the notification channels: ``lishi_tui.notify.api``'s AlertEvent and
DeliveryResult, named here for the alert modules."""

from __future__ import annotations

from lishi_tui.notify.api import AlertEvent, DeliveryResult

__all__ = ["AlertEvent", "DeliveryResult"]
