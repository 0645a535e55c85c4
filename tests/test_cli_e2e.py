"""The CLI end to end: real plugins from a folder, a real HTTP server, a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.support.httpserver import LocalHTTPServer
from tests.support.waiting import wait_for

PLUGINS = {
    "district.py": '''
        """Reads {"period": ..., "value": ...} from a JSON endpoint."""
        import json
        from lishi_tui import hookimpl
        from lishi_tui.domain.model import Indicator, Reading
        from lishi_tui.domain.periods import Period
        from lishi_tui.sources.api import FetchError, Option, OptionKind, SourceType

        async def fetch(ctx):
            result = await ctx.http.get(ctx.options["url"])
            try:
                doc = json.loads(result.content)
                return [Reading(ctx.indicator, Period.parse(doc["period"]), doc["value"],
                                origin=result.url)]
            except (ValueError, KeyError) as exc:
                raise FetchError(f"unexpected body: {exc}", where=result.url)

        @hookimpl
        def lishi_register_source_types(register):
            register(SourceType("district_json", fetch, {"url": Option(OptionKind.URL, required=True)}))

        @hookimpl
        def lishi_register_indicators(register):
            # tertiary_share is the built-in economy plugin's: registering it again is refused.
            register(Indicator("bulk_series", "批量序列", "Bulk series"))
    ''',
    "faulty.py": '''
        """Source types that misbehave at fetch time."""
        import asyncio
        import time
        from lishi_tui import hookimpl
        from lishi_tui.sources.api import SourceType

        async def explodes(ctx):
            raise ZeroDivisionError("the plugin divided by zero")

        async def hangs(ctx):
            await asyncio.sleep(60)

        def hangs_in_thread(ctx):
            time.sleep(60)

        async def garbage(ctx):
            return "<html>not readings</html>"

        @hookimpl
        def lishi_register_source_types(register):
            register(SourceType("explodes", explodes))
            register(SourceType("hangs", hangs))
            register(SourceType("hangs_sync", hangs_in_thread))
            register(SourceType("garbage", garbage))
    ''',
    "bulk.py": '''
        """A large write every run: one reading per instant."""
        from datetime import timedelta
        from lishi_tui import hookimpl
        from lishi_tui.domain.model import Reading
        from lishi_tui.domain.periods import Period
        from lishi_tui.sources.api import Option, OptionKind, SourceType

        def fetch(ctx):
            run = ctx.state.get("run", 0)
            ctx.state["run"] = run + 1
            n = ctx.options["rows"]
            base = ctx.now.replace(microsecond=0) - timedelta(seconds=n)
            return [Reading(ctx.indicator, Period.instant(base + timedelta(seconds=i)), float(run))
                    for i in range(n)]

        @hookimpl
        def lishi_register_source_types(register):
            register(SourceType("bulk", fetch, {"rows": Option(OptionKind.INT, default=1000)}))
    ''',
    "broken_import.py": "import not_a_module_anywhere\n",
}


def write_plugins(folder: Path) -> None:
    folder.mkdir()
    for name, body in PLUGINS.items():
        (folder / name).write_text(textwrap.dedent(body), encoding="utf-8")


def write_config(tmp_path: Path, sources: str) -> Path:
    write_plugins(tmp_path / "plugins")
    config = tmp_path / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            """
            [app]
            language = "en"

            [plugins]
            dirs = ["plugins"]
            deny = ["demo"]

            [storage]
            path = "history.db"

            [collector]
            timeout = "1s"
            retries = 0
            """
        )
        + textwrap.dedent(sources),
        encoding="utf-8",
    )
    return config


def cli(config: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_fetch_once_isolates_bad_plugins(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.route(
        "/district/tertiary",
        json.dumps({"period": "2021", "value": 51}),
        content_type="application/json",
    )
    config = write_config(
        tmp_path,
        f"""
        [sources.district]
        type = "district_json"
        url = "{http_server.url("/district/tertiary")}"
        interval = "1h"
        indicator = "tertiary_share"

        [sources.boom]
        type = "explodes"
        interval = "1h"

        [sources.stuck]
        type = "hangs"
        interval = "1h"

        [sources.stuck_thread]
        type = "hangs_sync"
        interval = "1h"

        [sources.junk]
        type = "garbage"
        interval = "1h"
        """,
    )
    fetched = cli(config, "fetch", "--once")
    assert fetched.returncode == 1, fetched.stdout + fetched.stderr
    lines = {
        line.split()[1]: line for line in fetched.stdout.splitlines() if line[:3] in ("ok ", "ERR")
    }
    assert lines["district"].startswith("ok ")
    assert "1 new" in lines["district"]
    assert "ZeroDivisionError" in lines["boom"] and "divided by zero" in lines["boom"]
    assert "timed out" in lines["stuck"] or "time" in lines["stuck"].lower()
    assert lines["stuck_thread"].startswith("ERR")
    assert "malformed" in lines["junk"] and "Reading" in lines["junk"]

    shown = cli(config, "show", "--json", "tertiary_share")
    assert shown.returncode == 0, shown.stderr
    (row,) = json.loads(shown.stdout)
    assert row["indicator"] == "tertiary_share"
    assert row["value"] == 51
    assert row["period"] == "2021"
    assert row["unit"] == "%"
    assert row["source"] == "district"
    assert row["url"] == http_server.url("/district/tertiary")
    assert row["fetched_at"] is not None and row["demo"] is False

    with sqlite3.connect(tmp_path / "history.db") as db:
        log = dict(db.execute("SELECT source, ok FROM fetch_log").fetchall())
    assert log == {"district": 1, "boom": 0, "stuck": 0, "stuck_thread": 0, "junk": 0}

    plugins = cli(config, "plugins", "--json")
    assert plugins.returncode == 0, plugins.stderr
    records = {p["name"]: p for p in json.loads(plugins.stdout)}
    assert records["district"]["state"] == "loaded"
    assert records["district"]["origin"] == "directory"
    assert records["district"]["source_types"] == ["district_json"]
    assert records["faulty"]["state"] == "loaded"
    assert records["broken_import"]["state"] == "failed"
    assert "ModuleNotFoundError" in records["broken_import"]["error"]


def test_fetch_once_succeeds_when_every_source_does(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route(
        "/t", json.dumps({"period": "2021-10", "value": 88.5}), content_type="application/json"
    )
    config = write_config(
        tmp_path,
        f"""
        [sources.district]
        type = "district_json"
        url = "{http_server.url("/t")}"
        interval = "1h"
        indicator = "tertiary_share"
        """,
    )
    first = cli(config, "fetch", "--once")
    assert first.returncode == 0, first.stdout + first.stderr
    again = cli(config, "fetch", "--once")
    assert again.returncode == 0
    assert "0 new" in again.stdout  # the same figure fetched twice is not a new revision


def _runs(db_path: Path) -> list[tuple[int, int]]:
    if not db_path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            rows: list[Any] = db.execute(
                "SELECT ok, new_observations FROM fetch_log WHERE source = 'bulk'"
            ).fetchall()
            return [(int(a), int(b)) for a, b in rows]
    except sqlite3.OperationalError:
        return []


def _start_collect(config: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    return subprocess.Popen(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), "collect"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_runs(db_path: Path, n: int, proc: subprocess.Popen[str]) -> None:
    def logged() -> list[tuple[int, int]]:
        assert proc.poll() is None, proc.communicate()
        ok = [r for r in _runs(db_path) if r[0]]
        return ok if len(ok) >= n else []

    # 20,000 rows a run: a loaded machine takes minutes for three, an idle one a second.
    wait_for(logged, what=f"the collector to log {n} runs of the bulk source", limit_s=300)


BULK_SOURCE = """
[sources.bulk]
type = "bulk"
rows = 20000
interval = "50ms"
indicator = "bulk_series"
"""


def test_sigkill_during_large_writes_keeps_committed_data(tmp_path: Path) -> None:
    config = write_config(tmp_path, BULK_SOURCE)
    db_path = tmp_path / "history.db"
    proc = _start_collect(config)
    try:
        _wait_for_runs(db_path, 3, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = db.execute(
            "SELECT count(*) FROM observations WHERE indicator = 'bulk_series'"
        ).fetchone()[0]
        per_run = db.execute(
            "SELECT value, count(*) FROM observations WHERE indicator = 'bulk_series' GROUP BY value"
        ).fetchall()
    logged = sum(new for ok, new in _runs(db_path) if ok)
    assert logged >= 3 * 20000
    # Every logged run is there in full; a run killed mid-write is there in full or not at all.
    assert stored >= logged
    assert all(count == 20000 for _, count in per_run), per_run


def test_sigterm_stops_collect_cleanly(tmp_path: Path) -> None:
    config = write_config(tmp_path, BULK_SOURCE.replace("20000", "2000"))
    proc = _start_collect(config)
    try:
        _wait_for_runs(tmp_path / "history.db", 2, proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping" in err
    with sqlite3.connect(tmp_path / "history.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_one_collector_per_database(tmp_path: Path) -> None:
    config = write_config(tmp_path, BULK_SOURCE.replace("20000", "10"))
    db_path = tmp_path / "history.db"
    first = _start_collect(config)
    try:
        _wait_for_runs(db_path, 1, first)
        second = cli(config, "collect", timeout=30)
        assert second.returncode == 1
        assert f"another collector (pid {first.pid})" in second.stderr
        first.send_signal(signal.SIGKILL)  # the lock goes with its holder, however it ends
        first.wait(timeout=10)
        runs_so_far = len(_runs(db_path))
        third = _start_collect(config)
        _wait_for_runs(db_path, runs_so_far + 1, third)
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=30) == 0
    finally:
        for proc in (first, locals().get("third")):
            if isinstance(proc, subprocess.Popen) and proc.poll() is None:
                proc.kill()
