"""The PostgreSQL history store: the SQLite store's semantics on a shared server (psycopg 3)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from lishi_tui.domain.model import Indicator, Observation, SourceRunOutcome
from lishi_tui.store.base import SourceHealth, WriteResult
from lishi_tui.store.rows import (
    FETCH_COLUMNS,
    INSERT_COLUMNS,
    LATEST_ORDER,
    OBS_COLUMNS,
    POSTGRES,
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

# Any constant shared by every lishi-tui process: the advisory lock that serialises writers.
# Holding it until COMMIT means row ids are handed out in commit order, which is what lets
# changes_since() trust "id > cursor" across processes (sequences alone do not promise that).
_WRITE_LOCK = 0x6C697368  # "lish"

_SCHEMA_V1 = [
    """
    CREATE TABLE indicators (
        id          TEXT PRIMARY KEY,
        name_zh     TEXT NOT NULL,
        name_en     TEXT NOT NULL,
        unit        TEXT NOT NULL,
        definition  JSONB NOT NULL,
        updated_at  TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE observations (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        indicator     TEXT NOT NULL,
        period_key    TEXT NOT NULL,
        period_kind   TEXT NOT NULL,
        period_start  BIGINT NOT NULL,
        value         DOUBLE PRECISION,
        numerator     DOUBLE PRECISION,
        denominator   DOUBLE PRECISION,
        status        TEXT NOT NULL,
        qualifier     TEXT NOT NULL,
        source        TEXT NOT NULL,
        origin        TEXT NOT NULL,
        fetch_url     TEXT NOT NULL,
        fetched_at    TIMESTAMPTZ NOT NULL,
        revision      INTEGER NOT NULL,
        is_latest     BOOLEAN NOT NULL,
        demo          BOOLEAN NOT NULL,
        note          TEXT NOT NULL,
        UNIQUE (indicator, period_key, source, revision)
    )
    """,
    """
    CREATE UNIQUE INDEX observations_current
        ON observations (indicator, period_key, source) WHERE is_latest
    """,
    """
    CREATE INDEX observations_series
        ON observations (indicator, period_start DESC, demo, fetched_at DESC, id DESC)
        WHERE is_latest
    """,
    """
    CREATE TABLE fetch_log (
        id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source            TEXT NOT NULL,
        started_at        TIMESTAMPTZ NOT NULL,
        duration          DOUBLE PRECISION NOT NULL,
        ok                BOOLEAN NOT NULL,
        error             TEXT NOT NULL,
        bytes             BIGINT NOT NULL,
        readings          INTEGER NOT NULL,
        new_observations  INTEGER NOT NULL,
        skipped           JSONB NOT NULL
    )
    """,
    "CREATE INDEX fetch_log_source ON fetch_log (source, started_at DESC, id DESC)",
]

# v2: a summary row per source, so that health() does not read the whole fetch log.
_SCHEMA_V2 = [
    """
    CREATE TABLE source_health (
        source                TEXT PRIMARY KEY,
        last_run_id           BIGINT NOT NULL,
        last_success          TIMESTAMPTZ,
        consecutive_failures  INTEGER NOT NULL
    )
    """,
    health_backfill_sql("g.ok", "NOT g.ok", "'-infinity'"),
]

# Migration n takes a database at schema version n-1 to n.
MIGRATIONS: dict[int, list[str]] = {1: _SCHEMA_V1, 2: _SCHEMA_V2}


def _fetch_row(row: Sequence[Any]) -> SourceRunOutcome:
    # jsonb comes back decoded; the shared codec reads the JSON text SQLite keeps.
    values = list(row)
    values[-1] = json.dumps(values[-1])
    return outcome_from_row(values)


class PostgresStore:
    """History in a PostgreSQL database (tables in the DSN's search_path), shared by processes."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = psycopg.connect(
            dsn, autocommit=True
        )
        self._conn.execute("SET TIME ZONE 'UTC'")
        migrate(self._conn)

    # -- plumbing

    @contextmanager
    def _locked(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("store is closed")
            yield self._conn

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        with self._locked() as conn, conn.transaction():
            yield conn

    # -- writes

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Store observations in one transaction: all of them or none."""
        if not observations:
            return WriteResult()
        keys, _ = prepare(observations)  # raises on a naive time before touching the database
        with self._transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            current = self._current(conn, sorted(set(keys)))
            plan = RevisionPlan(current, zip(observations, keys, strict=True))
            if plan.superseded:
                conn.execute(
                    "UPDATE observations SET is_latest = false WHERE id = ANY(%s)",
                    (plan.superseded,),
                )
            if plan.rows:
                self._insert(conn, plan)
        return plan.result()

    @staticmethod
    def _insert(conn: psycopg.Connection[tuple[Any, ...]], plan: RevisionPlan) -> None:
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY observations ({INSERT_COLUMNS}) FROM STDIN") as copy,
        ):
            # COPY takes the aware datetime itself (a TIMESTAMPTZ column), not text.
            for row in plan.insert_rows(lambda fetched_at: fetched_at):
                copy.write_row(row)

    @staticmethod
    def _current(
        conn: psycopg.Connection[tuple[Any, ...]], keys: list[Key]
    ) -> dict[Key, tuple[Any, int, tuple[Any, ...]]]:
        # One query for the whole batch: brand-new keys cost no per-row SELECT.
        rows = conn.execute(
            """
            SELECT o.indicator, o.period_key, o.source, o.id, o.revision,
                   o.value, o.numerator, o.denominator, o.status, o.qualifier
            FROM unnest(%s::text[], %s::text[], %s::text[]) AS k(i, p, s)
            JOIN observations AS o
              ON o.indicator = k.i AND o.period_key = k.p AND o.source = k.s AND o.is_latest
            """,
            ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
        )
        return {(r[0], r[1], r[2]): (r[3], r[4], tuple(r[5:10])) for r in rows}

    def upsert_indicators(self, indicators: Iterable[Indicator]) -> None:
        """Record the indicators' names and units (for other readers of the database)."""
        now = datetime.now(UTC)
        params = [
            (i.id, i.name_zh, i.name_en, i.unit, Jsonb(json.loads(indicator_definition(i))), now)
            for i in indicators
        ]
        if not params:
            return
        with self._transaction() as conn, conn.cursor() as cur:
            cur.executemany(upsert_indicators_sql(POSTGRES), params)

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Append one source run to the fetch log and fold it into the source's summary."""
        utc_text(outcome.started_at)  # refuses a naive time before touching the database
        with self._transaction() as conn:
            row = conn.execute(
                (log_fetch_sql(POSTGRES) + " RETURNING id").encode(),
                (
                    outcome.source,
                    outcome.started_at,
                    outcome.duration_s,
                    outcome.ok,
                    outcome.error,
                    outcome.bytes_received,
                    outcome.readings,
                    outcome.new_observations,
                    Jsonb(list(outcome.skipped)),
                ),
            ).fetchone()
            assert row is not None
            conn.execute(
                record_health_sql(POSTGRES).encode(),
                (outcome.source, row[0], outcome.ok, outcome.started_at, outcome.ok),
            )

    def prune(self, *, fetch_log_before: datetime, demo_revisions_before: datetime) -> int:
        """Delete old fetch-log runs and superseded demo revisions (see Store.prune)."""
        utc_text(fetch_log_before)
        utc_text(demo_revisions_before)
        with self._transaction() as conn:
            runs = conn.execute(
                "DELETE FROM fetch_log WHERE started_at < %s "
                "AND id NOT IN (SELECT last_run_id FROM source_health)",
                (fetch_log_before,),
            ).rowcount
            demo = conn.execute(
                "DELETE FROM observations WHERE demo AND NOT is_latest AND fetched_at < %s",
                (demo_revisions_before,),
            ).rowcount
        return runs + demo

    # -- reads

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]:
        """The newest period's latest revision for each indicator that has one."""
        demo = "" if include_demo else "AND NOT o.demo"
        params: tuple[Any, ...]
        if indicator_ids is None:
            # PostgreSQL has no skip scan: walk the distinct indicators through the index.
            ids_sql = """
                WITH RECURSIVE ids(id) AS (
                    (SELECT indicator FROM observations WHERE is_latest
                     ORDER BY indicator LIMIT 1)
                    UNION ALL
                    SELECT (SELECT indicator FROM observations
                            WHERE is_latest AND indicator > ids.id
                            ORDER BY indicator LIMIT 1)
                    FROM ids WHERE ids.id IS NOT NULL
                )
                SELECT id FROM ids WHERE id IS NOT NULL
            """
            params = ()
        else:
            ids_sql = "SELECT DISTINCT unnest(%s::text[]) AS id"
            params = (list(indicator_ids),)
        sql = f"""
            SELECT x.* FROM ({ids_sql}) AS wanted
            CROSS JOIN LATERAL (
                SELECT {OBS_COLUMNS} FROM observations AS o
                WHERE o.indicator = wanted.id AND o.is_latest {demo}
                ORDER BY {LATEST_ORDER} LIMIT 1
            ) AS x
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
        sql, params = history_query(POSTGRES, indicator_id, since, include_demo)
        with self._locked() as conn:
            picked = pick_per_period(conn.execute(sql, params), limit)
        return oldest_first(picked)

    def revisions(self, indicator_id: str, period_key: str | None = None) -> list[Observation]:
        """Every revision (all sources), newest period first, then newest revision first."""
        sql, params = revisions_query(POSTGRES, indicator_id, period_key)
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [observation_from_row(row) for row in rows]

    def fetch_log(self, source: str | None = None, limit: int = 50) -> list[SourceRunOutcome]:
        """Newest runs first."""
        sql, params = fetch_log_query(POSTGRES, source, limit)
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_fetch_row(row) for row in rows]

    def health(self) -> dict[str, SourceHealth]:
        """Per source: last run, last success, failures in a row."""
        with self._locked() as conn:
            rows = conn.execute(health_query().encode()).fetchall()
        n = len(FETCH_COLUMNS.split(","))
        return {
            row[0]: SourceHealth(
                source=row[0],
                last_run=_fetch_row(row[:n]),
                last_success=row[n].astimezone(UTC) if row[n] else None,
                consecutive_failures=int(row[n + 1]),
            )
            for row in rows
        }

    def version(self) -> int:
        """The newest observation and fetch-log ids: both only grow, and each commit adds one."""
        with self._locked() as conn:
            row = conn.execute(
                "SELECT (SELECT COALESCE(max(id), 0) FROM observations),"
                " (SELECT COALESCE(max(id), 0) FROM fetch_log)"
            ).fetchone()
        assert row is not None
        return int(row[0]) + (int(row[1]) << 40)

    def changes_since(self, cursor: int) -> tuple[int, frozenset[str]]:
        """Indicators with observations stored after ``cursor`` (by any process), and the
        new cursor. ``changes_since(0)`` returns every indicator with data."""
        with self._locked() as conn:
            rows = conn.execute(
                "SELECT indicator, MAX(id) FROM observations WHERE id > %s GROUP BY indicator",
                (cursor,),
            ).fetchall()
        if not rows:
            return cursor, frozenset()
        return int(max(r[1] for r in rows)), frozenset(r[0] for r in rows)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def migrate(
    conn: psycopg.Connection[tuple[Any, ...]], migrations: dict[int, list[str]] | None = None
) -> int:
    """Bring the schema up to date; an advisory lock keeps concurrent openers from racing."""
    steps = MIGRATIONS if migrations is None else migrations
    target = max(steps)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK + 1,))
        conn.execute("CREATE TABLE IF NOT EXISTS lishi_schema (version INTEGER NOT NULL)")
        row = conn.execute("SELECT max(version) FROM lishi_schema").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        for step in range(version + 1, target + 1):
            for statement in steps[step]:
                conn.execute(statement.encode())  # bytes: the typed API wants literal SQL
            conn.execute("INSERT INTO lishi_schema (version) VALUES (%s)", (step,))
    return max(version, target)
