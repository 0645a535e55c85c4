"""A per-source circuit breaker: stop hammering a source that keeps failing, then try it again."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class BreakerState(StrEnum):
    """Closed: runs normally. Open: runs are skipped. Half-open: one trial run is allowed."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failures`` failed runs in a row; after ``cooldown`` lets one trial through."""

    def __init__(self, failures: int, cooldown: timedelta) -> None:
        self.threshold = max(1, failures)
        self.cooldown = cooldown
        self.consecutive_failures = 0
        self.opened_until: datetime | None = None
        self._state = BreakerState.CLOSED

    def state(self, now: datetime | None = None) -> BreakerState:
        """The state as of ``now``: an open breaker whose cooldown passed reads half-open."""
        if (
            self._state is BreakerState.OPEN
            and now is not None
            and self.opened_until is not None
            and now >= self.opened_until
        ):
            return BreakerState.HALF_OPEN
        return self._state

    def allow(self, now: datetime) -> bool:
        """Whether a run may start now; moves an expired open breaker to half-open."""
        state = self.state(now)
        if state is BreakerState.OPEN:
            return False
        if state is BreakerState.HALF_OPEN:
            self._state = BreakerState.HALF_OPEN
        return True

    def record_success(self) -> None:
        self.consecutive_failures = 0
        self.opened_until = None
        self._state = BreakerState.CLOSED

    def record_failure(self, now: datetime) -> None:
        self.consecutive_failures += 1
        if self._state is BreakerState.HALF_OPEN or self.consecutive_failures >= self.threshold:
            # A failed trial re-opens at once: the source has shown it is still down.
            self._state = BreakerState.OPEN
            self.opened_until = now + self.cooldown
