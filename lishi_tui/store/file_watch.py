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

import select
import time
from pathlib import Path

from lishi_tui.file_events import IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_MOVED_TO, FileEvents

IN_MODIFY = 0x002
# Unlike a config's watcher, every page written: a commit is seen as its WAL is written.
WATCHED = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE
FOLLOW_UP_LOOKS = 2  # looks at ``interval`` after the last event (see the module doc)
QUIET_S = 0.003  # writes paused this long: the burst (a commit) is over


class FileCommitListener:
    """Sleeps until one of the database's files is written (the same duck type as the
    PostgreSQL ``CommitListener``: ``wait`` and ``close``)."""

    def __init__(self, files: FileEvents, interval: float) -> None:
        self._files = files
        self._fd = files.fileno()
        self.interval = interval
        self._follow_up = 0

    @property
    def events(self) -> int:
        """Relevant events read so far (tests read it)."""
        return self._files.events

    def wait(self, timeout: float) -> bool:
        """Block until the file is written (True), a follow-up look is due (True), or
        ``timeout`` seconds pass (False)."""
        if self._follow_up > 0:
            self._follow_up -= 1
            # A fixed pause, not a wake per event: a long write raises many.
            select.select([], [], [], self.interval)
            if self._files.drain():
                self._follow_up = FOLLOW_UP_LOOKS
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not (ready and self._files.drain()):
            return False
        # Look once the writes pause, but never later than a refresh after the first.
        deadline = time.monotonic() + self.interval
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._fd], [], [], min(QUIET_S, left))
            if not ready:
                break
            self._files.drain()
        self._follow_up = FOLLOW_UP_LOOKS
        return True

    def close(self) -> None:
        self._files.close()


def file_listener(path: Path, interval: float) -> FileCommitListener | None:
    """A listener for writes to the SQLite database ``path`` (and its -wal and -journal
    files), or None where inotify is not available."""
    path = Path(path)
    names = (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal"))
    files = FileEvents.open(names, mask=WATCHED)
    return FileCommitListener(files, interval) if files is not None else None


__all__ = ["FileCommitListener", "file_listener"]
