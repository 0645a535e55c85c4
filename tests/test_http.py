"""The shared HTTP client against a real server on 127.0.0.1: caps, redirects, faults, caching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.http import HttpClient, parse_retry_after
from lishi_tui.text import excerpt
from tests.support.httpserver import LocalHTTPServer, closed_port


def source(**kw: Any) -> SourceConfig:
    base: dict[str, Any] = {
        "id": "s",
        "type": "t",
        "interval": timedelta(hours=1),
        "indicators": (),
        "options": {},
    }
    base.update(kw)
    return SourceConfig(**base)


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    c = HttpClient(CollectorSettings(max_bytes=1000, timeout=timedelta(seconds=2)))
    yield c
    await c.aclose()


async def test_get_returns_body_and_counts_bytes(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/a", b"hello", headers={"X-Test": "1"})
    view = client.for_source(source(), {})
    res = await view.get(http_server.url("/a?format=json"), params={"q": "1"})
    assert res.status == 200
    assert res.content == b"hello"
    assert res.headers["x-test"] == "1"
    assert view.bytes_received >= 5
    req = http_server.requests_to("/a")[0]
    assert req.param("q") == "1"
    assert req.param("format") == "json"  # the URL's own query survives added params
    assert req.headers["user-agent"] == "lishi-tui"


async def test_body_over_cap_is_refused(http_server: LocalHTTPServer, client: HttpClient) -> None:
    http_server.route("/big", b"x" * 5000)
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/big"))
    assert info.value.message == "response larger than 1000 bytes"
    assert not info.value.retryable


async def test_body_over_cap_without_length_is_refused_while_streaming(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    # The server declares a small length but the cap is enforced on what arrives, too:
    # declare nothing useful by trickling a body longer than the cap under a false header.
    http_server.route("/big", b"y" * 3000, content_length=3000, trickle=(500, 0.0))
    small = HttpClient(CollectorSettings(max_bytes=2999))
    try:
        with pytest.raises(FetchError, match="larger than 2999 bytes"):
            await small.for_source(source(), {}).get(http_server.url("/big"))
    finally:
        await small.aclose()


async def test_redirect_loop_names_the_urls(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/a", redirect="/b")
    http_server.route("/b", redirect="/a")
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/a"))
    msg = info.value.message
    assert msg.startswith("redirect loop:")
    assert http_server.url("/a") in msg and http_server.url("/b") in msg


async def test_too_many_redirects(http_server: LocalHTTPServer, client: HttpClient) -> None:
    for i in range(8):
        http_server.route(f"/r{i}", redirect=f"/r{i + 1}")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await client.for_source(source(), {}).get(http_server.url("/r0"))
    assert http_server.count("/r6") == 0


async def test_same_host_redirect_followed(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/old", redirect="/new", status=301)
    http_server.route("/new", b"moved")
    res = await client.for_source(source(), {}).get(http_server.url("/old"))
    assert res.content == b"moved"
    assert res.url == http_server.url("/new")


async def test_cross_host_redirect_refused(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/old", redirect=http_server.alt_url("/new"))
    http_server.route("/new", b"elsewhere")
    with pytest.raises(FetchError, match="redirect to another host refused") as info:
        await client.for_source(source(), {}).get(http_server.url("/old"))
    assert "allow_redirects_to" in info.value.message
    assert http_server.count("/new") == 0


async def test_cross_host_redirect_allowed_and_drops_headers(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/old", redirect=http_server.alt_url("/new"))
    http_server.route("/new", b"elsewhere")
    view = client.for_source(source(allow_redirects_to=("localhost",)), {})
    res = await view.get(http_server.url("/old"), headers={"Authorization": "Bearer t0k"})
    assert res.content == b"elsewhere"
    assert http_server.requests_to("/old")[0].headers["authorization"] == "Bearer t0k"
    # A token written for one host is not handed to another.
    assert "authorization" not in http_server.requests_to("/new")[0].headers


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_retryable(
    http_server: LocalHTTPServer, client: HttpClient, status: int
) -> None:
    http_server.route("/e", b"<html>oops\x07</html>", status=status)
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/e"))
    assert info.value.retryable
    assert info.value.message.startswith(f"HTTP {status}")
    assert "oops" in info.value.message and "\x07" not in info.value.message
    assert info.value.where == http_server.url("/e")


async def test_4xx_is_not_retryable(http_server: LocalHTTPServer, client: HttpClient) -> None:
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/missing"))
    assert not info.value.retryable
    assert info.value.message.startswith("HTTP 404 Not Found")


async def test_429_retry_after_seconds(http_server: LocalHTTPServer, client: HttpClient) -> None:
    http_server.route("/slow-down", status=429, headers={"Retry-After": "7"})
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/slow-down"))
    assert info.value.retryable
    assert info.value.retry_after == 7.0


def test_retry_after_http_date() -> None:
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None) is None


async def test_timeout_is_retryable_and_plain(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/hang", b"late", delay=1.5)
    view = client.for_source(source(timeout=timedelta(seconds=0.3)), {})
    with pytest.raises(FetchError) as info:
        await view.get(http_server.url("/hang"))
    assert info.value.message == "timed out after 0.3 s"
    assert info.value.retryable
    assert info.value.where == http_server.url("/hang")


async def test_slow_trickle_past_the_timeout(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    # Each chunk arrives well within a read timeout; only a deadline on the whole
    # request catches a server that drips forever.
    http_server.route("/drip", b"z" * 200, trickle=(10, 0.1))
    view = client.for_source(source(timeout=timedelta(seconds=0.3)), {})
    with pytest.raises(FetchError) as info:
        await view.get(http_server.url("/drip"))
    assert info.value.message == "timed out after 0.3 s"
    assert info.value.retryable


async def test_connection_refused(client: HttpClient) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(url)
    assert info.value.message == "connection refused"
    assert info.value.retryable
    assert info.value.where == url


async def test_truncated_body_is_a_retryable_error(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/cut", b"only part", content_length=500)
    with pytest.raises(FetchError) as info:
        await client.for_source(source(), {}).get(http_server.url("/cut"))
    assert info.value.retryable
    assert "connection broken" in info.value.message


async def test_etag_304_returns_remembered_body(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/data", b"v1 body", etag='"abc"')
    state: dict[str, Any] = {}
    first = await client.for_source(source(), state).get(http_server.url("/data"))
    assert first.content == b"v1 body" and not first.not_modified
    second = await client.for_source(source(), state).get(http_server.url("/data"))
    assert second.not_modified
    assert second.content == b"v1 body"
    reqs = http_server.requests_to("/data")
    assert "if-none-match" not in reqs[0].headers
    assert reqs[1].headers["if-none-match"] == '"abc"'


async def test_last_modified_304_and_unconditional_opt_out(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    stamp = "Mon, 01 Jan 2024 00:00:00 GMT"
    http_server.route("/lm", b"table", last_modified=stamp)
    state: dict[str, Any] = {}
    await client.for_source(source(), state).get(http_server.url("/lm"))
    again = await client.for_source(source(), state).get(http_server.url("/lm"))
    assert again.not_modified and again.content == b"table"
    assert http_server.requests_to("/lm")[1].headers["if-modified-since"] == stamp
    fresh = await client.for_source(source(), state).get(http_server.url("/lm"), conditional=False)
    assert not fresh.not_modified
    assert "if-modified-since" not in http_server.requests_to("/lm")[2].headers


async def test_secrets_redacted_from_errors(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    secret = "s3cr3t/tok+en"
    http_server.route("/api", b"bad token s3cr3t/tok+en", status=403)
    view = client.for_source(source(secrets=(secret,)), {})
    with pytest.raises(FetchError) as info:
        await view.get(http_server.url("/api"), params={"token": secret})
    text = str(info.value)
    assert "s3cr3t" not in text
    assert "***" in info.value.where and "***" in info.value.message
    # The secret did reach the server: redaction is for what people read, not the request.
    assert http_server.requests_to("/api")[0].param("token") == secret


async def test_secrets_redacted_from_connection_errors(client: HttpClient) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x?key=hunter2"
    with pytest.raises(FetchError) as info:
        await client.for_source(source(secrets=("hunter2",)), {}).get(url)
    assert "hunter2" not in str(info.value)
    assert info.value.where.endswith("key=***")


def test_excerpt_strips_control_characters_and_shortens() -> None:
    assert excerpt(b"a\x1b[31mb\x00c\n  d") == "abc d"
    long = excerpt(b"x" * 500, limit=10)
    assert len(long) == 10 and long.endswith("…")
    assert excerpt("错误".encode()) == "错误"
