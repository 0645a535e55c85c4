"""The SQLite history store: WAL, one transaction per write, every revision kept."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from lishi_tui.domain.model import (
    Indicator,
    Observation,
    ObservationStatus,
    Qualifier,
    Reading,
    SourceRunOutcome,
)
from lishi_tui.domain.periods import CHINA_TZ, Period, PeriodKind
from lishi_tui.store.base import SourceHealth, WriteResult

SCHEMA_VERSION = 1

# The columns read back into an Observation, in this order (see observation_from_row).
OBS_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, demo, note"
)
FETCH_COLUMNS = (
    "source, started_at, duration, ok, error, bytes, readings, new_observations, skipped"
)

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

# Migration n takes a database at user_version n-1 to n.
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}

_SERIES_ORDER = "period_start DESC, demo, fetched_at DESC, id DESC"
# A real figure is the latest whenever one exists, however new a demo period is.
_LATEST_ORDER = "demo, period_start DESC, fetched_at DESC, id DESC"


# ---------------------------------------------------------------- row codec (shared with postgres)


def utc_text(moment: datetime) -> str:
    """A timezone-aware moment as fixed-width ISO UTC text, which sorts chronologically."""
    if moment.tzinfo is None:
        raise ValueError(f"a stored time needs a timezone, got naive {moment.isoformat()}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@lru_cache(maxsize=65536)
def period_from_row(kind: str, start: int) -> Period:
    """Rebuild a Period exactly as Period.parse(key) would (Beijing time, or UTC for instants)."""
    period_kind = PeriodKind(kind)
    tz = UTC if period_kind is PeriodKind.INSTANT else CHINA_TZ
    return Period(datetime.fromtimestamp(start, tz), period_kind)


_STATUSES = {s.value: s for s in ObservationStatus}
_QUALIFIERS = {q.value: q for q in Qualifier}


@lru_cache(maxsize=4096)
def utc_from_text(text: str) -> datetime:
    """Stored ISO text back to an aware UTC datetime (a batch shares one, hence the cache)."""
    return datetime.fromisoformat(text).astimezone(UTC)


def observation_values(obs: Observation) -> tuple[Any, ...]:
    """The values compared to decide whether a re-fetch is a new revision."""
    r = obs.reading
    return (r.value, r.numerator, r.denominator, r.status.value, r.qualifier.value)


def observation_from_row(row: Sequence[Any]) -> Observation:
    """An Observation from the OBS_COLUMNS of one row."""
    (
        indicator,
        _key,
        kind,
        start,
        value,
        num,
        den,
        status,
        qualifier,
        source,
        origin,
        fetch_url,
        fetched_at,
        revision,
        demo,
        note,
    ) = row
    reading = Reading(
        indicator=indicator,
        period=period_from_row(kind, int(start)),
        value=value,
        numerator=num,
        denominator=den,
        status=_STATUSES[status],
        qualifier=_QUALIFIERS[qualifier],
        origin=origin,
        demo=bool(demo),
        note=note,
    )
    return Observation(
        reading=reading,
        source=source,
        fetched_at=(
            utc_from_text(fetched_at) if isinstance(fetched_at, str) else fetched_at.astimezone(UTC)
        ),
        revision=int(revision),
        fetch_url=fetch_url,
    )


def outcome_from_row(row: Sequence[Any]) -> SourceRunOutcome:
    """A SourceRunOutcome from the FETCH_COLUMNS of one row."""
    source, started, duration, ok, error, nbytes, readings, new, skipped = row
    if isinstance(started, str):
        started = datetime.fromisoformat(started)
    return SourceRunOutcome(
        source=source,
        started_at=started.astimezone(UTC),
        duration_s=float(duration),
        ok=bool(ok),
        error=error,
        bytes_received=int(nbytes),
        readings=int(readings),
        new_observations=int(new),
        skipped=tuple(json.loads(skipped)),
    )


def _json_default(value: object) -> object:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__} in an indicator definition")


def indicator_definition(indicator: Indicator) -> str:
    """The indicator as JSON, for readers of the database other than this program."""
    return json.dumps(asdict(indicator), default=_json_default, ensure_ascii=False, sort_keys=True)


Key = tuple[str, str, str]


class RevisionPlan:
    """Decides, for a batch, which observations are new, revised or unchanged.

    ``current`` maps each key already stored to (row id, revision, compared values).
    Repeats of a key inside one batch are handled in order, as if written one by one.
    """

    def __init__(self, current: dict[Key, tuple[Any, int, tuple[Any, ...]]]) -> None:
        self.current = current
        self.superseded: list[Any] = []  # row ids of stored latest rows that lose the flag
        self.rows: list[tuple[Observation, Key, int]] = []  # (observation, key, revision)
        self.latest_in_batch: dict[Key, int] = {}  # key -> index into rows of its latest
        self.new = self.revised = self.unchanged = 0
        self.touched: set[str] = set()

    def add(self, obs: Observation, key: Key) -> None:
        values = observation_values(obs)
        known = self.current.get(key)
        if known is not None and known[2] == values:
            self.unchanged += 1
            return
        if known is None:
            self.new += 1
            revision = 1
        else:
            self.revised += 1
            revision = known[1] + 1
            if known[0] is not None:
                self.superseded.append(known[0])
        self.touched.add(key[0])
        self.latest_in_batch[key] = len(self.rows)
        self.rows.append((obs, key, revision))
        self.current[key] = (None, revision, values)

    def insert_rows(self, times: dict[datetime, str]) -> Iterator[tuple[Any, ...]]:
        """Rows to insert, with only each key's last revision in the batch marked latest."""
        latest = set(self.latest_in_batch.values())
        for i, (obs, key, revision) in enumerate(self.rows):
            yield insert_params(obs, key, revision, i in latest, times[obs.fetched_at])

    def result(self) -> WriteResult:
        return WriteResult(
            new=self.new,
            revised=self.revised,
            unchanged=self.unchanged,
            indicators=frozenset(self.touched),
        )


