"""The SQLite history store: WAL, one transaction per write, every revision kept."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lishi_tui.domain.model import Indicator, Observation, SourceRunOutcome
from lishi_tui.store.base import SourceHealth, WriteResult
from lishi_tui.store.rows import (
    FETCH_COLUMNS,
    INSERT_COLUMNS,
    OBS_COLUMNS,
    SERIES_ORDER,
    SQLITE,
    Key,
    RevisionPlan,
    fetch_log_query,
    health_backfill_sql,
    health_query,
    history_query,
    indicator_definition,
    log_fetch_sql,
    observation_from_row,
    oldest_first,
    outcome_from_row,
    pick_per_period,
    prepare,
    record_health_sql,
    revisions_query,
    upsert_indicators_sql,
    utc_text,
)

SCHEMA_VERSION = 2

_SCHEMA_V1 = """
CREATE TABLE indicators (
    id          TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE observations (
    id            INTEGER PRIMARY KEY,
    indicator     TEXT NOT NULL,
    period_key    TEXT NOT NULL,
    period_kind   TEXT NOT NULL,
    period_start  INTEGER NOT NULL,
    value         REAL,
    numerator     REAL,
    denominator   REAL,
    status        TEXT NOT NULL,
    qualifier     TEXT NOT NULL,
    source        TEXT NOT NULL,
    origin        TEXT NOT NULL,
    fetch_url     TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    is_latest     INTEGER NOT NULL,
    demo          INTEGER NOT NULL,
    note          TEXT NOT NULL,
    UNIQUE (indicator, period_key, source, revision)
);
-- One latest revision per key; also the lookup a write makes for the keys it touches.
CREATE UNIQUE INDEX observations_current
    ON observations (indicator, period_key, source) WHERE is_latest = 1;
-- latest() and history() walk this in order and stop early.
CREATE INDEX observations_series
    ON observations (indicator, period_start DESC, demo, fetched_at DESC, id DESC)
    WHERE is_latest = 1;
CREATE TABLE fetch_log (
    id                INTEGER PRIMARY KEY,
    source            TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    duration          REAL NOT NULL,
    ok                INTEGER NOT NULL,
    error             TEXT NOT NULL,
    bytes             INTEGER NOT NULL,
    readings          INTEGER NOT NULL,
    new_observations  INTEGER NOT NULL,
    skipped           TEXT NOT NULL
);
CREATE INDEX fetch_log_source ON fetch_log (source, started_at DESC, id DESC);
"""

# v2: a summary row per source, so that health() does not read the whole fetch log.
_SCHEMA_V2 = f"""
CREATE TABLE source_health (
    source                TEXT PRIMARY KEY,
    last_run_id           INTEGER NOT NULL,
    last_success          TEXT,
    consecutive_failures  INTEGER NOT NULL
);
{health_backfill_sql("g.ok = 1", "g.ok = 0", "''")}
"""

# Migration n takes a database at user_version n-1 to n.
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: _SCHEMA_V2}


class SqliteStore:
    """History in one SQLite file, safe to share between a writer thread and readers.

    One connection guarded by a lock serves all threads of a process; other processes
    open their own SqliteStore on the same file (WAL lets them read while one writes).
    """

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._own_commits = 0
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
        )
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)

    # -- plumbing

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise RuntimeError(f"store {self.path} is closed")
            yield self._conn

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        with self._locked() as conn:
            conn.execute(f"BEGIN {mode}")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self._own_commits += 1

    # -- writes

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Store observations in one transaction: all of them or none."""
        if not observations:
            return WriteResult()
        keys, times = prepare(observations)
        with self._transaction() as conn:
            current = self._current(conn, sorted(set(keys)))
            plan = RevisionPlan(current, zip(observations, keys, strict=True))
            if plan.superseded:
                conn.executemany(
                    "UPDATE observations SET is_latest = 0 WHERE id = ?",
                    [(i,) for i in plan.superseded],
                )
            if plan.rows:
                placeholders = ", ".join("?" * 17)
                conn.executemany(
                    f"INSERT INTO observations ({INSERT_COLUMNS}) VALUES ({placeholders})",
                    plan.insert_rows(times.__getitem__),
                )
        return plan.result()

    @staticmethod
    def _current(
        conn: sqlite3.Connection, keys: list[Key]
    ) -> dict[Key, tuple[Any, int, tuple[Any, ...]]]:
        # One query for the whole batch: brand-new keys cost no per-row SELECT.
        rows = conn.execute(
            """
            SELECT o.indicator, o.period_key, o.source, o.id, o.revision,
                   o.value, o.numerator, o.denominator, o.status, o.qualifier
            FROM json_each(?) AS k
            JOIN observations AS o
              ON o.indicator = json_extract(k.value, '$[0]')
             AND o.period_key = json_extract(k.value, '$[1]')
             AND o.source = json_extract(k.value, '$[2]')
             AND o.is_latest = 1
            """,
            (json.dumps(keys),),
        )
        return {(r[0], r[1], r[2]): (r[3], r[4], tuple(r[5:10])) for r in rows}

    def upsert_indicators(self, indicators: Iterable[Indicator]) -> None:
        """Record the indicators' names and units (for other readers of the database)."""
        now = utc_text(datetime.now(UTC))
        params = [
            (i.id, i.name_zh, i.name_en, i.unit, indicator_definition(i), now) for i in indicators
        ]
        if not params:
            return
        with self._transaction() as conn:
            conn.executemany(upsert_indicators_sql(SQLITE), params)

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Append one source run to the fetch log and fold it into the source's summary."""
        started = utc_text(outcome.started_at)
        with self._transaction() as conn:
            cursor = conn.execute(
                log_fetch_sql(SQLITE),
                (
                    outcome.source,
                    started,
                    outcome.duration_s,
                    int(outcome.ok),
                    outcome.error,
                    outcome.bytes_received,
                    outcome.readings,
                    outcome.new_observations,
                    json.dumps(list(outcome.skipped), ensure_ascii=False),
                ),
            )
            conn.execute(
                record_health_sql(SQLITE),
                (outcome.source, cursor.lastrowid, outcome.ok, started, outcome.ok),
            )

    def prune(self, *, fetch_log_before: datetime, demo_revisions_before: datetime) -> int:
        """Delete old fetch-log runs and superseded demo revisions (see Store.prune)."""
        with self._transaction() as conn:
            runs = conn.execute(
                "DELETE FROM fetch_log WHERE started_at < ? "
                "AND id NOT IN (SELECT last_run_id FROM source_health)",
                (utc_text(fetch_log_before),),
            ).rowcount
            demo = conn.execute(
                "DELETE FROM observations WHERE demo = 1 AND is_latest = 0 AND fetched_at < ?",
                (utc_text(demo_revisions_before),),
            ).rowcount
        return runs + demo

    # -- reads

    def version(self) -> int:
        """SQLite's data_version moves when another connection commits; our own commits are
        counted here, since data_version does not see them."""
        with self._locked() as conn:
            (data_version,) = conn.execute("PRAGMA data_version").fetchone()
        return int(data_version) + (self._own_commits << 32)

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]:
        """The newest period's latest revision for each indicator that has one."""
        if indicator_ids is None:
            # Skip-scan the distinct indicators through the index instead of reading every row.
            ids_sql = """
                WITH RECURSIVE ids(id) AS (
                    SELECT MIN(indicator) FROM observations
                    UNION ALL
                    SELECT (SELECT MIN(indicator) FROM observations WHERE indicator > ids.id)
                    FROM ids WHERE ids.id IS NOT NULL
                )
                SELECT id FROM ids WHERE id IS NOT NULL
            """
            params: tuple[Any, ...] = ()
        else:
            ids_sql = "SELECT DISTINCT value AS id FROM json_each(?)"
            params = (json.dumps(list(indicator_ids)),)
        # Real first: the newest real figure, else (when demo is allowed) the newest of any.
        # Two index walks instead of one ORDER BY demo, which the index cannot serve.
        newest = """(SELECT o.id FROM observations AS o
                     WHERE o.indicator = wanted.id AND o.is_latest = 1 {extra}
                     ORDER BY {order} LIMIT 1)"""
        real = newest.format(extra="AND o.demo = 0", order=SERIES_ORDER)
        pick = (
            f"COALESCE({real}, {newest.format(extra='', order=SERIES_ORDER)})"
            if include_demo
            else real
        )
        sql = f"""
            SELECT {OBS_COLUMNS} FROM observations WHERE id IN (
                SELECT {pick} FROM ({ids_sql}) AS wanted
            )
        """
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return {row[0]: observation_from_row(row) for row in rows}

    def history(
        self,
        indicator_id: str,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        include_demo: bool = True,
    ) -> list[Observation]:
        """Latest revision per period, oldest period first; ``limit`` keeps the newest n."""
        sql, params = history_query(SQLITE, indicator_id, since, include_demo)
        with self._locked() as conn:
            picked = pick_per_period(conn.execute(sql, params), limit)
        return oldest_first(picked)

    def revisions(self, indicator_id: str, period_key: str | None = None) -> list[Observation]:
        """Every revision (all sources), newest period first, then newest revision first."""
        sql, params = revisions_query(SQLITE, indicator_id, period_key)
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [observation_from_row(row) for row in rows]

    def fetch_log(self, source: str | None = None, limit: int = 50) -> list[SourceRunOutcome]:
        """Newest runs first."""
        sql, params = fetch_log_query(SQLITE, source, limit)
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [outcome_from_row(row) for row in rows]

    def health(self) -> dict[str, SourceHealth]:
        """Per source: last run, last success, failures in a row."""
        with self._locked() as conn:
            rows = conn.execute(health_query()).fetchall()
        n = len(FETCH_COLUMNS.split(","))
        return {
            row[0]: SourceHealth(
                source=row[0],
                last_run=outcome_from_row(row[:n]),
                last_success=datetime.fromisoformat(row[n]) if row[n] else None,
                consecutive_failures=int(row[n + 1]),
            )
            for row in rows
        }

    def changes_since(self, cursor: int) -> tuple[int, frozenset[str]]:
        """Indicators with observations stored after ``cursor`` (by any process), and the
        new cursor. ``changes_since(0)`` returns every indicator with data."""
        with self._locked() as conn:
            # One statement, so the cursor and the indicators come from one snapshot; NOT INDEXED
            # keeps the planner on the rowid range instead of scanning an index to group.
            rows = conn.execute(
                "SELECT indicator, MAX(id) FROM observations NOT INDEXED"
                " WHERE id > ? GROUP BY indicator",
                (cursor,),
            ).fetchall()
        if not rows:
            return cursor, frozenset()
        return max(r[1] for r in rows), frozenset(r[0] for r in rows)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def migrate(conn: sqlite3.Connection, migrations: dict[int, str] | None = None) -> int:
    """Bring the schema up to date; safe when several processes open a new file at once."""
    steps = MIGRATIONS if migrations is None else migrations
    target = max(steps)
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= target:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version + 1, target + 1):
            _run_script(conn.execute, steps[step])
            conn.execute(f"PRAGMA user_version = {step}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return target


def _run_script(execute: Callable[[str], object], script: str) -> None:
    # executescript() would COMMIT the open transaction; run statement by statement instead.
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            execute(statement)
