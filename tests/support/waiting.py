"""Waiting on a condition instead of a fixed pause: for the app under run_test and for processes.

A loaded machine (two cores, load 10+) can take far longer than an idle one to mount a
screen, run a worker or start a process, so a test that pauses a fixed time and then
asserts fails there. These helpers poll the condition the test is about to assert, in
small steps, and give up only after a generous limit, saying what they waited for and
what they last saw. The limit is a bound on a hang, not a claim about speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from textual.css.query import NoMatches, WrongType
from textual.pilot import Pilot

T = TypeVar("T")

# Generous: the slowest loaded runs seen mount the dashboard in a few seconds.
LIMIT_S = 30.0
STEP_S = 0.02

# Raised by a query while the widgets it looks for are still mounting (or a screen is
# being swapped): the condition is not met yet, try again.
_NOT_YET: tuple[type[BaseException], ...] = (NoMatches, WrongType)


def _describe(value: object) -> str:
    text = (
        repr(value) if not isinstance(value, BaseException) else f"{type(value).__name__}: {value}"
    )
    return text if len(text) <= 2000 else text[:2000] + "…"


def _failure(what: str, limit_s: float, last: object, show: Callable[[], object] | None) -> str:
    message = f"waited {limit_s:g} s for {what}; last saw {_describe(last)}"
    if show is not None:
        try:
            message += f"\n{show()}"
        except Exception as error:  # the state may be half torn down: say so, keep the message
            message += f"\n(could not show the state: {_describe(error)})"
    return message


async def until(
    pilot: Pilot[Any],
    predicate: Callable[[], T],
    *,
    what: str,
    limit_s: float = LIMIT_S,
    step_s: float = STEP_S,
    show: Callable[[], object] | None = None,
) -> T:
    """Pause ``pilot`` in small steps until ``predicate()`` is truthy, and return its value.

    A ``NoMatches`` (or ``WrongType``) from a query inside the predicate counts as "not yet".
    On the limit, fail with ``what``, the predicate's last value or error, and ``show()``
    (for instance the screen's text) when given.
    """
    deadline = time.monotonic() + limit_s
    await pilot.pause()  # let pending messages run before the first look
    while True:
        last: object
        try:
            last = predicate()
        except _NOT_YET as error:
            last = error
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            raise AssertionError(_failure(what, limit_s, last, show))
        await pilot.pause(step_s)


async def until_async(
    predicate: Callable[[], T],
    *,
    what: str,
    limit_s: float = LIMIT_S,
    step_s: float = STEP_S,
    show: Callable[[], object] | None = None,
) -> T:
    """``until`` for plain asyncio code (no pilot): sleep in small steps until it holds."""
    deadline = time.monotonic() + limit_s
    while True:
        value = predicate()
        if value:
            return value
        last: object = value
        if time.monotonic() >= deadline:
            raise AssertionError(_failure(what, limit_s, last, show))
        await asyncio.sleep(step_s)


def wait_for(
    predicate: Callable[[], T],
    *,
    what: str,
    limit_s: float = LIMIT_S,
    step_s: float = 0.05,
    show: Callable[[], object] | None = None,
) -> T:
    """``until`` for subprocess and tmux tests: sleep in small steps until it holds."""
    deadline = time.monotonic() + limit_s
    while True:
        value = predicate()
        if value:
            return value
        last: object = value
        if time.monotonic() >= deadline:
            raise AssertionError(_failure(what, limit_s, last, show))
        time.sleep(step_s)


async def until_shown(
    pilot: Pilot[Any], *words: str, limit_s: float = LIMIT_S, step_s: float = STEP_S
) -> str:
    """Pause until the app's screen shows every one of ``words``; return the screen's text."""
    from tests.app_support import screen_text

    app = pilot.app
    shown = ""

    def all_shown() -> bool:
        nonlocal shown
        shown = screen_text(app)
        return all(word in shown for word in words)

    await until(
        pilot,
        all_shown,
        what=f"the screen to show {list(words)!r}",
        limit_s=limit_s,
        step_s=step_s,
        show=lambda: f"the screen was:\n{shown}",
    )
    return shown