def insert_params(
    obs: Observation, key: Key, revision: int, is_latest: bool, fetched_at: str
) -> tuple[Any, ...]:
    """The observations row (without id) in table column order."""
    r = obs.reading
    return (
        key[0],
        key[1],
        r.period.kind.value,
        int(r.period.start.timestamp()),
        r.value,
        r.numerator,
        r.denominator,
        r.status.value,
        r.qualifier.value,
        key[2],
        r.origin,
        obs.fetch_url,
        fetched_at,
        revision,
        int(is_latest),
        int(r.demo),
        r.note,
    )


def prepare(observations: Sequence[Observation]) -> tuple[list[Key], dict[datetime, str]]:
    """Each observation's key, and its fetch time as stored; raises on a naive time
    before anything touches the database."""
    keys = [(o.reading.indicator, o.reading.period.key, o.source) for o in observations]
    # A batch usually shares one fetch time: format each distinct one once.
    times = {o.fetched_at: "" for o in observations}
    return keys, {t: utc_text(t) for t in times}


INSERT_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, is_latest, demo, note"
)


def health_from_log(
    last_runs: dict[str, SourceRunOutcome],
    last_success: dict[str, datetime],
    failures: dict[str, int],
) -> dict[str, SourceHealth]:
    """Assemble SourceHealth per source from the three summary queries."""
    return {
        source: SourceHealth(
            source=source,
            last_run=run,
            last_success=last_success.get(source),
            consecutive_failures=failures.get(source, 0),
        )
        for source, run in sorted(last_runs.items())
    }


# ---------------------------------------------------------------- the store


