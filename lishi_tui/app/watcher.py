"""Watching the store off the UI thread, so that an idle dashboard does no UI work at all."""

from __future__ import annotations

import threading
from collections.abc import Callable

from lishi_tui.store.base import Store


class StoreWatcher:
    """Asks the store every ``interval`` seconds whether anything was committed, and calls
    ``on_change`` (from its own thread) only when something was.

    ``Store.version()`` is a single cheap query, so this costs microseconds a tick; the
    dashboard's event loop wakes only for real changes. The thread ends when ``alive()``
    turns false or ``stop()`` is called.
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

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        seen: int | None = None
        while not self._stop.wait(self.interval) and self.alive():
            try:
                version = self.store.version()
            except Exception:  # a closed or busy store: the app reports store errors itself
                continue
            if version != seen:
                seen = version
                self.on_change()
