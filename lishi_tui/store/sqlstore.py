"""One SQL body for every backend: the Store written once over a ``Dialect``.

``SqliteStore`` and ``PostgresStore`` are this class with their dialect; everything a store
does (revisions, latest, history, the fetch log, health, pruning, the heartbeat, migrations)
is written here once, in the shared SQL of ``lishi_tui.store.sql``.

Adding tables from another module (alerts, audit, caches) needs no edit here:

1. Declare them once as a ``Schema`` (``lishi_tui.store.schema``): a module name of your own
   (its own migration sequence) and ``Migration`` steps in the shared SQL.
2. Call ``store.ensure(SCHEMA)`` before first use (idempotent; a set lookup after the first).
3. Write with ``with store.transaction("alerts") as tx: tx.execute("INSERT ... VALUES (?, ?)",
   (rule, now))``, read with ``store.query(...)`` or, for several consistent statements,
   ``with store.read() as tx:``. Decode ``{time}``/``{json}`` columns with ``read_time`` /
   ``read_json`` from ``lishi_tui.store.sql``.

``add_commit_hook(hook, before=True)`` runs ``hook(tx)`` inside every write transaction just
before COMMIT (so a PostgreSQL NOTIFY joins it atomically); ``before=False`` runs it after the
commit. ``tx.topics`` names what the transaction changed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lishi_tui.domain.model import Indicator, Observation, SourceRunOutcome
from lishi_tui.domain.sanity import InsaneReading
from lishi_tui.store import reads, retention
from lishi_tui.store.base import (
    Bucket,
    Heartbeat,
    IndicatorSummary,
    RunWritten,
    SourceHealth,
    SourceRun,
    WriteResult,
)
from lishi_tui.store.batch import WriteBatch, fetch_row
from lishi_tui.store.core import CORE
from lishi_tui.store.current import Current, KeptCurrent
from lishi_tui.store.rows import (
    FETCH_COLUMNS,
    HEALTH_SQL,
    Key,
    RevisionPlan,
    health_from_row,
    indicator_definition,
    outcome_from_row,
    prepare,
)
from lishi_tui.store.schema import (
    CREATE_MIGRATIONS_TABLE,
    MIGRATIONS_TABLE,
    Schema,
    applied_steps,
    pending,
    run_pending,
)
from lishi_tui.store.sql import CommitHook, Dialect, Transaction, convert, read_time
from lishi_tui.store.summary import record_deleted

# The lookup a write makes for the stored latest row of each key in its batch.
_CURRENT_SQL = """
    SELECT o.indicator, o.period_key, o.source, o.id, o.revision,
           o.value, o.numerator, o.denominator, o.status, o.qualifier, o.demo
    FROM {keys} AS k
    JOIN observations AS o
      ON o.indicator = k.c0 AND o.period_key = k.c1 AND o.source = k.c2 AND o.{is_latest}
