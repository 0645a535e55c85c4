"""Readings and run logs the store refused (disk full, read-only), kept and written later.

A collector that meets a full disk or a read-only mount keeps collecting: what it could not
write waits here, in memory and in order, and is written first as soon as the store
accepts writes again, so the fault clears by itself without losing a fetched figure.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TypeVar

from lishi_tui.domain.model import Observation, SourceRunOutcome
from lishi_tui.store.base import Store, WriteResult

log = logging.getLogger(__name__)
T = TypeVar("T")

# A week of a busy collector's runs; beyond this the oldest waiting ones are dropped (and
# counted), so that a fault left for months cannot exhaust memory.
MAX_WAITING_OBSERVATIONS = 200_000
MAX_WAITING_RUNS = 10_000


class Backlog:
    """Writes through to ``store``; keeps what failed and writes it before the next write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._observations: list[Observation] = []
        self._runs: list[SourceRunOutcome] = []
        self.dropped = 0

    @property
    def waiting(self) -> int:
        return len(self._observations)

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Write what waits, then ``observations``, in one call; on failure keep them all
        and raise. The result counts only the new ones' effect together with the waiting."""
        with self._lock:
            batch = [*self._observations, *observations]
            try:
                result = self.store.write(batch)
            except Exception:
                self._observations = self._bounded(batch, MAX_WAITING_OBSERVATIONS)
                raise
            if self._observations:
                log.warning("wrote %d readings kept during a store fault", len(self._observations))
            self._observations = []
            return result

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Log a run; on failure keep it (and the earlier waiting ones) for the next time."""
        with self._lock:
            runs = [*self._runs, outcome]
            written = 0
            try:
                for run in runs:
                    self.store.log_fetch(run)
                    written += 1
            except Exception:
                self._runs = self._bounded(runs[written:], MAX_WAITING_RUNS)
                raise
            self._runs = []

    def _bounded(self, items: list[T], limit: int) -> list[T]:
        if len(items) > limit:
            self.dropped += len(items) - limit
            return items[-limit:]
        return items
