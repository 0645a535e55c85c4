"""The dashboard's terminal driver (issue 16's idle cost): its input thread sleeps while no
key comes, still tells a lone Esc from a sequence, and ends at once when asked to.

A real pseudo-terminal stands in for the official's terminal; the thread is the driver's
own ``run_input_thread``, and what it hands the app is recorded instead of posted."""

from __future__ import annotations

import os
import pty
import selectors
import signal
import threading
import tty
from collections.abc import Iterator
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.message import Message

from lishi_tui.app import driver as quiet
from lishi_tui.app.guarded import GuardedApp
from tests.support.waiting import wait_for


class Recording(quiet.QuietLinuxDriver):
    def __init__(self, app: App[Any], fileno: int) -> None:
        super().__init__(app)
        self.fileno = fileno
        self.got: list[Message] = []

    def process_message(self, message: Message) -> None:
        self.got.append(message)


class Selects:
    """Every timeout the input thread's selector was asked to wait with."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.timeouts: list[float | None] = []
        real = selectors.SelectSelector.select

        def select(sel: selectors.SelectSelector, timeout: float | None = None) -> Any:
            if threading.current_thread().name == "input-under-test":
                self.timeouts.append(timeout)
            return real(sel, timeout)

        monkeypatch.setattr(selectors.SelectSelector, "select", select)


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    master, slave = pty.openpty()
    tty.setraw(slave)  # as the driver's application mode leaves it: keys as they come
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    yield master, slave
    for s, handler in saved.items():  # the driver installs its own
        signal.signal(s, handler)
    os.close(master)
    os.close(slave)


async def test_the_input_thread_sleeps_when_idle_and_still_reads_a_lone_escape(
    terminal: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quiet, "IDLE_AFTER_S", 0.3)
    master, slave = terminal
    selects = Selects(monkeypatch)
    driver = Recording(App(), slave)
    thread = threading.Thread(target=driver.run_input_thread, name="input-under-test")
    thread.start()
    try:
        # Idle: after a few ticks the thread waits without a timeout (Textual's looks
        # every 0.1 s for as long as it runs).
        wait_for(lambda: None in selects.timeouts, what="a wait without a timeout")
        asleep = len(selects.timeouts)
        os.write(master, b"\x1b")  # Esc alone: told apart only after the escape delay
        wait_for(
            lambda: any(isinstance(m, events.Key) and m.key == "escape" for m in driver.got),
            what="the lone Esc",
        )
        assert len(selects.timeouts) > asleep  # woken by the key, then ticking again
        assert selects.timeouts[asleep] == quiet.TICK_S
        os.write(master, "报".encode())
        wait_for(
            lambda: any(isinstance(m, events.Key) and m.character == "报" for m in driver.got),
            what="a Chinese character",
        )
    finally:
        driver.exit_event.set()  # what disable_input does: this wakes the sleeping wait
        thread.join(5)
    assert not thread.is_alive()
    driver.close()


def test_the_app_uses_it_for_a_linux_terminal() -> None:
    from textual.drivers.linux_driver import LinuxDriver

    class Plain(App[None]):
        pass

    class Ours(GuardedApp):
        pass

    if Plain().get_driver_class() is LinuxDriver:
        assert Ours().get_driver_class() is quiet.QuietLinuxDriver
