"""The collector's heartbeat: a row in the store saying which process collects, and when it last did."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from lishi_tui.store.base import Heartbeat, Store

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
# A viewer may call the collector stopped once three beats in a row are missing.
STALE_AFTER = 3 * HEARTBEAT_EVERY


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
    and retried on the next beat, never allowed to stop collecting."""
    pid, host = os.getpid(), socket.gethostname()
    while True:
        try:
            await asyncio.to_thread(store.heartbeat, pid, host, clock())
        except Exception as exc:
            log.warning("writing the collector heartbeat failed: %r", exc)
        await asyncio.sleep(every.total_seconds())
