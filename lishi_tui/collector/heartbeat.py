"""The collector's heartbeat: a row in the store saying which process collects, and when it last did."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from lishi_tui.store.base import Heartbeat, Store

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
# A viewer may call the collector stopped once three beats in a row are missing.
STALE_AFTER = 3 * HEARTBEAT_EVERY
# A due beat waits this share of a period for another write to take it along (SQLite).
LATE = 0.5


def is_stale(beat: Heartbeat | None, now: datetime, *, after: timedelta = STALE_AFTER) -> bool:
    """Whether a viewer should say the collector has stopped (or never ran)."""
    return beat is None or now - beat.beat_at > after


async def beat_forever(
    store: Store,
    clock: Callable[[], datetime],
    *,
    every: timedelta = HEARTBEAT_EVERY,
) -> None:
    """Write the heartbeat now and every ``every`` until cancelled; a failed write is logged
    and retried on the next beat, never allowed to stop collecting.

    On SQLite a beat that is due rides along with the next write transaction of the store
    (a run's, most often: a before-commit hook) instead of committing on its own, so a
    collector that writes every few seconds commits no more for being alive, and nobody
    following the store looks again for it; the beat is written on its own only when no
    transaction came by within half a period more (beats stay well inside STALE_AFTER).
    """
    pid, host = os.getpid(), socket.gethostname()
    period = every.total_seconds()
    beats = _Beats(store, clock, pid, host, period)
    folded = beats.can_fold()
    if folded:
        beats.grace = LATE
        store.add_commit_hook(beats.before_commit, before=True)
    try:
        while True:
            if beats.due(late=True):
                try:
                    await asyncio.to_thread(beats.write)
                except Exception as exc:
                    log.warning("writing the collector heartbeat failed: %r", exc)
            await asyncio.sleep(beats.wait())
    finally:
        if folded:
            store.remove_commit_hook(beats.before_commit)


class _Beats:
    """When the heartbeat was last written (by its own transaction or another's)."""

    def __init__(
        self, store: Store, clock: Callable[[], datetime], pid: int, host: str, period: float
    ) -> None:
        self.store, self.clock, self.pid, self.host = store, clock, pid, host
        self.period = period
        self.grace = 0.0  # LATE once the beats ride along with other writes (``fold``)
        self.last: float | None = None  # time.monotonic() of the last beat written
        self.own = 0  # beats written in a transaction of their own (tests read it)
        self.folded = 0  # beats written in another write's transaction (tests read it)

    def can_fold(self) -> bool:
        # Only SQLite: a failed statement there leaves the transaction usable, whereas on
        # PostgreSQL it would abort the run's write that the beat rode along with.
        dialect = getattr(self.store, "dialect", None)
        return getattr(dialect, "name", None) == "sqlite"

    def due(self, *, late: bool = False) -> bool:
        """Whether a beat should be written: ``late``, whether it is overdue by half a
        period (no transaction came by to take it: the beat loop writes it itself)."""
        wait = self.period * ((1 + self.grace) if late else 1)
        return self.last is None or time.monotonic() - self.last >= wait

    def wait(self) -> float:
        """Seconds until the beat loop should look again (at least a little, not to spin)."""
        if self.last is None:
            return self.period
        return max(0.01, self.period * (1 + self.grace) - (time.monotonic() - self.last))

    def write(self) -> None:
        if not self.due(late=True):  # a transaction took it meanwhile
            return
        self.store.heartbeat(self.pid, self.host, self.clock())
        self.last = time.monotonic()
        self.own += 1

    def before_commit(self, tx: Any) -> None:
        if not self.due() or "heartbeat" in tx.topics:
            return
        try:
            self.store.heartbeat_in(tx, self.pid, self.host, self.clock())
        except Exception as exc:  # the write it rides along with goes on without it
            log.warning("writing the collector heartbeat failed: %r", exc)
            return
        self.last = time.monotonic()
        self.folded += 1
