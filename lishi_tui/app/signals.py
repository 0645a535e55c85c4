"""Leaving the dashboard on SIGTERM and SIGINT as on `q`: the terminal is always given back.

The default action of SIGTERM ends the process at once, leaving the terminal in the
alternate screen with mouse reporting on. Here the signal asks the app to exit normally
(Textual then restores the terminal itself); if that has not happened within a grace
period, the modes the app switched on are switched off by hand before the process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable

EXIT_GRACE_S = 1.5
# Leave the alternate screen, stop every mouse-reporting mode and bracketed paste, show
# the cursor: what Textual's driver undoes on a normal exit.
TERMINAL_RESTORE = (
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?1004l"
    "\x1b[?25h\x1b[?1049l"
)
SIGNAL_EXITS = {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: 128 + signal.SIGINT}


def restore_terminal() -> None:
    """Write the sequences that give the terminal back, straight to the tty if there is one."""
    stream = sys.__stdout__
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        fd = stream.fileno()
        if os.isatty(fd):
            os.write(fd, TERMINAL_RESTORE.encode())


def _last_resort(code: int) -> None:
    restore_terminal()
    os._exit(code)


def install(leave: Callable[[int], None]) -> None:
    """On SIGTERM or SIGINT call ``leave(exit_code)`` on the running loop, and end the
    process, terminal restored, if it is still alive ``EXIT_GRACE_S`` later."""
    loop = asyncio.get_running_loop()

    def on_signal(code: int) -> None:
        watchdog = threading.Timer(EXIT_GRACE_S, _last_resort, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        leave(code)

    for signum, code in SIGNAL_EXITS.items():
        # No handler outside the main thread, nor on platforms without these signals.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal, code)
