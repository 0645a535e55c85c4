"""Textual's Linux driver with an input thread that sleeps while no key comes, and output
in fewer bytes (issue 16).

Textual's own input thread wakes ten times a second to look for its exit and for a key
whose escape sequence is still open. On an idle dashboard that is most of the process's
CPU (about 0.18 % of a core here, the whole of a bare Textual app's idle cost), and every
official's SSH session pays it. This one waits without a timeout once no input has come
for a while, and its exit wakes it through a pipe. While keys come, it looks every tenth
of a second as Textual's does, so a lone Esc is still told from the start of a sequence.
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from codecs import getincrementaldecoder
from typing import Any, cast

from textual import constants
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from lishi_tui.app.compact_output import CompactingFile
from lishi_tui.wake_pipe import WakePipe

TICK_S = 0.1  # while keys come: as often as Textual's driver looks
# Past this without input nothing can still be waiting for its escape delay: sleep.
IDLE_AFTER_S = max(1.0, 2 * constants.ESCAPE_DELAY + TICK_S)


class _WakingEvent(threading.Event):
    """The driver's exit event: setting it also wakes the input thread's wait."""

    def __init__(self, wake: WakePipe) -> None:
        super().__init__()
        self._wake = wake

    def set(self) -> None:
        super().set()
        self._wake.wake()


class QuietLinuxDriver(LinuxDriver):
    """``LinuxDriver`` whose input thread costs nothing while nobody types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the writer thread sends, in fewer colour codes (lishi_tui.app.compact_output).
        if self._file is not None:
            self._file = cast(Any, CompactingFile(self._file))
        self._wake = WakePipe()
        self.exit_event = _WakingEvent(self._wake)

    def run_input_thread(self) -> None:
        """Read the terminal and hand its keys, mouse and paste events to the app."""
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        last_input = time.monotonic()
        with selectors.SelectSelector() as selector:
            selector.register(self.fileno, selectors.EVENT_READ)
            selector.register(self._wake.fileno(), selectors.EVENT_READ)
            while not self.exit_event.is_set():
                quiet = time.monotonic() - last_input > IDLE_AFTER_S
                for key, _ in selector.select(None if quiet else TICK_S):
                    if key.fd == self._wake.fileno():
                        self._wake.drain()
                        continue
                    raw = os.read(self.fileno, 4096)
                    if not raw:  # end of input (a closed pipe): wait for the exit alone
                        selector.unregister(self.fileno)
                        continue
                    last_input = time.monotonic()
                    for event in parser.feed(decode(raw)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        self._wake.drain()
        for event in parser.tick():
            self.process_message(event)

    def close(self) -> None:
        super().close()
        self._wake.close()