"""

# Which of a batch's indicators have a summary row (every indicator with a stored row has one).
_KNOWN_SQL = (
    "SELECT s.indicator FROM indicator_summary AS s"
    " WHERE s.indicator IN (SELECT k.c0 FROM {keys} AS k)"
)

_UPSERT_INDICATOR = """
    INSERT INTO indicators (id, name_zh, name_en, unit, definition, updated_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET
        name_zh = excluded.name_zh, name_en = excluded.name_en,
        unit = excluded.unit, definition = excluded.definition,
        updated_at = excluded.updated_at
    WHERE indicators.definition {distinct} excluded.definition
"""

# Fold one run into its source's summary row: source, run id, ok, started_at, ok.
_RECORD_HEALTH = """
    INSERT INTO source_health (source, last_run_id, last_success, consecutive_failures)
    VALUES (?, ?, CASE WHEN ? THEN ? END, CASE WHEN ? THEN 0 ELSE 1 END)
    ON CONFLICT (source) DO UPDATE SET
        last_run_id = excluded.last_run_id,
        last_success = COALESCE(excluded.last_success, source_health.last_success),
        consecutive_failures = CASE WHEN excluded.consecutive_failures = 0
            THEN 0 ELSE source_health.consecutive_failures + 1 END
"""

# Fold a batch's runs of one source into its summary row: source, its last run id, its last
# success in the batch (or NULL), failures after it, whether the batch had a success.
_RECORD_HEALTH_FOLDED = """
    INSERT INTO source_health (source, last_run_id, last_success, consecutive_failures)
    VALUES (?, ?, ?, ?)
    ON CONFLICT (source) DO UPDATE SET
        last_run_id = excluded.last_run_id,
        last_success = COALESCE(excluded.last_success, source_health.last_success),
        consecutive_failures = CASE WHEN ? THEN excluded.consecutive_failures
            ELSE source_health.consecutive_failures + excluded.consecutive_failures END
"""

_HEARTBEAT = """
    INSERT INTO collector_heartbeat (name, pid, host, started_at, beat_at)
    VALUES ('collector', ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET
        started_at = CASE WHEN collector_heartbeat.pid = excluded.pid
                           AND collector_heartbeat.host = excluded.host
                          THEN collector_heartbeat.started_at ELSE excluded.started_at END,
        pid = excluded.pid, host = excluded.host, beat_at = excluded.beat_at
"""


class SqlStore:
    """The Store contract over one database connection, guarded by a lock for all threads."""

    def __init__(self, dialect: Dialect, *, secrets: Sequence[str] = ()) -> None:
        """``secrets``: the config's, which a migration that redacts stored text uses."""
        self.dialect = dialect
        self.secrets = tuple(secrets)
        self._lock = threading.RLock()
        self._conn: Any = dialect.connect()
        self._ensured: set[str] = set()
        self._before_commit: list[CommitHook] = []
        self._health_rows: dict[tuple[Any, ...], SourceHealth] = {}  # health(): last rows read
        self._kept = KeptCurrent()  # write_runs: the stored rows its last batch read
        self.health_parsed = 0  # health rows parsed, not taken from the last read (tests)
        self._after_commit: list[CommitHook] = []
        try:
            self.ensure(CORE)
        except BaseException:
            self.close()
            raise

    # -- the API other modules build on

    @contextmanager
    def transaction(self, *topics: str) -> Iterator[Transaction]:
        """One write transaction: all of it commits or none; the writer lock is held."""
        with self._lock:
            conn = self._open_conn()
            tx = Transaction(self.dialect, conn, write=True)
            tx.touch(*topics)
            with self.dialect.transaction(conn, write=True):
                yield tx
                for hook in self._before_commit:
                    hook(tx)
                self.dialect.committed(conn, tx)
                if tx.wants_version:
                    tx.version_after = self.dialect.version(conn)
        tx.run_after_commit()
        for hook in self._after_commit:
            hook(tx)

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """Several reads from one consistent snapshot (writes here are refused by intent)."""
        with self._lock:
            conn = self._open_conn()
            with self.dialect.transaction(conn, write=False):
                yield Transaction(self.dialect, conn, write=False)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of one statement, outside any transaction."""
        with self._lock:
            tx = Transaction(self.dialect, self._open_conn(), write=False)
            return tx.query(sql, params)

    def ensure(self, schema: Schema) -> None:
        """Bring ``schema``'s tables up to date in this database (once per store object)."""
        if schema.module in self._ensured:
            return
        with self.read() as tx:
            todo = pending(schema, applied_steps(tx).get(schema.module, {}))
        if todo:
            with self.transaction("schema") as tx:
                self._migrate(tx, schema)
        self._ensured.add(schema.module)

    def _migrate(self, tx: Transaction, schema: Schema) -> None:
        # Re-read under the writer lock: another process may have migrated meanwhile.
        tx.secrets = self.secrets
        tx.execute(CREATE_MIGRATIONS_TABLE)
        applied = applied_steps(tx).get(schema.module, {})
        if schema is CORE and not applied:
            for number in range(1, self.dialect.legacy_core_steps(tx) + 1):
                tx.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (module, step, name, applied_at)"
                    " VALUES (?, ?, ?, ?)",
                    ("core", number, CORE.steps[number - 1].name, datetime.now(UTC)),
                )
                applied[number] = CORE.steps[number - 1].name
        run_pending(tx, schema, pending(schema, applied))
        self.dialect.migrated(tx, schema)

    def add_commit_hook(self, hook: CommitHook, *, before: bool = False) -> None:
        """Run ``hook(tx)`` for every write transaction: just before COMMIT inside it
        (``before=True``; raising rolls it back) or after it committed."""
        (self._before_commit if before else self._after_commit).append(hook)

    def remove_commit_hook(self, hook: CommitHook) -> None:
        """Stop running ``hook`` (added by ``add_commit_hook``); no error if it is not there."""
        for hooks in (self._before_commit, self._after_commit):
            if hook in hooks:
                hooks.remove(hook)

    def _open_conn(self) -> Any:
        if self._conn is None:
            raise RuntimeError(f"store {self.describe()} is closed")
        return self._conn

    def describe(self) -> str:
        """Which database this is, for messages."""
        return self.dialect.name

    @contextmanager
    def _plain(self) -> Iterator[Transaction]:
        """Statements outside a transaction (each its own snapshot), under the store's lock."""
        with self._lock:
            yield Transaction(self.dialect, self._open_conn(), write=False)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            d = self.dialect
            return d.execute(self._open_conn(), d.sql(sql), params).fetchall()

    # -- writes

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Store observations in one transaction: all of them or none."""
        if not observations:
            return WriteResult()
        keys, times = prepare(observations)  # raises on a naive time before touching the database
        with self.transaction("observations") as tx:
            return self._write_in(tx, observations, keys, times)

    def write_runs(self, runs: Sequence[SourceRun]) -> list[RunWritten]:
        """Several source runs in one transaction (see Store.write_runs): the collector's
        runs that end together cost one commit, not two each, and a constant number of
        statements for those that found their figures unchanged: one lookup of the stored
        figures for every run (none for those the last batch read, while nothing else has
        committed), one insert of every fetch-log row, one fold into health."""
        prepared: list[tuple[list[Key], dict[datetime, str]] | InsaneReading | None] = []
        for run in runs:  # the store boundary, run by run, before anything is written
            try:
                prepared.append(prepare(run.observations) if run.observations else None)
            except InsaneReading as exc:
                prepared.append(exc)
        topics = ["fetch_log"] if any(r.outcome for r in runs) else []
        batch_keys = {k for p in prepared if isinstance(p, tuple) for k in p[0]}
        if batch_keys:
            topics.append("observations")
        if not topics:
            return [RunWritten(WriteResult(), None) for _ in runs]
        out: list[RunWritten] = []
        with self._lock:  # held until what was read is kept (or not), after the commit
            with self.transaction(*topics) as tx:
                tx.wants_version = True
                self._kept.start(self.dialect.version(tx.conn))
                stored = self._current_kept(tx, sorted(batch_keys)) if batch_keys else {}
                batch = WriteBatch()
                written: set[Key] = set()  # keys this transaction has planned rows for
                for run, prep in zip(runs, prepared, strict=True):
                    outcome = run.outcome
                    result = WriteResult()
                    if isinstance(prep, tuple):
                        keys = prep[0]
                        if written.isdisjoint(keys):
                            current = {k: stored[k] for k in keys if k in stored}
                        else:  # an earlier run of this batch wrote some of them: read them again
                            self._kept.add(batch.send(tx))
                            current = self._current_kept(tx, sorted(set(keys)))
                        result = self._plan(batch, run.observations, *prep, current)
                        planned = [row[1] for row in batch.plans[-1][0].rows]
                        written.update(planned)
                        self._kept.forget(planned)  # kept again as sent, with its new id
                        if outcome is not None:
                            outcome = replace(outcome, new_observations=result.stored)
                    elif prep is not None and outcome is not None:
                        outcome = replace(
                            outcome, ok=False, error=f"source {outcome.source}: {prep}"
                        )
                    out.append(RunWritten(result, outcome))
                self._kept.add(batch.send(tx))
                self._log_all(tx, [w.outcome for w in out if w.outcome is not None])
            if tx.version_after is not None:
                self._kept.keep(tx.version_after)
        return out

    def _current_kept(self, tx: Transaction, keys: list[Key]) -> dict[Key, Current]:
        """``_current`` of ``keys``, those this store's last batch read taken from what
        it kept (valid only while nothing else has committed since: see KeptCurrent)."""
        found, missing = self._kept.split(keys)
        if missing:
            read = self._current(tx, missing)
            self._kept.add(read)
            found.update(read)
        return found

    def _write_in(
        self,
        tx: Transaction,
        observations: Sequence[Observation],
        keys: list[Key],
        times: dict[datetime, str],
    ) -> WriteResult:
        batch = WriteBatch()
        result = self._plan(batch, observations, keys, times, self._current(tx, sorted(set(keys))))
        batch.send(tx)
        return result

    def _plan(
        self,
        batch: WriteBatch,
        observations: Sequence[Observation],
        keys: list[Key],
        times: dict[datetime, str],
        current: dict[Key, tuple[Any, int, tuple[Any, ...], bool]],
    ) -> WriteResult:
        """Plan one write against ``current`` (its keys' stored latest rows) into ``batch``."""
        d = self.dialect
        stored = {t: d.time(t) for t in times}  # each distinct fetch time once
        stored_demo = {k: v[3] for k, v in current.items()}
        plan = RevisionPlan(current, zip(observations, keys, strict=True))
        batch.add(plan, stored_demo, stored.__getitem__, d.flags)
        return plan.result()

    def _current(
        self, tx: Transaction, keys: list[Key]
    ) -> dict[Key, tuple[Any, int, tuple[Any, ...], bool]]:
        """The stored latest row of each of ``keys`` that has one: one query for the batch
        (brand-new keys cost no per-row SELECT), asked only for the keys of indicators the
        summary knows; an indicator it does not know has no stored row at all (the summary
        is kept in every write's transaction), as on a first run into a new database."""
        known = self._known_indicators(tx, {k[0] for k in keys})
        keys = [k for k in keys if k[0] in known]
        if not keys:
            return {}
        table, params = self.dialect.rows_of(3, keys)
        rows = tx.query(_CURRENT_SQL.replace("{keys}", table), params)
        return {(r[0], r[1], r[2]): (r[3], r[4], tuple(r[5:10]), bool(r[10])) for r in rows}

    def _known_indicators(self, tx: Transaction, indicators: set[str]) -> set[str]:
        table, params = self.dialect.rows_of(1, [(i,) for i in sorted(indicators)])
        return {r[0] for r in tx.query(_KNOWN_SQL.replace("{keys}", table), params)}

    def upsert_indicators(self, indicators: Iterable[Indicator]) -> None:
        """Record the indicators' names and units (for other readers of the database)."""
        now = datetime.now(UTC)
        d = self.dialect
        params = [
            (i.id, i.name_zh, i.name_en, i.unit, d.json(json.loads(indicator_definition(i))), now)
            for i in indicators
        ]
        if not params:
            return
        with self.transaction("indicators") as tx:
            tx.executemany(_UPSERT_INDICATOR, params)

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Append one source run to the fetch log and fold it into the source's summary."""
        with self.transaction("fetch_log") as tx:
            self._log_in(tx, outcome)

    def _log_in(self, tx: Transaction, o: SourceRunOutcome) -> None:
        row = tx.one(
            f"INSERT INTO fetch_log ({FETCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            fetch_row(self.dialect, o),
        )
        assert row is not None
        tx.execute(_RECORD_HEALTH, (o.source, row[0], o.ok, o.started_at, o.ok))

    def _log_all(self, tx: Transaction, outcomes: Sequence[SourceRunOutcome]) -> None:
        """Every run's fetch-log row in one insert and its fold into ``source_health`` in
        one statement, as if each had been logged in turn (``_log_in``)."""
        if len(outcomes) <= 1:
            for o in outcomes:
                self._log_in(tx, o)
            return
        d = self.dialect
        first = tx.one("SELECT COALESCE(MAX(id), 0) FROM fetch_log")
        assert first is not None
        rows = [convert(d, fetch_row(d, o)) for o in outcomes]
        d.insert_rows(tx.conn, "fetch_log", FETCH_COLUMNS, rows)
        # The writer lock is held (see Dialect.transaction): every row past the previous
        # newest is one of ours, numbered in the order inserted.
        ids = [r[0] for r in tx.query("SELECT id FROM fetch_log WHERE id > ? ORDER BY id", first)]
        if len(ids) != len(outcomes):
            raise RuntimeError(f"fetch log: wrote {len(outcomes)} rows, found {len(ids)}")
        folded: dict[str, list[Any]] = {}  # source -> [last id, last success, failures, reset]
        for run_id, o in zip(ids, outcomes, strict=True):
            fold = folded.setdefault(o.source, [run_id, None, 0, False])
            fold[0] = run_id
            if o.ok:
                fold[1], fold[2], fold[3] = o.started_at, 0, True
            else:
                fold[2] += 1
        tx.executemany(
            _RECORD_HEALTH_FOLDED,
            [(source, *fold) for source, fold in folded.items()],
        )

    def prune(self, *, fetch_log_before: datetime, demo_revisions_before: datetime) -> int:
        """Delete old fetch-log runs and superseded demo revisions (see Store.prune)."""
        with self.transaction("fetch_log", "observations") as tx:
            runs = tx.execute(
                "DELETE FROM fetch_log WHERE started_at < ? "
                "AND id NOT IN (SELECT last_run_id FROM source_health)",
                (fetch_log_before,),
            ).rowcount
            demo = tx.query(
                "DELETE FROM observations WHERE demo = ? AND is_latest = ? AND fetched_at < ?"
                " RETURNING indicator",
                (True, False, demo_revisions_before),
            )
            record_deleted(tx, [r[0] for r in demo])
        return runs + len(demo)

    def downsample(self, *, instants_before: datetime, hourly_before: datetime) -> int:
        """Fold instants older than ``instants_before`` into hourly buckets and hourly buckets
        older than ``hourly_before`` into daily ones (see lishi_tui.store.retention); each
        indicator in its own transaction. Returns the observation rows folded away."""
        raw_cut = retention.cutoff(instants_before, retention.HOUR)
        hour_cut = retention.cutoff(hourly_before, retention.DAY)
        folded = 0
        for indicator, first in self.query("SELECT indicator, first_start FROM indicator_summary"):
            if int(first) >= raw_cut:
                continue
            with self.transaction("observations") as tx:
                deleted, current = retention.fold_instants(tx, indicator, raw_cut)
                if deleted:
                    tx.execute(
                        "UPDATE indicator_summary SET stored_rows = stored_rows - ?,"
                        " latest_rows = latest_rows - ? WHERE indicator = ?",
                        (deleted, current, indicator),
                    )
            folded += deleted
        for (indicator,) in self.query(
            "SELECT DISTINCT indicator FROM observation_rollups"
            " WHERE grain = 'hour' AND bucket_start < ?",
            (hour_cut,),
        ):
            with self.transaction("observations") as tx:
                retention.fold_hours(tx, indicator, hour_cut)
        return folded

    def heartbeat(self, pid: int, host: str, now: datetime) -> None:
        """The collector is alive at ``now`` (process ``pid`` on ``host``)."""
        with self.transaction("heartbeat") as tx:
            self.heartbeat_in(tx, pid, host, now)

    def heartbeat_in(self, tx: Transaction, pid: int, host: str, now: datetime) -> None:
        """``heartbeat`` inside a write transaction already open (a commit hook's)."""
        tx.execute(_HEARTBEAT, (pid, host, now, now))
        tx.touch("heartbeat")

    def last_heartbeat(self) -> Heartbeat | None:
        """The collector's last beat, or None if no collector ever wrote to this database."""
        rows = self._rows(
            "SELECT beat_at, pid, host, started_at FROM collector_heartbeat WHERE name = ?",
            ("collector",),
        )
        if not rows:
            return None
        beat_at, pid, host, started_at = rows[0]
        return Heartbeat(read_time(beat_at), int(pid), str(host), read_time(started_at))

    # -- reads

    def version(self) -> int:
        """A number that moves whenever any process commits to the store (see Dialect)."""
        with self._lock:
            return self.dialect.version(self._open_conn())

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]:
        """Per indicator: the latest revision of the newest period that has a figure (a
        missing one only when no period has one); real before demo."""
        with self._plain() as tx:
            return reads.latest(tx, indicator_ids, include_demo=include_demo)

    def summary(self, indicator_ids: Sequence[str] | None = None) -> dict[str, IndicatorSummary]:
        """Per indicator: newest real and demo figure, counts, period range (see Store)."""
        with self.read() as tx:
            return reads.summaries(tx, indicator_ids)

    def history(
        self,
        indicator_id: str,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        include_demo: bool = True,
    ) -> list[Observation]:
        """Latest revision per period, oldest period first; ``limit`` keeps the newest n."""
        with self._plain() as tx:
            return reads.history(
                tx, indicator_id, since=since, limit=limit, include_demo=include_demo
            )

    def revisions(
        self,
        indicator_id: str,
        period_key: str | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Observation]:
        """Every revision (all sources), newest period first, then newest revision first."""
        with self._plain() as tx:
            return reads.revisions(tx, indicator_id, period_key, limit=limit, offset=offset)

    def series(
        self,
        indicator_id: str,
        *,
        start: datetime,
        end: datetime,
        buckets: int,
        include_demo: bool = True,
    ) -> list[Bucket]:
        """Figures in [start, end) aggregated in SQL to at most ``buckets`` slices."""
        with self._plain() as tx:
            return reads.series(
                tx, indicator_id, start=start, end=end, buckets=buckets, include_demo=include_demo
            )

    def series_start(
        self, indicator_id: str, *, periods: int, include_demo: bool = True
    ) -> datetime | None:
        """Where the newest ``periods`` current periods begin (see Store)."""
        with self._plain() as tx:
            return reads.series_start(tx, indicator_id, periods=periods, include_demo=include_demo)

    def fetch_log(self, source: str | None = None, limit: int = 50) -> list[SourceRunOutcome]:
        """Newest runs first."""
        where = "WHERE source = ?" if source is not None else ""
        params: tuple[Any, ...] = (source, limit) if source is not None else (limit,)
        sql = f"SELECT {FETCH_COLUMNS} FROM fetch_log {where} ORDER BY started_at DESC, id DESC LIMIT ?"
        return [outcome_from_row(row) for row in self._rows(sql, params)]

    def health(self) -> dict[str, SourceHealth]:
        """Per source: last run, last success, failures in a row."""
        rows = self._rows(HEALTH_SQL)
        # A viewer asks at every commit, and a commit changes one source's row or two: the
        # others' rows are the same values as last time and give back the same objects
        # (immutable), instead of being parsed again (times, the skipped list's JSON).
        known, self._health_rows = self._health_rows, {}
        out: dict[str, SourceHealth] = {}
        for row in rows:
            key = tuple(row)
            try:
                health = known.get(key)
                hashable = True
            except TypeError:  # a value that cannot be hashed (a driver's parsed JSON)
                health, hashable = None, False
            if health is None:
                health = health_from_row(row)
                self.health_parsed += 1
            if hashable:
                self._health_rows[key] = health
            out[health.source] = health
        return out

    def changes_since(self, cursor: int) -> tuple[int, frozenset[str]]:
        """Indicators with observations stored after ``cursor`` (by any process), and the
        new cursor. ``changes_since(0)`` returns every indicator with data."""
        if cursor <= 0:
            # Everything: the summary's indicators and the newest id, from one snapshot.
            with self.read() as tx:
                return reads.newest_id(tx), reads.all_indicators(tx)
        # One statement, so the cursor and the indicators come from one snapshot;
        # {not_indexed} keeps SQLite on the rowid range instead of scanning an index to group.
        rows = self._rows(
            "SELECT indicator, MAX(id) FROM observations {not_indexed}"
            " WHERE id > ? GROUP BY indicator",
            (cursor,),
        )
        if not rows:
            return cursor, frozenset()
        return int(max(r[1] for r in rows)), frozenset(r[0] for r in rows)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self.dialect.close(self._conn)
                self._conn = None

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
