"""Being told when given files are written (Linux inotify on their folders), instead of asking.

``FileEvents`` watches the folders of a set of files and says, when drained, whether one
of those files (by name) was created, written, moved in or deleted; other files of the
same folders are ignored. A process that follows its config (``lishi_tui.config.live``)
sleeps on ``fileno()`` instead of calling ``stat`` twice a second for as long as it runs.
Where inotify is missing (not Linux, no libc symbol, out of watches) ``FileEvents.open``
returns None and the caller polls as before. A file changed from another machine (a
network file system), or through a symbolic link whose target lives in a folder not
watched, raises no event: callers keep a slow fallback look.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
# A save ends in one of these: a file closed after writing, renamed into place, created,
# deleted, or touched (``config reload``). Not IN_MODIFY: a database in the same folder
# raises one per page it writes, and would wake the watcher for every commit.
SAVED = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE
EVENT_HEAD = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


class FileEvents:
    """An inotify descriptor on the folders of some files; ``drain`` says if one was written."""

    def __init__(self, fd: int, add: Any, mask: int) -> None:
        self._fd = fd
        self._add = add
        self._mask = mask
        self._folders: set[Path] = set()
        self.names: set[bytes] = set()
        self.events = 0  # events about the files, read so far (tests read it)

    @classmethod
    def open(cls, files: Iterable[Path], *, mask: int = SAVED) -> FileEvents | None:
        """Events for ``files`` (more can be added by ``watch``), or None where inotify is
        not available."""
        if not sys.platform.startswith("linux"):
            return None
        import ctypes  # not at import: the modules that name this one load before a first frame

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            init, add = libc.inotify_init1, libc.inotify_add_watch
        except (OSError, AttributeError):
            return None
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            log.info("no inotify (%s): polling", os.strerror(ctypes.get_errno()))
            return None
        events = cls(fd, add, mask)
        if not events.watch(files):
            events.close()
            return None
        return events

    def watch(self, files: Iterable[Path]) -> bool:
        """Also watch ``files`` (a symbolic link: its folder and its target's); False if a
        folder cannot be watched (the caller polls)."""
        for file in files:
            for path in dict.fromkeys((Path(file).absolute(), Path(file).resolve())):
                self.names.add(os.fsencode(path.name))
                folder = path.parent
                if folder in self._folders:
                    continue
                if self._add(self._fd, os.fsencode(folder), self._mask) < 0:
                    import ctypes

                    errno = ctypes.get_errno()
                    if errno == 2:  # ENOENT: a folder not there yet holds no file to change
                        continue
                    log.info("cannot watch %s (%s): polling", folder, os.strerror(errno))
                    return False
                self._folders.add(folder)
        return True

    def fileno(self) -> int:
        return self._fd

    def drain(self) -> bool:
        """Read every queued event; True if one was about a watched file."""
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


__all__ = ["SAVED", "FileEvents"]
