"""SQLite store specifics: opening from settings, schema, concurrency between processes, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.config.schema import StorageSettings
from lishi_tui.domain.model import Indicator, Observation, Reading, Target
from lishi_tui.domain.periods import Period
from lishi_tui.store.core import CORE
from lishi_tui.store.factory import open_store
from lishi_tui.store.sqlite import SCHEMA_VERSION, SqliteDialect, SqliteStore

HERE = Path(__file__).parent
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def month_obs(indicator: str, count: int, value: float = 0.0) -> list[Observation]:
    return [
        Observation(
            Reading(indicator, Period.month(2000 + m // 12, m % 12 + 1), value=value + m),
            source="src",
            fetched_at=T0,
        )
        for m in range(count)
    ]


def test_open_store_resolves_relative_paths_and_creates_folders(tmp_path: Path) -> None:
    settings = StorageSettings(path=Path("data/deep/history.db"))
    store = open_store(settings, base_dir=tmp_path)
    try:
        store.write(month_obs("gdp", 1))
    finally:
        store.close()
    assert (tmp_path / "data" / "deep" / "history.db").is_file()


def test_open_store_defaults_to_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = open_store(StorageSettings(), base_dir=tmp_path / "elsewhere")
    store.close()
    assert (tmp_path / "xdg" / "lishi-tui" / "lishi.db").is_file()


def test_open_store_rejects_unknown_backends(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown storage backend 'mysql'"):
        open_store(StorageSettings(backend="mysql"), base_dir=tmp_path)
    with pytest.raises(ValueError, match="needs url"):
        open_store(StorageSettings(backend="postgres"), base_dir=tmp_path)


def test_new_file_is_wal_with_current_schema(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "h.db").close()
    conn = sqlite3.connect(tmp_path / "h.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"indicators", "observations", "fetch_log"} <= tables
    conn.close()


def test_upserted_indicators_are_readable_by_other_tools(tmp_path: Path) -> None:
    gdp = Indicator("gdp", "地区生产总值增速", "GDP growth", unit="%", target=Target(6.0))
    with SqliteStore(tmp_path / "h.db") as store:
        store.upsert_indicators([gdp])
        store.upsert_indicators([Indicator("gdp", "GDP增速", "GDP growth", unit="%")])
    conn = sqlite3.connect(tmp_path / "h.db")
    rows = conn.execute("SELECT id, name_zh, unit, definition FROM indicators").fetchall()
    conn.close()
    assert [r[:3] for r in rows] == [("gdp", "GDP增速", "%")]
    assert json.loads(rows[0][3])["name_en"] == "GDP growth"


def test_readers_in_other_processes_never_see_a_locked_database(tmp_path: Path) -> None:
    db, stop = tmp_path / "h.db", tmp_path / "stop"
    writer = SqliteStore(db)
    writer.write(month_obs("seed", 12))
    readers = [
        subprocess.Popen(
            [sys.executable, str(HERE / "store_reader.py"), str(db), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for n in range(40):
            writer.write(month_obs(f"w{n % 8}", 240, value=float(n)))
    finally:
        stop.touch()
        outputs = [r.communicate(timeout=60) for r in readers]
        writer.close()
    for (out, err), reader in zip(outputs, readers, strict=True):
        assert "locked" not in err
        assert reader.returncode == 0, err
        assert out.startswith("reads=")
    # at least one reader saw the data move while it was reading
    assert any(int(out.split("distinct_cursors=")[1]) > 1 for out, _ in outputs)


def test_sigkill_mid_write_keeps_every_committed_batch(tmp_path: Path) -> None:
    db, size = tmp_path / "h.db", 20_000
    child = subprocess.Popen(
        [sys.executable, str(HERE / "store_kill_writer.py"), str(db), str(size), "1000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    reported: list[int] = []
    try:
        for line in child.stdout:
            reported.append(int(line))
            if len(reported) == 4:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert reported == [0, 1, 2, 3]

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = dict(conn.execute("SELECT indicator, COUNT(*) FROM observations GROUP BY indicator"))
    conn.close()
    for n in reported:
        assert counts[f"batch{n}"] == size
    # a batch in flight at the kill is either wholly there or wholly absent
    assert set(counts.values()) == {size}
    with SqliteStore(db) as store:
        assert store.latest([f"batch{n}" for n in reported]).keys() == {
            f"batch{n}" for n in reported
        }


def test_v1_database_gains_source_health_from_its_fetch_log(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    # A database from before lishi_migrations: the first core step, counted by user_version.
    for statement in CORE.steps[0].statements():
        conn.execute(SqliteDialect(db).sql(statement))
    conn.execute("PRAGMA user_version = 1")
    runs = [
        ("a", "2021-11-01T00:00:00.000000Z", 1),
        ("a", "2021-11-01T01:00:00.000000Z", 0),
        ("a", "2021-11-01T02:00:00.000000Z", 0),
        ("b", "2021-11-01T00:30:00.000000Z", 0),
    ]
    conn.executemany(
        "INSERT INTO fetch_log (source, started_at, duration, ok, error, bytes, readings,"
        " new_observations, skipped) VALUES (?, ?, 0.1, ?, '', 0, 0, 0, '[]')",
        runs,
    )
    conn.commit()
    conn.close()

    with SqliteStore(db) as store:
        health = store.health()
        assert health["a"].consecutive_failures == 2
        assert health["a"].last_success == datetime(2021, 11, 1, tzinfo=UTC)
        assert health["a"].last_run is not None and not health["a"].last_run.ok
        assert health["b"].consecutive_failures == 1 and health["b"].last_success is None
        # New runs keep the summary going from where the log left it.
        from datetime import timedelta

        from lishi_tui.domain.model import SourceRunOutcome

        later = datetime(2021, 11, 1, 3, tzinfo=UTC)
        store.log_fetch(SourceRunOutcome("a", later, 0.1, True))
        store.log_fetch(SourceRunOutcome("b", later + timedelta(minutes=1), 0.1, False, error="x"))
        health = store.health()
        assert health["a"].consecutive_failures == 0 and health["a"].last_success == later
        assert health["b"].consecutive_failures == 2
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        steps = check.execute("SELECT step FROM lishi_migrations WHERE module = 'core'")
        assert [r[0] for r in steps] == list(range(1, SCHEMA_VERSION + 1))
