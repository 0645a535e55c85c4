"""One collector per database: an advisory lock file beside the SQLite history."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from lishi_tui.store.faults import StoreUnavailable


class CollectorLock:
    """Held by the process that collects into one SQLite file.

    Many officials may open the dashboard on one server: the first runs the collector,
    every later one finds the lock held and only reads. The operating system drops the
    lock when its holder exits, however it exits, so a crash never leaves it stuck.
    """

    def __init__(self, db_path: Path) -> None:
        # On the resolved path: a second collector reaching the file through a symlink
        # must find the same lock.
        resolved = db_path.resolve()
        self.path = resolved.with_name(resolved.name + ".collector.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except IsADirectoryError:
            raise StoreUnavailable(
                f"the collector lock {self.path} is a folder: remove it and start again"
            ) from None
        except OSError as exc:
            raise StoreUnavailable(
                f"the collector lock {self.path} cannot be created ({exc.strerror}): "
                "its folder must be writable"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            # A full disk: the lock holds without its pid (which only names the holder);
            # opening the history then says what is wrong.
            pass
        self._fd = fd
        return True

    def holder(self) -> int | None:
        """The pid written by the process holding the lock, if it can be read."""
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> CollectorLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
