"""Waking on a SQLite file's writes (Linux inotify), so that an idle viewer does not poll.

A viewer's watcher thread (``lishi_tui.app.watcher``) would otherwise ask
``store.version()`` every refresh (10 times a second) for as long as the dashboard is
open. Here it sleeps on an inotify descriptor of the database's folder instead, and is
woken when the database file, its WAL or its journal is written: once the writes have
paused for a few milliseconds (a commit writes its pages in one burst, then makes them
visible through the WAL's index in shared memory, which inotify does not see). Should a
look still come too early, the caller is woken every ``interval`` for a few more looks:
a commit is seen at most one refresh after its last write, as when polling, and an idle
file wakes nobody.

Where inotify is missing (not Linux, no libc symbol, out of watches) ``file_listener``
returns None and the watcher polls as before. A file written from another machine (a
network file system) raises no event: the watcher's fallback look (once a second) sees it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import select
import struct
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
WATCHED = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE
EVENT_HEAD = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)
FOLLOW_UP_LOOKS = 2  # looks at ``interval`` after the last event (see the module doc)
QUIET_S = 0.003  # writes paused this long: the burst (a commit) is over


class FileCommitListener:
    """Sleeps until one of ``names`` in ``folder`` is written (the same duck type as the
    PostgreSQL ``CommitListener``: ``wait`` and ``close``)."""

    def __init__(self, fd: int, names: frozenset[bytes], interval: float) -> None:
        self._fd = fd
        self.names = names
        self.interval = interval
        self._follow_up = 0
        self.events = 0  # relevant events read (tests read it)

    def wait(self, timeout: float) -> bool:
        """Block until the file is written (True), a follow-up look is due (True), or
        ``timeout`` seconds pass (False)."""
        if self._follow_up > 0:
            self._follow_up -= 1
            # A fixed pause, not a wake per event: a long write raises many.
            select.select([], [], [], self.interval)
            if self._drain():
                self._follow_up = FOLLOW_UP_LOOKS
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not (ready and self._drain()):
            return False
        # Look once the writes pause, but never later than a refresh after the first.
        deadline = time.monotonic() + self.interval
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._fd], [], [], min(QUIET_S, left))
            if not ready:
                break
            self._drain()
        self._follow_up = FOLLOW_UP_LOOKS
        return True

    def _drain(self) -> bool:
        """Read every queued event; True if one was about the watched files."""
        seen = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return seen
            if not data:
                return seen
            offset = 0
            while offset + EVENT_HEAD.size <= len(data):
                _, _, _, length = EVENT_HEAD.unpack_from(data, offset)
                start = offset + EVENT_HEAD.size
                name = data[start : start + length].rstrip(b"\0")
                offset = start + length
                if name in self.names:
                    self.events += 1
                    seen = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def file_listener(path: Path, interval: float) -> FileCommitListener | None:
    """A listener for writes to the SQLite database ``path`` (and its -wal and -journal
    files), or None where inotify is not available."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        init, add = libc.inotify_init1, libc.inotify_add_watch
    except (OSError, AttributeError):
        return None
    folder = Path(path).resolve().parent
    fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        log.info("no inotify (%s): polling", os.strerror(ctypes.get_errno()))
        return None
    if add(fd, os.fsencode(folder), WATCHED) < 0:
        log.info("cannot watch %s (%s): polling", folder, os.strerror(ctypes.get_errno()))
        os.close(fd)
        return None
    name = os.fsencode(Path(path).name)
    names = frozenset({name, name + b"-wal", name + b"-journal"})
    return FileCommitListener(fd, names, interval)


__all__ = ["FileCommitListener", "file_listener"]
