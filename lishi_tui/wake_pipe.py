"""A pipe that ends a thread's ``select`` from another thread at once.

For threads that sleep on a file descriptor (the terminal, inotify) with no timeout, or a
long one: ``wake()`` makes ``fileno()`` readable until the sleeper calls ``drain()``.
"""

from __future__ import annotations

import contextlib
import os
import threading


class WakePipe:
    """``wake()`` from any thread; ``drain()`` and ``close()`` from its owner.

    Once closed, a wake or a drain does nothing: never a write to, or a read from, a
    descriptor number that the process may have opened again since (a database file).
    """

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)  # a full pipe wakes as well as a fuller one
        self._lock = threading.Lock()
        self._open = True

    def fileno(self) -> int:
        """The end to wait on (readable once woken)."""
        return self._r

    def wake(self) -> None:
        with self._lock, contextlib.suppress(OSError):
            if self._open:
                os.write(self._w, b"!")

    def drain(self) -> None:
        """Take every wake written so far, so that the next wait sleeps again."""
        with self._lock, contextlib.suppress(OSError):  # raised once it is empty
            while self._open and os.read(self._r, 64):
                pass

    def close(self) -> None:
        with self._lock:
            if not self._open:
                return
            self._open = False
            for fd in (self._r, self._w):
                with contextlib.suppress(OSError):
                    os.close(fd)
