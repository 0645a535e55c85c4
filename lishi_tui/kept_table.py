"""One table of work done once and kept between runs, in a private file of the user's cache
(issue 16): what the TOML and regular-expression caches share.

A table maps a key to what was made of it (tomllib's tables for a text, the compiled code
of a pattern). ``install`` reads the file (``dataclass_cache.read_table``: only a file that
is the user's own and nobody else may write, since what is in it is run or unpickled);
``save`` writes it back when something new was made, keeping only what this process used
once it has grown past ``max_entries``. Nothing is written when Python is told not to write
bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``), as for the other caches.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from lishi_tui.dataclass_cache import cache_file, read_table, write_table

K = TypeVar("K")
V = TypeVar("V")


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
        self.max_entries = max_entries
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
        """Keep ``value``; past twice ``max_entries`` nothing more is kept, so that a long
        run making new keys all along (a pattern compiled from changing text) cannot grow
        the table without bound."""
        if len(self.known) >= 2 * self.max_entries and key not in self.known:
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
