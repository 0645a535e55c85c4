"""The test helper that waits on a condition: it returns the value it waited for, treats a
query that finds nothing yet as "not yet", and fails saying what it waited for and saw."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.support.waiting import until, wait_for


class Late(App[None]):
    """An app that mounts its one widget a few refreshes after it starts."""

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.call_after_refresh(self._mount_it))

    def _mount_it(self) -> None:
        self.mount(Static("here", id="late"))

    def compose(self) -> ComposeResult:
        return iter(())


async def test_until_waits_through_no_matches_and_returns_the_value() -> None:
    app = Late()
    async with app.run_test() as pilot:
        widget = await until(pilot, lambda: app.query_one("#late", Static), what="the widget")
        assert widget.id == "late"


async def test_until_fails_naming_what_it_waited_for_and_what_it_saw() -> None:
    app = Late()
    async with app.run_test() as pilot:
        with pytest.raises(AssertionError) as raised:
            await until(
                pilot,
                lambda: app.query_one("#never"),
                what="a widget that never comes",
                limit_s=0.2,
                show=lambda: "the state shown",
            )
    message = str(raised.value)
    assert "a widget that never comes" in message
    assert "NoMatches" in message and "#never" in message
    assert "the state shown" in message


def test_wait_for_says_what_it_last_saw() -> None:
    seen = iter(range(1000))
    with pytest.raises(AssertionError, match=r"the count to reach -1; last saw \d+"):
        wait_for(lambda: (next(seen) == -1 and 1) or 0, what="the count to reach -1", limit_s=0.1)
    assert wait_for(lambda: next(seen) >= 3 and "done", what="three") == "done"
