"""The stored latest rows a store's batched writes looked up, kept for its next batch while
nothing else commits: a collector's later run of unchanged figures then reads none of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lishi_tui.store.rows import Key

Current = tuple[Any, int, tuple[Any, ...], bool]  # row id, revision, compared values, demo

# A bound on the rows kept (about 200 bytes each); past it they are dropped and read again.
MAX_KEPT = 100_000


class KeptCurrent:
    """Each key's stored latest row as read by ``SqlStore.write_runs``, valid only while the
    database's version (``Dialect.version``: every commit of any connection moves it) is
    the one this store's own last batch left.

    ``start`` (inside the next write transaction, under the writer lock) forgets them all
    when anything else committed meanwhile, and until ``keep`` (given the version the
    batch's commit leaves) nothing kept counts as valid: a batch that rolls back leaves
    nothing behind. A key the batch writes is forgotten as it is planned and kept again
    once its new row is inserted, with the id the insert gave back (``WriteBatch.send``;
    where the backend gives none, it is read again next time).
    """

    def __init__(self) -> None:
        self.rows: dict[Key, Current] = {}
        self._at: int | None = None  # the version the rows are valid at; None: not valid

    def start(self, version: int) -> None:
        if self._at is None or version != self._at or len(self.rows) > MAX_KEPT:
            self.rows.clear()
        self._at = None

    def split(self, keys: Sequence[Key]) -> tuple[dict[Key, Current], list[Key]]:
        """The kept rows of ``keys``, and the keys to read."""
        rows = self.rows
        found = {k: rows[k] for k in keys if k in rows}
        return found, [k for k in keys if k not in found] if len(found) < len(keys) else []

    def add(self, read: dict[Key, Current]) -> None:
        self.rows.update(read)

    def forget(self, keys: Iterable[Key]) -> None:
        rows = self.rows
        for key in keys:
            rows.pop(key, None)

    def keep(self, version: int) -> None:
        """The batch committed, leaving the database at ``version``."""
        self._at = version


__all__ = ["MAX_KEPT", "Current", "KeptCurrent"]
