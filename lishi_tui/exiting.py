"""Ending the process without waiting for threads a plugin left running."""

from __future__ import annotations

import contextlib
import os
import sys
import threading


def lingering_threads() -> list[threading.Thread]:
    """Live non-daemon threads other than the main one: what the interpreter would wait for."""
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]


def leave(code: int) -> int:
    """``code``, for ``sys.exit``; or, when a plugin's non-daemon thread would keep the
    interpreter from exiting, flush the output and end the process now.

    The store is closed and the collector lock released before this is called, so ending
    without the interpreter's own shutdown loses nothing.
    """
    if not lingering_threads():
        return code
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
