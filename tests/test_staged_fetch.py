"""An ``http_source_type`` fetch runs in two parts (``lishi_tui.collector.staged``): the
request on the collector's own event loop, each request on an HTTP lane (a client of that
loop's that no other request is using at the time), and the type's own code (its
``headers`` and ``parse``) in a fetch worker thread, isolated as a plain fetch is. Real
collector, real HTTP server on 127.0.0.1, real SQLite store; the source types are made with
the helper a third-party plugin uses."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector import Collector
from lishi_tui.config.schema import CollectorSettings, Config, SourceConfig
from lishi_tui.domain.model import Indicator, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import HTTP_OPTIONS, Option, OptionKind, http_source_type
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer

OPTIONS = {"url": Option(OptionKind.URL), "block": Option(OptionKind.FLOAT, default=0.0)}
OPTIONS |= HTTP_OPTIONS


class Seen:
    """Where each call of the type's code ran, and a parse that can be told to block."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.parse_threads: list[threading.Thread] = []
        self.header_calls: list[threading.Thread] = []
        self.release = threading.Event()

    def parse(
        self, content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
    ) -> Sequence[Reading]:
        with self.lock:
            self.parse_threads.append(threading.current_thread())
        if options["block"]:
            self.release.wait(float(options["block"]))  # blocking, as a bad parse would
        figures = json.loads(content)
        return [
            Reading(indicator, Period.year(int(year)), float(v), origin=origin)
            for year, v in figures.items()
        ]

    def headers(self, options: Mapping[str, Any]) -> Mapping[str, str]:
        with self.lock:
            self.header_calls.append(threading.current_thread())
        return {"Accept": "application/json"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "history.db")
    yield s
    s.close()


def config(
    tmp_path: Path, server: LocalHTTPServer, count: int, *, concurrency: int = 4, **options: Any
) -> Config:
    sources, indicators = {}, {}
    for i in range(count):
        server.route(f"/s{i}.json", json.dumps({"2023": str(i), "2024": str(i + 0.5)}).encode())
        sources[f"s{i}"] = SourceConfig(
            id=f"s{i}",
            type="office_api",
            interval=timedelta(hours=1),
            indicators=(f"i{i}",),
            options={"url": server.url(f"/s{i}.json"), "block": 0.0, **options.get(f"s{i}", {})},
            timeout=timedelta(seconds=float(options.get("timeout", 5.0))),
        )
        indicators[f"i{i}"] = Indicator(id=f"i{i}", name_zh=f"指标{i}", name_en=f"indicator {i}")
    return Config(
        path=tmp_path / "lishi.toml",
        collector=CollectorSettings(retries=0, max_concurrency=concurrency),
        sources=sources,
        indicators=indicators,
    )


def registry(seen: Seen) -> Registry:
    kind = http_source_type("office_api", seen.parse, OPTIONS, headers=seen.headers)
    return Registry(source_types={kind.name: kind})


async def test_the_request_runs_on_the_collectors_loop_and_the_parse_on_a_worker(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    seen = Seen()
    count, concurrency = 12, 3
    cfg = config(tmp_path, http_server, count, concurrency=concurrency)
    async with Collector(cfg, registry(seen), store) as collector:
        first = await collector.run_once()
        http = collector._http
        assert http is not None
        lanes_first = http.lanes_made
        # Every request ran on this loop: no other loop holds a lane.
        assert set(http._lanes) == {asyncio.get_running_loop()}
        second = await collector.run_once()
        lanes_second = http.lanes_made
    assert all(o.ok for o in [*first, *second]), [o.error for o in [*first, *second]]
    # Figures stored as the bodies say (source s7 serves {"2023": "7", "2024": "7.5"}).
    assert {o.reading.period.key: o.reading.value for o in store.history("i7")} == {
        "2023": 7.0,
        "2024": 7.5,
    }
    main = threading.main_thread()
    assert seen.parse_threads and all(t is not main for t in seen.parse_threads)
    assert {t.name for t in seen.parse_threads} == {"lishi-fetch"}
    # One lane per request in flight at once, not one per source, kept for the next run.
    assert 1 <= lanes_first <= concurrency
    assert lanes_second == lanes_first
    assert http_server.requests_to("/s0.json")[0].headers.get("accept") == "application/json"


async def test_the_types_headers_run_on_a_worker_once_per_set_of_options(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    seen = Seen()
    cfg = config(tmp_path, http_server, 2)
    async with Collector(cfg, registry(seen), store) as collector:
        for _ in range(3):
            assert all(o.ok for o in await collector.run_once())
    assert len(seen.header_calls) == 2  # once for each source, not once per run
    assert all(t is not threading.main_thread() for t in seen.header_calls)
    assert len(http_server.requests_to("/s1.json")) == 3


async def test_a_parse_that_blocks_freezes_only_its_own_source(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    seen = Seen()
    cfg = config(tmp_path, http_server, 3, timeout=1.0, s1={"block": 30.0})
    try:
        async with Collector(cfg, registry(seen), store) as collector:
            outcomes = {o.source: o for o in await collector.run_once()}
            again = {o.source: o for o in await collector.run_once()}
    finally:
        seen.release.set()
    assert outcomes["s0"].ok and outcomes["s2"].ok
    # Abandoned at its 1 s timeout: had the parse run on the collector's loop, the loop
    # could not have timed it out, and it would have ended well 30 s later.
    assert not outcomes["s1"].ok
    assert "blocking plugin code still running in its thread" in outcomes["s1"].error
    assert "abandoned" in outcomes["s1"].error
    # Its next run is refused while the stuck parse has not returned (no thread pile-up),
    # and the request is not even made.
    assert not again["s1"].ok and "not started" in again["s1"].error
    assert len(http_server.requests_to("/s1.json")) == 1
    assert again["s0"].ok and again["s2"].ok
