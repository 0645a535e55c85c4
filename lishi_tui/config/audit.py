"""The config audit trail in the store: who changed which key, when, from where, old and new."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

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


def history(store: Store, *, key_prefix: str = "", limit: int = 200) -> list[AuditEntry]:
    """The newest changes first; ``key_prefix`` (e.g. ``indicators.gdp``) narrows them."""
    store.ensure(AUDIT)
    rows = store.query(
        "SELECT at, who, origin, file, key, old, new FROM config_audit"
        " WHERE key = ? OR key LIKE ? OR ? = ''"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (key_prefix, key_prefix + ".%", key_prefix, limit),
    )
    return [
        AuditEntry(read_time(at), str(who), Origin(origin), str(f), str(k), old, new)
        for at, who, origin, f, k, old, new in rows
    ]


def now() -> datetime:
    return datetime.now(UTC)


__all__ = ["AUDIT", "AuditEntry", "Origin", "history", "now", "record"]
