"""PostgreSQL LISTEN/NOTIFY: every write transaction announces its commit, viewers wake on it.

A viewer on SQLite sleeps until the database file is written (inotify:
``lishi_tui.store.file_watch``), then asks ``store.version()`` (a microsecond query on a
local file); without inotify it asks every refresh. Over a network, against PostgreSQL,
asking is a round trip per viewer per tick; instead each write transaction sends ``NOTIFY`` just before COMMIT (PostgreSQL
delivers it exactly when the data becomes visible) and each viewer's watcher thread
sleeps in ``LISTEN`` until one arrives. The channel is named after the tables' schema,
so two deployments in one database do not wake each other.

Some PostgreSQL-compatible servers lack LISTEN/NOTIFY, or accept the statements and
never deliver. Both ends therefore check once that a notification really arrives
(:func:`probe`), and otherwise fall back: writers send nothing, viewers poll.
``LISHI_TUI_NO_NOTIFY=1`` turns notifications (and SQLite's file events) off by hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from lishi_tui.store.base import Store
from lishi_tui.store.file_watch import FileCommitListener, file_listener

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "lishi_commits"
PROBE_TIMEOUT_S = 2.0


def _dsn(store: Store) -> str | None:
    """The store's PostgreSQL DSN, or None for any other backend (or with
    ``LISHI_TUI_NO_NOTIFY`` set: notifications off, everyone polls)."""
    if os.environ.get("LISHI_TUI_NO_NOTIFY"):
        return None
    dialect = getattr(store, "dialect", None)
    if getattr(dialect, "name", None) != "postgres":
        return None
    dsn = getattr(store, "dsn", None)
    return dsn if isinstance(dsn, str) else None


def channel_of(conn: Any) -> str:
    row = conn.execute("SELECT current_schema()").fetchone()
    schema = str(row[0]) if row and row[0] else "public"
    return f"{CHANNEL_PREFIX}_{schema}"[:63]  # PostgreSQL truncates identifiers at 63 bytes


def _listen(conn: Any, channel: str) -> None:
    from psycopg import sql

    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))


def _notify_sql(channel: str) -> str:
    return "NOTIFY " + '"' + channel.replace('"', '""') + '"'


def probe(conn: Any, channel: str) -> bool:
    """LISTEN on ``conn``, NOTIFY to itself, and see the notification arrive."""
    try:
        _listen(conn, channel)
        conn.execute(_notify_sql(channel))
        return any(True for _ in conn.notifies(timeout=PROBE_TIMEOUT_S, stop_after=1))
    except Exception as exc:  # a server without LISTEN/NOTIFY: poll instead
        log.info("no LISTEN/NOTIFY (%s): falling back to polling", exc)
        return False


def announce_commits(store: Store) -> bool:
    """Make every write transaction of ``store`` send NOTIFY before COMMIT, if it is a
    PostgreSQL store whose server delivers notifications. True if installed."""
    dsn = _dsn(store)
    if dsn is None:
        return False
    import psycopg

    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            channel = channel_of(conn)
            if not probe(conn, channel):
                return False
    except psycopg.Error as exc:
        log.info("cannot check LISTEN/NOTIFY (%s): not announcing commits", exc)
        return False
    statement = _notify_sql(channel)

    def notify(tx: Any) -> None:
        tx.execute(statement)

    add_hook = getattr(store, "add_commit_hook", None)
    if add_hook is None:
        return False
    add_hook(notify, before=True)
    return True


class CommitListener:
    """A connection of its own, LISTENing for the store's commits."""

    def __init__(self, conn: Any, channel: str) -> None:
        self._conn = conn
        self.channel = channel

    def wait(self, timeout: float) -> bool:
        """Block until a commit is announced (True) or ``timeout`` seconds pass (False).
        Raises if the connection is lost: the caller falls back to polling."""
        return any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()


def listener_for(store: Store, interval: float = 0.1) -> CommitListener | FileCommitListener | None:
    """A listener for ``store``'s commits, or None where polling must do (a server that
    does not deliver notifications, SQLite without inotify). ``interval``: how soon after
    a SQLite file event to look again (see ``lishi_tui.store.file_watch``)."""
    if os.environ.get("LISHI_TUI_NO_NOTIFY"):
        return None
    path = getattr(store, "path", None)
    if getattr(getattr(store, "dialect", None), "name", None) == "sqlite" and path:
        return file_listener(Path(path), interval)
    dsn = _dsn(store)
    if dsn is None:
        return None
    import psycopg

    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.Error as exc:
        log.info("no listener connection (%s): polling", exc)
        return None
    try:
        channel = channel_of(conn)
        if probe(conn, channel):
            return CommitListener(conn, channel)
    except psycopg.Error as exc:
        log.info("no listener (%s): polling", exc)
    conn.close()
    return None


__all__ = ["CommitListener", "announce_commits", "listener_for", "probe"]
