"""Watching the store off the UI thread, so that an idle dashboard does no UI work at all."""

from __future__ import annotations

import threading
from collections.abc import Callable

from lishi_tui.store.base import Store
from lishi_tui.store.file_watch import FileCommitListener
from lishi_tui.store.notify import CommitListener, listener_for

Listener = CommitListener | FileCommitListener

# With LISTEN (or SQLite's file events), the thread still asks version() this often: the
# fallback should a notification be lost, and how soon the thread sees stop() or the app
# leaving.
LISTEN_FALLBACK_S = 1.0


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
    """

    def __init__(
        self,
        store: Store,
        interval: float,
        on_change: Callable[[], object],
        alive: Callable[[], bool],
    ) -> None:
        self.store = store
        self.interval = interval
        self.on_change = on_change
        self.alive = alive
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

    def delivered(self) -> None:
        """The app took the last change notice: post the next change."""
        self._posted.clear()

    def _run(self) -> None:
        listener = listener_for(self.store, self.interval)
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
            try:
                version = self.store.version()
            except Exception:  # a closed or busy store: the app reports store errors itself
                continue
            if version != seen and not self._posted.is_set():
                seen = version
                self._posted.set()
                if not self.on_change():
                    self._posted.clear()  # nothing posted: nothing to wait for
