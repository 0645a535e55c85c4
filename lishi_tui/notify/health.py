"""Each channel's last delivery outcome in the store, so every viewer's plugins screen sees it.

The process that delivers (the collector) calls :func:`save_health` after
``deliver_all``; a dashboard, in whichever process, reads :func:`load_health`. Error
texts are stored as ``deliver_all`` gave them: already redacted, never a secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from lishi_tui.notify.api import ChannelHealth
from lishi_tui.store.base import Store
from lishi_tui.store.schema import Migration, Schema
from lishi_tui.store.sql import read_time

HEALTH_SCHEMA = Schema(
    "notify",
    [
        Migration(
            "notifier health",
            """
        CREATE TABLE notifier_health (
            notifier_id     TEXT PRIMARY KEY,
            type            TEXT NOT NULL,
            ok              {bool} NOT NULL,
            error           TEXT,
            attempts        INTEGER NOT NULL,
            at              {time} NOT NULL,
            failures_in_row INTEGER NOT NULL,
            last_ok_at      {time}
        )
    """,
        ),
    ],
)

_COLUMNS = "notifier_id, type, ok, error, attempts, at, failures_in_row, last_ok_at"


def save_health(store: Store, healths: Iterable[ChannelHealth]) -> None:
    """Record each channel's latest outcome (one row per channel, replaced each time)."""
    rows = list(healths)
    if not rows:
        return
    store.ensure(HEALTH_SCHEMA)
    with store.transaction("notifier_health") as tx:
        for h in rows:
            tx.execute(
                f"INSERT INTO notifier_health ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (notifier_id) DO UPDATE SET type = excluded.type, "
                "ok = excluded.ok, error = excluded.error, attempts = excluded.attempts, "
                "at = excluded.at, failures_in_row = excluded.failures_in_row, "
                "last_ok_at = excluded.last_ok_at",
                (
                    h.notifier_id,
                    h.type,
                    h.ok,
                    h.error,
                    h.attempts,
                    h.at,
                    h.failures_in_row,
                    h.last_ok_at,
                ),
            )


def load_health(store: Store) -> dict[str, ChannelHealth]:
    """Every channel's latest recorded outcome, by notifier id."""
    store.ensure(HEALTH_SCHEMA)
    out: dict[str, ChannelHealth] = {}
    for row in store.query(f"SELECT {_COLUMNS} FROM notifier_health ORDER BY notifier_id"):
        nid, type_, ok, error, attempts, at, failures, last_ok = row
        out[nid] = ChannelHealth(
            notifier_id=nid,
            type=type_,
            ok=bool(ok),
            error=error,
            attempts=int(attempts),
            at=read_time(at),
            failures_in_row=int(failures),
            last_ok_at=read_time(last_ok) if last_ok is not None else None,
        )
    return out