class SqliteStore:
    """History in one SQLite file, safe to share between a writer thread and readers.

    One connection guarded by a lock serves all threads of a process; other processes
    open their own SqliteStore on the same file (WAL lets them read while one writes).
    """

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
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

    # -- writes

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Store observations in one transaction: all of them or none."""
        if not observations:
            return WriteResult()
        keys, times = prepare(observations)
        with self._transaction() as conn:
            plan = RevisionPlan(self._current(conn, sorted(set(keys))))
            for obs, key in zip(observations, keys, strict=True):
                plan.add(obs, key)
            if plan.superseded:
                conn.executemany(
                    "UPDATE observations SET is_latest = 0 WHERE id = ?",
                    [(i,) for i in plan.superseded],
                )
            if plan.rows:
                placeholders = ", ".join("?" * 17)
                conn.executemany(
                    f"INSERT INTO observations ({INSERT_COLUMNS}) VALUES ({placeholders})",
                    plan.insert_rows(times),
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
            conn.executemany(
                """
                INSERT INTO indicators (id, name_zh, name_en, unit, definition, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    name_zh = excluded.name_zh, name_en = excluded.name_en,
                    unit = excluded.unit, definition = excluded.definition,
                    updated_at = excluded.updated_at
                WHERE definition IS NOT excluded.definition
                """,
                params,
            )

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Append one source run to the fetch log."""
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO fetch_log ({FETCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    outcome.source,
                    utc_text(outcome.started_at),
                    outcome.duration_s,
                    int(outcome.ok),
                    outcome.error,
                    outcome.bytes_received,
                    outcome.readings,
                    outcome.new_observations,
                    json.dumps(list(outcome.skipped), ensure_ascii=False),
                ),
            )

    # -- reads

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]:
        """The newest period's latest revision for each indicator that has one."""
        demo = "" if include_demo else "AND o.demo = 0"
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
        sql = f"""
            SELECT {OBS_COLUMNS} FROM observations WHERE id IN (
                SELECT (SELECT o.id FROM observations AS o
                        WHERE o.indicator = wanted.id AND o.is_latest = 1 {demo}
                        ORDER BY {_LATEST_ORDER} LIMIT 1)
                FROM ({ids_sql}) AS wanted
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
        clauses = ["indicator = ?", "is_latest = 1"]
        params: list[Any] = [indicator_id]
        if not include_demo:
            clauses.append("demo = 0")
        if since is not None:
            clauses.append("period_start >= ?")
            params.append(int(since.timestamp()))
        sql = (
            f"SELECT {OBS_COLUMNS} FROM observations WHERE {' AND '.join(clauses)} "
            f"ORDER BY {_SERIES_ORDER}"
        )
        with self._locked() as conn:
            rows = conn.execute(sql, params)
            picked = pick_per_period(rows, limit)
        picked.reverse()
        return [observation_from_row(row) for row in picked]

    def revisions(self, indicator_id: str, period_key: str | None = None) -> list[Observation]:
        """Every revision (all sources), newest period first, then newest revision first."""
        sql = f"SELECT {OBS_COLUMNS} FROM observations WHERE indicator = ?"
        params: list[Any] = [indicator_id]
        if period_key is not None:
            sql += " AND period_key = ?"
            params.append(Period.parse(period_key).key)
        sql += " ORDER BY period_start DESC, revision DESC, fetched_at DESC, id DESC"
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [observation_from_row(row) for row in rows]

    def fetch_log(self, source: str | None = None, limit: int = 50) -> list[SourceRunOutcome]:
        """Newest runs first."""
        where = "WHERE source = ?" if source is not None else ""
        params: tuple[Any, ...] = (source, limit) if source is not None else (limit,)
        sql = (
            f"SELECT {FETCH_COLUMNS} FROM fetch_log {where} "
            "ORDER BY started_at DESC, id DESC LIMIT ?"
        )
        with self._locked() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [outcome_from_row(row) for row in rows]

    def health(self) -> dict[str, SourceHealth]:
        """Per source: last run, last success, failures in a row."""
        with self._transaction("DEFERRED") as conn:
            last_runs = {
                row[0]: outcome_from_row(row)
                for row in conn.execute(
                    f"""
                    SELECT {FETCH_COLUMNS} FROM fetch_log AS f WHERE f.id = (
                        SELECT g.id FROM fetch_log AS g WHERE g.source = f.source
                        ORDER BY g.started_at DESC, g.id DESC LIMIT 1)
                    """
                )
            }
            last_success = {
                source: datetime.fromisoformat(started)
                for source, started in conn.execute(
                    "SELECT source, MAX(started_at) FROM fetch_log WHERE ok = 1 GROUP BY source"
                )
            }
            failures = dict(
                conn.execute(
                    """
                    SELECT f.source, COUNT(*) FROM fetch_log AS f
                    WHERE f.ok = 0 AND f.started_at > COALESCE(
                        (SELECT MAX(s.started_at) FROM fetch_log AS s
                         WHERE s.source = f.source AND s.ok = 1), '')
                    GROUP BY f.source
                    """
                ).fetchall()
            )
        return health_from_log(last_runs, last_success, failures)

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


def pick_per_period(rows: Iterable[Sequence[Any]], limit: int | None) -> list[Sequence[Any]]:
    """From series rows in best-first order, the first row of each period, up to ``limit``."""
    picked: list[Sequence[Any]] = []
    seen: set[str] = set()
    for row in rows:
        key = row[1]
        if key in seen:
            continue
        if limit is not None and len(picked) >= limit:
            break
        seen.add(key)
        picked.append(row)
    return picked


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
