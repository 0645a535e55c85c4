"""Watching the store off the UI thread, so that an idle dashboard does no UI work at all."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from lishi_tui.store.base import Store
from lishi_tui.store.file_watch import FileCommitListener
from lishi_tui.store.notify import CommitListener, listener_for

# With LISTEN (or SQLite's file events), the thread still asks version() this often: the
# fallback should a notification be lost, and how soon the thread sees stop() or the app
# leaving.
LISTEN_FALLBACK_S = 1.0


class OwnCommitListener:
    """Wakes on this process's own commits to ``store`` (an after-commit hook), for a
    dashboard whose collector runs in the same process and writes through the same store.

    That collector holds the database's collector lock, so nearly every commit is its
    own: told directly, the watcher looks once per commit, right after it, instead of
    being woken by each of the file writes a commit makes and looking again twice in
    case the commit was not yet visible (``lishi_tui.store.file_watch``). Another
    process's commit (an ack from the command line, a `fetch --once`) is seen by the
    watcher's fallback look, at most ``LISTEN_FALLBACK_S`` later. Same duck type as the
    other listeners: ``wait`` and ``close``.
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self._event = threading.Event()
        self.commits = 0  # commits told (tests read it)
        store.add_commit_hook(self._committed)

    def _committed(self, _tx: object) -> None:
        self.commits += 1
        self._event.set()

    def kick(self) -> None:
        """Look now (a change skipped while the last one was in flight)."""
        self._event.set()

    def wait(self, timeout: float) -> bool:
        woke = self._event.wait(timeout)
        # Cleared before the caller reads version(): a commit from here on wakes the next wait.
        self._event.clear()
        return woke

    def close(self) -> None:
        remove = getattr(self._store, "remove_commit_hook", None)
        if remove is not None:
            remove(self._committed)


def own_commit_listener(store: Store) -> OwnCommitListener | None:
    """An ``OwnCommitListener`` for a SQLite store that runs commit hooks; None otherwise
    (PostgreSQL's LISTEN already wakes once per commit, of any process)."""
    if os.environ.get("LISHI_TUI_NO_NOTIFY"):
        return None
    if getattr(getattr(store, "dialect", None), "name", None) != "sqlite":
        return None
    if not hasattr(store, "add_commit_hook"):
        return None
    return OwnCommitListener(store)


Listener = CommitListener | FileCommitListener | OwnCommitListener


class StoreWatcher:
    """Asks the store every ``interval`` seconds whether anything was committed, and calls
    ``on_change`` (from its own thread) only when something was.

    ``Store.version()`` is a single cheap query, so this costs microseconds a tick; the
    dashboard's event loop wakes only when ``on_change`` posts to it (it returns a true
    value when it did: the next change is handed over only after ``delivered()``). The
    thread ends when ``alive()`` turns false or ``stop()`` is called.

    On PostgreSQL with LISTEN/NOTIFY (``lishi_tui.store.notify``) the thread instead
    sleeps until a commit is announced, and asks ``version()`` then, or once a second;
    on SQLite under Linux it sleeps until the database file is written
    (``lishi_tui.store.file_watch``), so an idle dashboard's watcher wakes once a second.
    With ``own_writes`` (the collector runs in this process, through this store) it is
    woken by this process's own commits instead (``OwnCommitListener``).
    """

    def __init__(
        self,
        store: Store,
        interval: float,
        on_change: Callable[[], object],
        alive: Callable[[], bool],
        *,
        own_writes: bool = False,
    ) -> None:
        self.store = store
        self.interval = interval
        self.on_change = on_change
        self.alive = alive
        self.own_writes = own_writes
        self.looks = 0  # version() reads (tests read it)
        self._listener: Listener | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lishi-store-watcher", daemon=True)
        self.listening = False  # True while woken by NOTIFY rather than polling
        # At most one change notice in flight: an app whose loop is stuck (a terminal that
        # is not read) must not pile up one message per commit while it cannot run.
        self._posted = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if isinstance(self._listener, OwnCommitListener):
            self._listener.kick()  # no commit may come to wake it

    def delivered(self) -> None:
        """The app took the last change notice: post the next change."""
        self._posted.clear()
        listener = self._listener
        if isinstance(listener, OwnCommitListener):
            # A commit made while that notice was in flight was skipped, and no file
            # event will come to bring it: one more look (a version() read) sees it.
            listener.kick()

    def _run(self) -> None:
        listener: Listener | None = own_commit_listener(self.store) if self.own_writes else None
        if listener is None:
            listener = listener_for(self.store, self.interval)
        self._listener = listener
        try:
            self._watch(listener)
        finally:
            if listener is not None:
                listener.close()

    def _sleep(self, listener: Listener | None, fallback: float) -> tuple[bool, Listener | None]:
        """Wait for the next look; (False, _) once stopped. A listener that fails is
        dropped for polling."""
        if listener is not None:
            try:
                listener.wait(fallback)
                return not self._stop.is_set(), listener
            except Exception:
                listener.close()
                self.listening = False
                return not self._stop.is_set(), None
        return not self._stop.wait(self.interval), None

    def _watch(self, listener: Listener | None) -> None:
        seen: int | None = None
        self.listening = listener is not None
        # The first look comes at most one interval after the start (the alerts and the
        # collector's heartbeat are read then), later ones when the listener says so.
        fallback = self.interval
        while True:
            going, listener = self._sleep(listener, fallback)
            fallback = LISTEN_FALLBACK_S
            if not going or not self.alive():
                return
            self._listener = listener
            self.looks += 1
            try:
                version = self.store.version()
            except Exception:  # a closed or busy store: the app reports store errors itself
                continue
            if version != seen and not self._posted.is_set():
                seen = version
                self._posted.set()
                if not self.on_change():
                    self._posted.clear()  # nothing posted: nothing to wait for
