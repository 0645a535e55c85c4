"""A counting semaphore shared by several event loops, each in its own thread.

The HTTP client caps requests in flight for the whole process while requests run on more
than one loop (the collector's own and each fetch worker's): ``asyncio.Semaphore`` belongs
to one loop. Taking a free slot costs one uncontended lock; a waiter is woken on its own
loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from types import TracebackType


class LoopSlots:
    """``async with slots:`` holds one of ``size`` slots, from any thread's running loop."""

    def __init__(self, size: int) -> None:
        self._free = max(1, size)
        self._lock = threading.Lock()
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def free(self) -> int:
        return self._free

    async def acquire(self) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            loop = asyncio.get_running_loop()
            granted: asyncio.Future[None] = loop.create_future()
            self._waiting.append((loop, granted))
        try:
            await granted
        except asyncio.CancelledError:
            with self._lock:
                try:
                    self._waiting.remove((loop, granted))
                    handed = False
                except ValueError:  # already handed a slot: give it back
                    handed = True
            if handed and granted.done() and not granted.cancelled():
                self.release()
            raise

    def release(self) -> None:
        with self._lock:
            while self._waiting:
                loop, granted = self._waiting.popleft()
                try:
                    loop.call_soon_threadsafe(self._grant, granted)
                except RuntimeError:  # that loop closed: its waiter is gone
                    continue
                return
            self._free += 1

    def _grant(self, granted: asyncio.Future[None]) -> None:
        # On the waiter's loop. Cancelled after it was chosen: the slot goes to the next.
        if granted.done():
            self.release()
        else:
            granted.set_result(None)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
