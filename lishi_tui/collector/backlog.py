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
from lishi_tui.store.base import RunWritten, SourceRun, Store

log = logging.getLogger(__name__)
T = TypeVar("T")

# A week of a busy collector's runs; beyond this the oldest waiting ones are dropped (and
# counted), so that a fault left for months cannot exhaust memory.
MAX_WAITING_OBSERVATIONS = 200_000
MAX_WAITING_RUNS = 10_000


class Backlog:
    """Writes through to ``store``; keeps what failed and writes it with the next write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._observations: list[Observation] = []
        self._runs: list[SourceRunOutcome] = []
        self.dropped = 0

    @property
    def waiting(self) -> int:
        return len(self._observations)

    def write_runs(self, runs: Sequence[SourceRun]) -> list[RunWritten]:
        """Write what waits, then ``runs``, in one transaction (``Store.write_runs``); on
        failure keep every observation (the runs' outcomes are the caller's to log as
        failed, with ``log_runs``) and raise. Returns what was done for each of ``runs``."""
        with self._lock:
            waiting: list[SourceRun] = []
            if self._observations:
                waiting.append(SourceRun(self._observations, None))
            waiting += [SourceRun((), outcome) for outcome in self._runs]
            try:
                written = self.store.write_runs([*waiting, *runs])
            except Exception:
                kept = [*self._observations, *(o for r in runs for o in r.observations)]
                self._observations = self._bounded(kept, MAX_WAITING_OBSERVATIONS)
                raise
            if self._observations:
                log.warning("wrote %d readings kept during a store fault", len(self._observations))
            self._observations = []
            self._runs = []
            return written[len(waiting) :]

    def log_runs(self, outcomes: Sequence[SourceRunOutcome]) -> None:
        """Log runs whose write failed; on failure keep them (and the earlier waiting ones)
        for the next write."""
        with self._lock:
            runs = [*self._runs, *outcomes]
            try:
                self.store.write_runs([SourceRun((), outcome) for outcome in runs])
            except Exception:
                self._runs = self._bounded(runs, MAX_WAITING_RUNS)
                raise
            self._runs = []

    def _bounded(self, items: list[T], limit: int) -> list[T]:
        if len(items) > limit:
            self.dropped += len(items) - limit
            return items[-limit:]
        return items
