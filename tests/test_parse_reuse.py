"""A source whose body comes back unchanged (a 304, or the same bytes) is not parsed again:
its last parse's readings are used (issue 16: a re-fetched series that did not change
costs no parse). A changed body, changed options or another origin parse again, a parse
that raised is not kept, and ``reparse=True`` opts out. Real collector, real HTTP server
on 127.0.0.1, real SQLite store; the source types are made with the same helpers a
third-party plugin uses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector import Collector
from lishi_tui.config.schema import CollectorSettings, Config, SourceConfig
from lishi_tui.domain.model import Indicator, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import (
    HTTP_OPTIONS,
    FetchContext,
    FetchError,
    HttpResult,
    Option,
    OptionKind,
    SourceType,
    file_source_type,
    http_source_type,
    parsed,
)
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer, Route


class Parses:
    """A parse function of the kind ``ParseFn`` describes, counting its calls: the body is a
    JSON object of year to figure, multiplied by the ``scale`` option."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()  # fetches run on worker threads

    def __call__(
        self, content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
    ) -> Sequence[Reading]:
        with self._lock:
            self.calls += 1
        try:
            figures = json.loads(content)
        except ValueError:
            raise FetchError("not JSON", where=origin) from None
        scale = float(options.get("scale", 1.0))
        return [
            Reading(indicator, Period.year(int(year)), float(v) * scale, origin=origin)
            for year, v in figures.items()
        ]


class NoHttp:
    """An HTTP getter for a context that makes no request."""

    async def get(self, url: str, **request: Any) -> HttpResult:
        raise AssertionError("no request expected")


OPTIONS = {
    "url": Option(OptionKind.URL),
    "path": Option(OptionKind.PATH),
    "scale": Option(OptionKind.FLOAT, default=1.0),
} | HTTP_OPTIONS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "history.db")
    yield s
    s.close()


def config(tmp_path: Path, **options: Any) -> Config:
    source = SourceConfig(
        id="office",
        type="office_api",
        interval=timedelta(hours=1),
        indicators=("gdp",),
        options=options,
        timeout=timedelta(seconds=5),
    )
    return Config(
        path=tmp_path / "lishi.toml",
        collector=CollectorSettings(retries=0),
        sources={source.id: source},
        indicators={"gdp": Indicator(id="gdp", name_zh="地区生产总值增速", name_en="GDP growth")},
    )


def registry(source_type: SourceType) -> Registry:
    return Registry(source_types={source_type.name: source_type})


async def runs(collector: Collector, store: SqliteStore, n: int) -> list[dict[str, float]]:
    """Run every source ``n`` times; after each run, the stored latest figure by year."""
    out = []
    for _ in range(n):
        outcomes = await collector.run_once()
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        out.append(
            {
                obs.reading.period.key: obs.reading.value
                for obs in store.history("gdp")
                if obs.reading.value is not None
            }
        )
    return out


