"""A whole-fetch time-box that fires on a slow plugin still names the URL: the one in
flight, or the request that already failed on the collector's loop but whose error the
plugin's thread had not passed on (a loaded machine is slow to schedule that thread)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector.isolation import FetchRunner
from lishi_tui.sources.api import FetchContext, FetchError, HttpResult

URL = "http://127.0.0.1:9/slow"


class Hangs:
    """An HTTP getter whose request never answers."""

    async def get(self, url: str, **_: Any) -> HttpResult:
        await asyncio.sleep(30)
        raise AssertionError("unreachable")


class TimesOut:
    """An HTTP getter whose request fails at once with its own located timeout."""

    async def get(self, url: str, **_: Any) -> HttpResult:
        raise FetchError("timed out after 0.2 s", where=url, retryable=True)


def context(http: object) -> FetchContext:
    return FetchContext(
        source_id="slow",
        options={},
        indicators=("x",),
        http=http,  # type: ignore[arg-type]
        now=datetime(2021, 11, 20, tzinfo=UTC),
        base_dir=Path("."),
        builtin_dir=Path("."),
    )


async def asks(ctx: FetchContext) -> list[object]:
    await ctx.http.get(URL)
    return []


async def swallows(ctx: FetchContext) -> list[object]:
    try:
        await ctx.http.get(URL)
    except FetchError:
        await asyncio.sleep(30)  # stands for a thread that has not yet passed the error on
    return []


async def test_the_time_box_names_the_request_in_flight() -> None:
    runner = FetchRunner()
    with pytest.raises(FetchError) as raised:
        await runner.run(asks, context(Hangs()), seconds=0.3, is_async=True)
    runner.close()
    assert str(raised.value) == f"fetch timed out after 0.3 s waiting for {URL}"


async def test_a_request_that_failed_first_is_the_error_reported() -> None:
    runner = FetchRunner()
    with pytest.raises(FetchError) as raised:
        await runner.run(swallows, context(TimesOut()), seconds=1.0, is_async=True)
    runner.close()
    assert "timed out after 0.2 s" in str(raised.value) and URL in str(raised.value)
