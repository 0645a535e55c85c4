"""The config audit trail in the store: who changed which key, when, from where, old and new."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from lishi_tui.config.lines import KeyPath, format_key_path
from lishi_tui.store.schema import Migration, Schema
from lishi_tui.store.sql import read_time

if TYPE_CHECKING:
    from lishi_tui.store.base import Store


class Origin(StrEnum):
    """Where a change came from."""

    DASHBOARD = "dashboard"
    CLI = "cli"
    FILE = "file"  # an edit of the file noticed by a reload


AUDIT = Schema(
    "config_audit",
    [
        Migration(
            "config audit log",
            """
        CREATE TABLE config_audit (
            id      {id},
            at      {time} NOT NULL,
            who     TEXT NOT NULL,
            origin  TEXT NOT NULL,
            file    TEXT NOT NULL,
            key     TEXT NOT NULL,
            old     TEXT,
            new     TEXT
        );
        CREATE INDEX config_audit_at ON config_audit (at DESC, id DESC)
    """,
        ),
    ],
)


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change; ``old``/``new`` are TOML text, None where the key was absent."""

    at: datetime
    who: str
    origin: Origin
    file: str
    key: str
    old: str | None
    new: str | None


def record(store: Store, entries: Sequence[AuditEntry]) -> None:
    """Add changes to the trail, in one transaction."""
    if not entries:
        return
    store.ensure(AUDIT)
    with store.transaction("config_audit") as tx:
        for e in entries:
            tx.execute(
                "INSERT INTO config_audit (at, who, origin, file, key, old, new)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (e.at, e.who, e.origin.value, e.file, e.key, e.old, e.new),
            )


# How long after a watching process recorded a file edit the edit's own record may still
# arrive (the editor writes the file, then opens the store and records who it was).
SAME_EDIT_WINDOW = timedelta(minutes=1)


def record_edits(store: Store, entries: Sequence[AuditEntry]) -> None:
    """Record changes made through lishi-tui (``config set``, ``config annotate``, the
    dashboard). A process watching the file may have noticed the change first and recorded
    it as a file edit; such rows (origin ``file``, the same file, within
    ``SAME_EDIT_WINDOW``, giving the same values at this key or under it) are replaced by
    this entry, which knows who made the change and from where."""
    if not entries:
        return
    from lishi_tui.config.edit import parse_key

    store.ensure(AUDIT)
    with store.transaction("config_audit") as tx:
        for e in entries:
            path = parse_key(e.key)
            rows = tx.query(
                "SELECT id, at, key, new FROM config_audit WHERE file = ? AND origin = ?"
                " ORDER BY id DESC LIMIT 200",
                (e.file, Origin.FILE.value),
            )
            for row_id, at, key, new in rows:
                if read_time(at) < e.at - SAME_EDIT_WINDOW:
                    continue
                try:
                    under = parse_key(str(key))
                except ValueError:
                    continue
                same = _value_at(e.new, under[len(path) :]) == _value_at(new, ())
                if under[: len(path)] == path and same:
                    tx.execute("DELETE FROM config_audit WHERE id = ?", (row_id,))
            tx.execute(
                "INSERT INTO config_audit (at, who, origin, file, key, old, new)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (e.at, e.who, e.origin.value, e.file, e.key, e.old, e.new),
            )


def history(
    store: Store, *, key_prefix: str = "", limit: int = 200, create: bool = True
) -> list[AuditEntry]:
    """The newest changes first; ``key_prefix`` (e.g. ``indicators.gdp``) narrows them.

    ``create=False`` for readers that must write nothing (a viewer's detail screen): a
    database without the table yet has no history, and it is not created for the asking.
    """
    if create:
        store.ensure(AUDIT)
    else:
        with store.read() as tx:
            if not tx.dialect.table_exists(tx, "config_audit"):
                return []
    rows = store.query(
        "SELECT at, who, origin, file, key, old, new FROM config_audit"
        " WHERE key = ? OR key LIKE ? OR key LIKE ? OR ? = ''"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (key_prefix, key_prefix + ".%", key_prefix + "[%", key_prefix, limit),
    )
    # LIKE reads "_" as any one character: keep only the keys truly under the prefix.
    return [
        AuditEntry(read_time(at), str(who), Origin(origin), str(f), str(k), old, new)
        for at, who, origin, f, k, old, new in rows
        if not key_prefix
        or k == key_prefix
        or str(k).startswith((key_prefix + ".", key_prefix + "["))
    ]


def record_file_edits(store: Store, entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Record the changes a reload noticed in the file, except those the trail already
    has: a ``config set`` or a dashboard edit is recorded by whoever made it, and every
    process that watches the file then sees the same change again. A change is already
    recorded when the newest entry for that file at its key, or at a table or array item
    it lies in (an added annotation), gives it the same new value. Returns what was added."""
    if not entries:
        return []
    store.ensure(AUDIT)
    fresh = [e for e in entries if not _already_recorded(store, e)]
    record(store, fresh)
    return fresh


def _already_recorded(store: Store, entry: AuditEntry) -> bool:
    from lishi_tui.config.edit import parse_key

    try:
        path = parse_key(entry.key)
    except ValueError:
        return False
    candidates = [format_key_path(path[:n]) for n in range(len(path), 0, -1)]
    rows = store.query(
        "SELECT key, new FROM config_audit WHERE file = ? AND key IN"
        f" ({', '.join('?' * len(candidates))}) ORDER BY at DESC, id DESC LIMIT 1",
        (entry.file, *candidates),
    )
    if not rows:
        return False
    key, new = rows[0]
    inner = path[len(parse_key(str(key))) :]
    return _value_at(new, inner) == _value_at(entry.new, ())


def _value_at(text: str | None, inner: KeyPath) -> object:
    """The value the TOML text ``text`` holds at ``inner`` (None: absent or unreadable)."""
    if text is None:
        return None
    try:
        value: object = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    for part in inner:
        in_list = isinstance(part, int) and isinstance(value, list) and part < len(value)
        in_table = isinstance(part, str) and isinstance(value, dict) and part in value
        if not (in_list or in_table):
            return None
        value = value[part]  # type: ignore[index]
    return value


def now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "AUDIT",
    "SAME_EDIT_WINDOW",
    "AuditEntry",
    "Origin",
    "history",
    "now",
    "record",
    "record_edits",
    "record_file_edits",
]
