"""Secrets, probed as an attacker would: a key in a URL, credentials on a redirect, a token
with a trailing newline, a crash traceback's locals; none may be shown or stored."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from lishi_tui.cli import main
from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.sources.api import FetchError
from lishi_tui.sources.http import HttpClient
from tests.support.httpserver import LocalHTTPServer

API_KEY = "k3y-SECRET-9f2a"
TOKEN = "tok-SECRET-77c1"
ENV = {"APIKEY": API_KEY, "TOKEN": TOKEN, "LISHI_TUI_LANG": "en"}


def write_config(tmp_path: Path, url: str, **extra: str) -> Path:
    lines = [
        "[app]",
        "demo = false",
        'collector = "off"',
        "[storage]",
        'path = "h.db"',
        "[sources.api]",
        'type = "http_json"',
        'interval = "1h"',
        'indicators = ["gdp_growth"]',
        f'url = "{url}"',
        'period = "year"',
        'value = "v"',
        'headers = { Authorization = "Bearer ${TOKEN}" }',
        'timeout = "5s"',
        *(f"{k} = {v}" for k, v in extra.items()),
    ]
    path = tmp_path / "c.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def store_text(db: Path) -> str:
    """Every text cell of every table, joined: what a secret must never be in."""
    con = sqlite3.connect(db)
    try:
        cells: list[str] = []
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):
                cells.extend(str(c) for c in row)
        return "\n".join(cells)
    finally:
        con.close()


def test_a_key_in_a_url_query_is_neither_stored_nor_shown(
    tmp_path: Path, http_server: LocalHTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    http_server.route("/data", json.dumps([{"year": "2023", "v": 5.2}]).encode())
    config = write_config(tmp_path, http_server.url("/data") + "?key=${APIKEY}")
    assert main(["--config", str(config), "fetch", "--once"], ENV) == 0
    assert http_server.requests_to("/data")[0].param("key") == API_KEY  # it was sent
    assert main(["--config", str(config), "show", "--json", "gdp_growth"], ENV) == 0
    out, err = capsys.readouterr()
    row = json.loads(out[out.index("[") :])[0]
    assert row["value"] == 5.2
    assert row["origin"].endswith("/data?key=***") and row["url"].endswith("/data?key=***")
    stored = store_text(tmp_path / "h.db")
    assert "key=***" in stored
    for secret in (API_KEY, TOKEN):
        assert secret not in stored and secret not in out and secret not in err


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    c = HttpClient(CollectorSettings(timeout=timedelta(seconds=5)))
    yield c
    await c.aclose()


def source(**kw: Any) -> SourceConfig:
    return SourceConfig(
        id="s", type="t", interval=timedelta(hours=1), indicators=(), options={}, **kw
    )


async def test_credentials_are_dropped_on_a_redirect_to_another_port(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    with LocalHTTPServer() as other:  # same host, another port: another origin
        other.route("/landing", b"{}")
        http_server.route("/same", redirect=http_server.url("/there"))
        http_server.route("/there", b"{}")
        http_server.route("/away", redirect=other.url("/landing"))
        view = client.for_source(source(secrets=(TOKEN,)), {})
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN}
        await view.get(http_server.url("/same"), headers=headers)
        await view.get(http_server.url("/away"), headers=headers)
        kept = http_server.requests_to("/there")[0].headers
        assert kept["authorization"] == f"Bearer {TOKEN}"  # same origin: still sent
        landed = other.requests_to("/landing")[0].headers
        assert "authorization" not in landed and "x-api-key" not in landed


def test_a_token_with_a_trailing_newline_is_refused_at_load_without_echoing_it(
    tmp_path: Path, http_server: LocalHTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, http_server.url("/data"))
    env = {**ENV, "TOKEN": TOKEN + "\n"}
    assert main(["config", "check", str(config)], env) == 1
    assert main(["--config", str(config), "fetch", "--once"], env) == 2
    out, err = capsys.readouterr()
    assert "sources.api.headers" in err
    assert "line break or control character (not shown)" in err
    assert TOKEN not in out + err
    assert http_server.requests_to("/data") == []  # nothing was sent with it


async def test_an_illegal_header_at_run_time_is_reported_without_the_value(
    http_server: LocalHTTPServer, client: HttpClient
) -> None:
    http_server.route("/x", b"{}")
    view = client.for_source(source(), {})  # a plugin building its own header
    with pytest.raises(FetchError) as info:
        await view.get(http_server.url("/x"), headers={"Authorization": f"Bearer {TOKEN}\n"})
    assert "a header value holds a line break or control character" in str(info.value)
    assert TOKEN not in str(info.value)


def test_redact_knows_the_escaped_forms_of_a_secret() -> None:
    from lishi_tui.text import redact

    message = f"Illegal header value b'Bearer {TOKEN}\\n'"
    assert redact(message, [TOKEN + "\n"]) == "Illegal header value b'Bearer ***'"


async def test_the_dashboards_crash_report_shows_no_locals_and_no_secret(tmp_path: Path) -> None:
    from lishi_tui.app import make_app
    from lishi_tui.store.sqlite import SqliteStore
    from tests.app_support import build_config, build_registry

    config = dataclasses.replace(
        build_config(language="en"), sources={"s": source(secrets=(TOKEN,))}
    )
    store = SqliteStore(tmp_path / "h.db")
    try:
        app = make_app(config, build_registry(), store)
        async with app.run_test():
            try:
                holder = {"token": TOKEN}  # a local that Textual's traceback would print
                raise RuntimeError(f"request failed with {holder['token']}")
            except RuntimeError:
                app._fatal_error()
            report = app._exit_renderables[-1]
            app._exit_renderables.clear()
            app._return_code = 0
    finally:
        store.close()
    assert isinstance(report, Text)
    text = report.plain
    assert "RuntimeError: request failed with ***" in text
    assert TOKEN not in text
    assert "─ locals ─" not in text  # rich's panel of local variables