async def test_a_304_and_the_same_bytes_are_not_parsed_again(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    body = b'{"2022": "5.6", "2023": "5.2"}'
    http_server.sequence(
        "/gdp.json",
        [
            Route(body=body, etag='"v1"'),  # parsed
            Route(body=body, etag='"v1"'),  # the client asks If-None-Match: a 304
            Route(body=body),  # the same bytes again, no validator
            Route(body=b'{"2022": "5.6", "2023": "5.3"}'),  # revised: parsed again
        ],
    )
    parse = Parses()
    cfg = config(tmp_path, url=http_server.url("/gdp.json"), scale=1.0)
    async with Collector(cfg, registry(http_source_type("office_api", parse, OPTIONS)), store) as c:
        first, after_304, after_same, after_revision = await runs(c, store, 4)
        assert parse.calls == 2
    assert http_server.requests_to("/gdp.json")[1].headers.get("if-none-match") == '"v1"'
    assert first == after_304 == after_same == {"2022": 5.6, "2023": 5.2}
    assert after_revision == {"2022": 5.6, "2023": 5.3}


async def test_changed_options_parse_the_same_body_again(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/gdp.json", b'{"2023": "5.2"}')
    parse = Parses()
    kind = http_source_type("office_api", parse, OPTIONS)
    cfg = config(tmp_path, url=http_server.url("/gdp.json"), scale=1.0)
    async with Collector(cfg, registry(kind), store) as c:
        (before,) = await runs(c, store, 1)
        rescaled = replace(
            cfg.sources["office"], options={**cfg.sources["office"].options, "scale": 10.0}
        )
        c.apply_config(replace(cfg, sources={"office": rescaled}))
        (after,) = await runs(c, store, 1)
    assert parse.calls == 2
    assert before == {"2023": 5.2} and after == {"2023": 52.0}


async def test_a_parse_that_raised_is_not_kept(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.sequence(
        "/gdp.json",
        [
            Route(body=b'{"2023": "5.2"}'),
            Route(body=b"<html>maintenance</html>"),
            Route(body=b'{"2023": "5.2"}'),
        ],
    )
    parse = Parses()
    cfg = config(tmp_path, url=http_server.url("/gdp.json"))
    async with Collector(cfg, registry(http_source_type("office_api", parse, OPTIONS)), store) as c:
        ok1 = (await c.run_once())[0]
        broken = (await c.run_once())[0]
        ok2 = (await c.run_once())[0]
    assert ok1.ok and not broken.ok and "not JSON" in broken.error and ok2.ok
    # the body after the failure equals the one before it, whose parse is still kept
    assert parse.calls == 2
    assert store.latest()["gdp"].value == 5.2


async def test_reparse_opts_out(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/gdp.json", b'{"2023": "5.2"}')
    parse = Parses()
    kind = http_source_type("office_api", parse, OPTIONS, reparse=True)
    cfg = config(tmp_path, url=http_server.url("/gdp.json"))
    async with Collector(cfg, registry(kind), store) as c:
        await runs(c, store, 3)
    assert parse.calls == 3


async def test_a_file_source_parses_again_only_when_the_file_changed(
    tmp_path: Path, store: SqliteStore
) -> None:
    data = tmp_path / "gdp.json"
    data.write_bytes(b'{"2023": "5.2"}')
    parse = Parses()
    cfg = config(tmp_path, path=str(data))
    async with Collector(cfg, registry(file_source_type("office_api", parse, OPTIONS)), store) as c:
        first, same = await runs(c, store, 2)
        assert parse.calls == 1
        data.write_bytes(b'{"2023": "5.4"}')  # same length, other figure
        (changed,) = await runs(c, store, 1)
    assert parse.calls == 2
    assert first == same == {"2023": 5.2} and changed == {"2023": 5.4}


def test_options_and_origin_are_part_of_what_is_compared(tmp_path: Path) -> None:
    # Two contexts sharing one source's state, as successive runs do
    parse = Parses()
    state: dict[str, Any] = {}

    def ctx(**options: Any) -> FetchContext:
        return FetchContext(
            source_id="office",
            options=options,
            indicators=("gdp",),
            http=NoHttp(),
            now=datetime(2024, 1, 1, tzinfo=UTC),
            base_dir=tmp_path,
            builtin_dir=tmp_path,
            state=state,
        )

    body = b'{"2023": "5.2"}'
    first = parsed(ctx(scale=1.0), parse, body, "https://stats.example/a")
    again = parsed(ctx(scale=1.0), parse, body, "https://stats.example/a")
    assert again is first and parse.calls == 1
    rescaled = parsed(ctx(scale=100.0), parse, body, "https://stats.example/a")
    assert [r.value for r in rescaled] == [520.0] and parse.calls == 2
    moved = parsed(ctx(scale=100.0), parse, body, "https://stats.example/b")
    assert [r.origin for r in moved] == ["https://stats.example/b"] and parse.calls == 3


async def test_a_parse_returning_something_else_is_still_reported_malformed(
    tmp_path: Path, store: SqliteStore, http_server: LocalHTTPServer
) -> None:
    http_server.route("/gdp.json", b'{"2023": "5.2"}')

    def not_a_list(
        content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
    ) -> Any:
        return {"2023": 5.2}

    cfg = config(tmp_path, url=http_server.url("/gdp.json"))
    kind = http_source_type("office_api", not_a_list, OPTIONS)
    async with Collector(cfg, registry(kind), store) as c:
        outcomes = [(await c.run_once())[0] for _ in range(2)]
    for outcome in outcomes:
        assert not outcome.ok
        assert "plugin returned malformed data: expected a list of Reading, got dict" in (
            outcome.error
        )
