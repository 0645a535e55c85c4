"""LISTEN/NOTIFY on a real PostgreSQL: a commit wakes a viewer's watcher without polling; fallbacks."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.app import watcher as watcher_module
from lishi_tui.app.watcher import StoreWatcher
from lishi_tui.store.notify import announce_commits, listener_for, probe
from lishi_tui.store.sqlite import SqliteStore

WAIT_S = 20.0  # a bound on a wait that should end at once; never a timing claim


@pytest.mark.postgres
def test_a_commit_in_one_process_wakes_another_processes_listener(pg_schema_dsn: str) -> None:
    from lishi_tui.store.postgres import PostgresStore

    writer, reader = PostgresStore(pg_schema_dsn), PostgresStore(pg_schema_dsn)
    try:
        assert announce_commits(writer)
        listener = listener_for(reader)
        assert listener is not None
        assert not listener.wait(0.1)  # nothing committed yet
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))
        assert listener.wait(WAIT_S)
        listener.close()
    finally:
        writer.close()
        reader.close()


@pytest.mark.postgres
def test_the_watcher_sleeps_in_listen_and_wakes_on_notify(
    pg_schema_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lishi_tui.store.postgres import PostgresStore

    # Polling could not explain a wake-up: the fallback look is an hour away.
    monkeypatch.setattr(watcher_module, "LISTEN_FALLBACK_S", 3600.0)
    writer, reader = PostgresStore(pg_schema_dsn), PostgresStore(pg_schema_dsn)
    assert announce_commits(writer)
    woken = threading.Event()
    looks = 0

    def version() -> int:
        nonlocal looks
        looks += 1
        return real_version()

    real_version = reader.version
    monkeypatch.setattr(reader, "version", version)
    watcher = StoreWatcher(reader, 3600.0, woken.set, alive=lambda: True)
    watcher.start()
    try:
        for _ in range(200):
            if watcher.listening:
                break
            threading.Event().wait(0.05)
        assert watcher.listening
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))
        assert woken.wait(WAIT_S)
        assert looks == 1  # one look, the one the notification asked for
    finally:
        watcher.stop()
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))  # wakes it to see stop()
        watcher._thread.join(WAIT_S)
        writer.close()
        reader.close()


def test_sqlite_has_no_listener_and_announces_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "lishi.db")
    try:
        assert listener_for(store) is None
        assert not announce_commits(store)
    finally:
        store.close()


class NoListenServer:
    """A connection to a PostgreSQL-compatible server without LISTEN (cannot be run here)."""

    def execute(self, statement: object) -> None:
        raise RuntimeError("syntax error at or near LISTEN")

    def notifies(self, **_: object) -> list[object]:
        raise AssertionError("never reached")


class SilentServer:
    """One that accepts LISTEN and NOTIFY and never delivers."""

    def execute(self, statement: object) -> None:
        return None

    def notifies(self, **_: object) -> list[object]:
        return []


def test_a_server_without_listen_or_that_never_delivers_means_polling() -> None:
    assert not probe(NoListenServer(), "lishi_commits_public")
    assert not probe(SilentServer(), "lishi_commits_public")
