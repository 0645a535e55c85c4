"""A commit wakes a viewer's watcher without polling: LISTEN/NOTIFY on a real PostgreSQL, file
events on SQLite; the fallbacks."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from lishi_tui.app import watcher as watcher_module
from lishi_tui.app.watcher import StoreWatcher
from lishi_tui.store import file_watch
from lishi_tui.store.file_watch import FileCommitListener
from lishi_tui.store.notify import announce_commits, listener_for, probe
from lishi_tui.store.sqlite import SqliteStore
from tests.support.waiting import wait_for

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


def test_sqlite_announces_nothing_and_listens_to_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LISHI_TUI_NO_NOTIFY", raising=False)
    store = SqliteStore(tmp_path / "lishi.db")
    try:
        assert not announce_commits(store)
        listener = listener_for(store)
        assert isinstance(listener, FileCommitListener)
        listener.close()
        monkeypatch.setenv("LISHI_TUI_NO_NOTIFY", "1")
        assert listener_for(store) is None  # turned off by hand: polling
    finally:
        store.close()


def test_a_sqlite_file_listener_wakes_on_its_files_only_then_looks_a_few_times_more(
    tmp_path: Path,
) -> None:
    writer = SqliteStore(tmp_path / "h.db")
    listener = file_watch.file_listener(tmp_path / "h.db", interval=0.001)
    assert listener is not None
    try:
        assert not listener.wait(0)  # nothing written
        for n in range(5):
            (tmp_path / "other.log").write_text(str(n))  # another file of the folder
        assert not listener.wait(0)
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))  # a commit
        assert listener.wait(WAIT_S)
        assert listener.events >= 1
        # An event may come before its commit is visible: a few more looks, then sleep.
        follow_ups = [listener.wait(0) for _ in range(file_watch.FOLLOW_UP_LOOKS)]
        assert follow_ups == [True] * file_watch.FOLLOW_UP_LOOKS
        assert not listener.wait(0)
    finally:
        listener.close()
        writer.close()


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


def test_a_sqlite_watcher_sleeps_until_the_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Polling could not explain a wake-up: the fallback look is an hour away.
    monkeypatch.setattr(watcher_module, "LISTEN_FALLBACK_S", 3600.0)
    monkeypatch.delenv("LISHI_TUI_NO_NOTIFY", raising=False)
    writer, reader = SqliteStore(tmp_path / "h.db"), SqliteStore(tmp_path / "h.db")
    woken = threading.Event()
    watcher = StoreWatcher(reader, 0.01, woken.set, alive=lambda: True)
    watcher.start()
    try:
        wait_for(lambda: watcher.listening, what="the watcher listening")
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))
        wait_for(woken.is_set, what="woken by the commit")
    finally:
        watcher.stop()
        writer.heartbeat(os.getpid(), "test", datetime.now(UTC))  # wakes it to see stop()
        watcher._thread.join(WAIT_S)
        writer.close()
        reader.close()


def test_a_watcher_beside_its_collector_looks_once_per_own_commit_and_not_at_file_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Polling could not explain a look: the fallback look is an hour away.
    monkeypatch.setattr(watcher_module, "LISTEN_FALLBACK_S", 3600.0)
    monkeypatch.delenv("LISHI_TUI_NO_NOTIFY", raising=False)
    store = SqliteStore(tmp_path / "h.db")
    told: list[int] = []

    def on_change() -> bool:
        told.append(watcher.looks)
        return False  # nothing posted: nothing to wait for

    watcher = StoreWatcher(store, 0.01, on_change, alive=lambda: True, own_writes=True)
    watcher.start()
    try:
        wait_for(lambda: len(told) == 1, what="the first look")
        assert isinstance(watcher._listener, watcher_module.OwnCommitListener)
        for n in range(3):
            store.heartbeat(os.getpid(), "test", datetime.now(UTC))  # several file writes each
            wait_for(partial(lambda n: len(told) == n + 2, n), what="the look after the commit")
        # One look per commit: no look per file event, no follow-up looks.
        assert watcher.looks == 4
        assert watcher._listener.commits == 3
    finally:
        watcher.stop()  # wakes it: no commit is needed to end it
        watcher._thread.join(WAIT_S)
        assert not watcher._thread.is_alive()
        store.close()
    assert store._after_commit == []  # the hook went with the watcher


def test_a_commit_skipped_while_a_notice_was_in_flight_is_looked_at_when_it_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher_module, "LISTEN_FALLBACK_S", 3600.0)
    monkeypatch.delenv("LISHI_TUI_NO_NOTIFY", raising=False)
    store = SqliteStore(tmp_path / "h.db")
    notices: list[int] = []

    def on_change() -> bool:
        notices.append(store.version())
        return True  # posted: the next notice waits for delivered()

    watcher = StoreWatcher(store, 0.01, on_change, alive=lambda: True, own_writes=True)
    watcher.start()
    try:
        wait_for(lambda: len(notices) == 1, what="the first notice")
        store.heartbeat(os.getpid(), "test", datetime.now(UTC))  # the notice is still in flight
        wait_for(lambda: watcher.looks == 2, what="the look after the commit")
        assert len(notices) == 1
        watcher.delivered()  # the app took the first: the skipped commit is looked at now
        wait_for(lambda: len(notices) == 2, what="the skipped commit's notice")
        assert notices[1] == store.version()
    finally:
        watcher.stop()
        watcher._thread.join(WAIT_S)
        store.close()
