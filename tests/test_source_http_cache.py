"""ETag / Last-Modified kept in the store: a restarted collector asks conditionally, and a 304
still yields the readings of the kept body."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lishi_tui.sources import http_cache
from lishi_tui.sources.http import CACHE_KEY
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer
from tests.test_source_formats import payload

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=config.parent,
        env={**os.environ, "EXR_KEY": "s3cret"},
    )


def _config(tmp_path: Path, url: str, last_url: str) -> Path:
    config = tmp_path / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [plugins]
            allow = ["source_sdmx_json", "source_csv"]

            [storage]
            path = "history.db"

            [indicators.nzd]
            name_zh = "新西兰元汇率"

            [indicators.birth_rate]
            name_zh = "人口出生率"
            unit = "‰"

            [sources.ecb]
            type = "sdmx_json"
            url = "{url}"
            series = {{ CURRENCY = "NZD" }}
            interval = "1h"
            indicator = "nzd"

            [sources.nbs_export]
            type = "csv"
            url = "{last_url}"
            layout = "wide"
            filter = {{ "指标" = "人口出生率(‰)" }}
            interval = "1h"
            indicator = "birth_rate"
            """
        ),
        encoding="utf-8",
    )
    return config


def test_restart_asks_conditionally_and_a_304_keeps_the_figures(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/exr", payload("sdmx_ecb_exr_flat.json"), etag='"exr-v1"')
    stamp = "Mon, 01 Jan 2024 00:00:00 GMT"
    http_server.route(
        "/pop.csv", payload("nbs_export_population_wide_gb18030.csv"), last_modified=stamp
    )
    config = _config(
        tmp_path, http_server.url("/exr") + "?key=${EXR_KEY}", http_server.url("/pop.csv")
    )
    for _ in range(2):  # two processes: the second is a restart
        run = _cli(config, "fetch", "--once")
        assert run.returncode == 0, run.stdout + run.stderr
    first, second = http_server.requests_to("/exr")
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"] == '"exr-v1"'  # asked conditionally after restart
    assert http_server.requests_to("/pop.csv")[1].headers["if-modified-since"] == stamp
    shown = _cli(config, "show", "--json")
    rows = {r["indicator"]: r for r in json.loads(shown.stdout)}
    # exr-flat.json, CURRENCY NZD: "0:1" = 1.5925 on 2013-01-21; after a 304 the figure stays
    assert (rows["nzd"]["value"], rows["nzd"]["period"]) == (1.5925, "2013-01-21")
    assert rows["birth_rate"]["value"] == 6.77  # 指标 人口出生率(‰), 2024年 6.77
    # the URL's key (a configured secret) is never kept in the store
    assert b"s3cret" not in (tmp_path / "history.db").read_bytes()


def test_save_writes_only_what_changed(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    state: dict[str, Any] = {}
    http_cache.restore(state, store, "src")
    state[CACHE_KEY]["http://h/a?k=1"] = {
        "etag": '"1"',
        "last_modified": None,
        "content": b"body one",
        "url": "http://h/a?k=1",
    }
    assert http_cache.save(state, store, "src", ["1"], NOW) == 1
    assert http_cache.save(state, store, "src", ["1"], NOW) == 0  # unchanged: no write
    fresh: dict[str, Any] = {}
    http_cache.restore(fresh, store, "src")
    entry = fresh[CACHE_KEY].get("http://h/a?k=1")
    assert entry["etag"] == '"1"' and entry["content"] == b"body one"
    del fresh[CACHE_KEY]["http://h/a?k=1"]  # the server stopped sending validators
    assert http_cache.save(fresh, store, "src", [], NOW) == 1
    again: dict[str, Any] = {}
    http_cache.restore(again, store, "src")
    assert again[CACHE_KEY].get("http://h/a?k=1") is None
    store.close()
