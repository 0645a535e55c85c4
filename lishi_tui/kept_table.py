"""One table of work done once and kept between runs, in a private file of the user's cache
(issue 16): what the dataclass-code, TOML and regular-expression caches share, and the
private-file reading and writing that the CSS cache uses too.

A table maps a key to what was made of it (tomllib's tables for a text, the compiled code
of a pattern). ``install`` reads the file (``read_table``: only a file that
is the user's own and nobody else may write, since what is in it is run or unpickled);
``save`` writes it back when something new was made, keeping only what this process used
once it has grown past ``max_entries``. Nothing is written when Python is told not to write
bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``), as for the other caches.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_writes_held = False  # see hold_writes


def cache_file(kind: str, suffix: str) -> Path:
    """A cache file of this Python's in the user's cache folder: ``<kind>.<tag>.<suffix>``."""
    import platformdirs

    tag = sys.implementation.cache_tag or "python"
    return Path(platformdirs.user_cache_dir("lishi-tui")) / f"{kind}.{tag}.{suffix}"


def read_private(path: Path, header: bytes) -> bytes | None:
    """The bytes after ``header`` in a cache file that is this user's alone, else None.

    A file that is missing, unreadable, not the user's own or writable by others, or that
    starts otherwise (another Python's, another format's) is as good as none.
    """
    try:
        with path.open("rb") as file:
            if not _own_and_private(os.fstat(file.fileno())):
                return None  # code anyone else could have written is not run
            data = file.read()
    except OSError:
        return None
    return data[len(header) :] if data.startswith(header) else None


def hold_writes() -> None:
    """Write no cache file from now on, in this process (``write_private`` declines): for a
    command refused at the door, which leaves nothing behind (``lishi-tui view`` without a
    terminal)."""
    global _writes_held
    _writes_held = True


def write_private(path: Path, data: bytes) -> bool:
    """Replace the cache file at ``path`` with ``data`` in one step (a reader sees the old
    file or the new one, never part of one); False, with the old file kept, on any trouble
    (a read-only home, a full disk) or once ``hold_writes`` was called."""
    if _writes_held:
        return False
    import tempfile  # only when there is something to write

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # made 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    return True


def read_table(path: Path, header: bytes) -> dict[Any, Any]:
    """The marshalled dict in a private cache file (``read_private``); {} if there is none
    or it is damaged. Callers keep only the entries of the types they wrote."""
    data = read_private(path, header)
    if data is None:
        return {}
    try:
        table = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}


def write_table(
    path: Path, header: bytes, known: dict[Any, Any], used: list[Any], max_entries: int
) -> bool:
    """Write ``known`` marshalled after ``header`` (``write_private``); past ``max_entries``
    only the entries this process ``used``, so that stale ones do not pile up."""
    table = known if len(known) <= max_entries else {k: known[k] for k in used if k in known}
    try:
        data = marshal.dumps(table)
    except (ValueError, TypeError):  # an entry marshal cannot write: the old file is kept
        return False
    return write_private(path, header + data)


def _own_and_private(st: os.stat_result) -> bool:
    """The file is this user's and nobody else may write it (as ssh asks of its keys)."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's cache folder is the user's
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


class KeptTable(Generic[K, V]):
    """``get`` and ``put`` answer from memory; the file is read once and written on save."""

    def __init__(
        self,
        kind: str,
        header: bytes,
        max_entries: int,
        entry_ok: Callable[[object, object], bool],
    ) -> None:
        self.kind = kind  # the file's name: <kind>.<python tag>.marshal
        self.header = header
        self.max_entries = max_entries  # what a save keeps at most (see write_table)
        self.max_in_memory = 2 * max_entries  # what a run keeps at most (see put)
        self.entry_ok = entry_ok  # which read entries are of the types this table writes
        self.known: dict[K, V] = {}
        self.used: set[K] = set()
        self.path: Path | None = None
        self.new = 0  # entries made (not found kept) since the file was read or saved

    @property
    def installed(self) -> bool:
        return self.path is not None

    def install(self, path: Path | None = None) -> bool:
        """Read the kept table and save it at exit; False if it was installed already."""
        if self.path is not None:
            return False
        self.path = path if path is not None else cache_file(self.kind, "marshal")
        table = read_table(self.path, self.header)
        self.known.update({k: v for k, v in table.items() if self.entry_ok(k, v)})
        atexit.register(self.save)
        return True

    def uninstall(self) -> None:
        self.known.clear()
        self.used.clear()
        self.path = None
        self.new = 0

    def get(self, key: K) -> V | None:
        value = self.known.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value``; past ``max_in_memory`` (twice ``max_entries``) nothing more is
        kept, so that a long run making new keys all along (a pattern compiled from changing
        text) cannot grow the table without bound."""
        if len(self.known) >= self.max_in_memory and key not in self.known:
            return
        self.known[key] = value
        self.used.add(key)
        self.new += 1

    def save(self) -> bool:
        """Write the table if something was made since it was read; True if written."""
        if self.path is None or self.new == 0 or sys.dont_write_bytecode:
            return False
        # Copies: another thread (a config reload, a plugin's hook) may add meanwhile.
        known, used = dict(self.known), list(self.used)
        if not write_table(self.path, self.header, known, used, self.max_entries):
            return False
        self.new = 0
        return True
