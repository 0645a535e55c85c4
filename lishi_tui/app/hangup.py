"""The dashboard ends when its terminal goes, even when its event loop is stuck writing to it.

A viewer whose link stalled has a full terminal: Textual's output thread waits in
``write``, its queue of 30 frames fills, and the event loop then waits too, inside
``queue.put``. A handler installed with ``loop.add_signal_handler`` only runs when the
loop gets back control, which it never does: the process would outlive the session.

So two things start the watchdog (the process ends ``grace_s`` later unless it already
has), each without needing the loop, and then ask the loop to leave cleanly:

- SIGHUP, through a plain ``signal.signal`` handler: it runs in the main thread even
  there (a blocked lock wait is interrupted to run it);
- the terminal itself hanging up (the pty's other end closed: sshd's session ended),
  seen by a thread that polls the terminal for POLLHUP, however the signal was routed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import threading
from collections.abc import Callable
from types import FrameType

HANGUP_EVENTS = select.POLLHUP | select.POLLERR


def install(leave: Callable[[], None], *, grace_s: float, code: int, fd: int = 0) -> None:
    """On SIGHUP or a hung-up terminal ``fd``: end the process with ``code`` after
    ``grace_s``, and call ``leave()`` on the running loop for a clean exit before that."""
    loop = asyncio.get_running_loop()
    started = threading.Lock()

    def hang_up() -> None:
        if not started.acquire(blocking=False):
            return  # once is enough
        watchdog = threading.Timer(grace_s, os._exit, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        with contextlib.suppress(RuntimeError):  # the loop already closed: the watchdog ends it
            loop.call_soon_threadsafe(leave)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        hang_up()

    # No SIGHUP on Windows; no handler outside the main thread.
    with contextlib.suppress(AttributeError, ValueError):
        signal.signal(signal.SIGHUP, on_signal)
    if hasattr(select, "poll") and os.isatty(fd):
        threading.Thread(
            target=_watch_terminal, args=(fd, hang_up), name="lishi-hangup", daemon=True
        ).start()


def _watch_terminal(fd: int, hang_up: Callable[[], None]) -> None:
    poller = select.poll()
    poller.register(fd, HANGUP_EVENTS)  # reads nothing: Textual's input thread owns the input
    while True:
        try:
            events = poller.poll()
        except OSError:
            return
        if any(mask & HANGUP_EVENTS for _, mask in events):
            hang_up()
            return
        if any(mask & select.POLLNVAL for _, mask in events):
            return  # the descriptor was closed: the app is leaving on its own
