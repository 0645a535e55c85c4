"""The row codec and SQL the SQLite and PostgreSQL stores share: one place decides what a row means."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import lru_cache
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
from lishi_tui.store.base import WriteResult

# The columns read back into an Observation, in this order (see observation_from_row).
OBS_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, demo, note"
)
FETCH_COLUMNS = (
    "source, started_at, duration, ok, error, bytes, readings, new_observations, skipped"
)

SERIES_ORDER = "period_start DESC, demo, fetched_at DESC, id DESC"
# A real figure is the latest whenever one exists, however new a demo period is.
LATEST_ORDER = "demo, period_start DESC, fetched_at DESC, id DESC"


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

    def __init__(
        self,
        current: dict[Key, tuple[Any, int, tuple[Any, ...]]],
        batch: Iterable[tuple[Observation, Key]] = (),
    ) -> None:
        self.current = current
        self.superseded: list[Any] = []  # row ids of stored latest rows that lose the flag
        self.rows: list[tuple[Observation, Key, int]] = []  # (observation, key, revision)
        self.latest_in_batch: dict[Key, int] = {}  # key -> index into rows of its latest
        self.new = self.revised = self.unchanged = 0
        self.touched: set[str] = set()
        for obs, key in batch:
            self.add(obs, key)

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

    def insert_rows(self, stored_time: Callable[[datetime], Any]) -> Iterator[tuple[Any, ...]]:
        """Rows to insert, with only each key's last revision in the batch marked latest;
        ``stored_time`` turns a fetch time into what the database keeps."""
        latest = set(self.latest_in_batch.values())
        for i, (obs, key, revision) in enumerate(self.rows):
            yield insert_params(obs, key, revision, i in latest, stored_time(obs.fetched_at))

    def result(self) -> WriteResult:
        return WriteResult(
            new=self.new,
            revised=self.revised,
            unchanged=self.unchanged,
            indicators=frozenset(self.touched),
        )


def insert_params(
    obs: Observation, key: Key, revision: int, is_latest: bool, fetched_at: Any
) -> tuple[Any, ...]:
    """The observations row (without id) in INSERT_COLUMNS order; flags stay bool (SQLite
    keeps them as 1 and 0, PostgreSQL as BOOLEAN)."""
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
        is_latest,
        r.demo,
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


@dataclass(frozen=True)
class Dialect:
    """How one database spells the few words that differ in the SQL both stores run."""

    param: str  # the placeholder
    is_latest: str  # the test for a latest row, as the partial indexes spell it
    not_demo: str
    definition_changed: str  # an upsert's test that an indicator's definition moved


SQLITE = Dialect(
    param="?",
    is_latest="is_latest = 1",
    not_demo="demo = 0",
    definition_changed="definition IS NOT excluded.definition",
)
POSTGRES = Dialect(
    param="%s",
    is_latest="is_latest",
    not_demo="NOT demo",
    definition_changed="indicators.definition IS DISTINCT FROM excluded.definition",
)


def upsert_indicators_sql(d: Dialect) -> str:
    """Insert or refresh one indicator row, writing only when its definition changed."""
    p = d.param
    return f"""
                INSERT INTO indicators (id, name_zh, name_en, unit, definition, updated_at)
                VALUES ({p}, {p}, {p}, {p}, {p}, {p})
                ON CONFLICT (id) DO UPDATE SET
                    name_zh = excluded.name_zh, name_en = excluded.name_en,
                    unit = excluded.unit, definition = excluded.definition,
                    updated_at = excluded.updated_at
                WHERE {d.definition_changed}
                """


def log_fetch_sql(d: Dialect) -> str:
    """Append one row to the fetch log (values in FETCH_COLUMNS order)."""
    return f"INSERT INTO fetch_log ({FETCH_COLUMNS}) VALUES ({', '.join([d.param] * 9)})"


def history_query(
    d: Dialect, indicator_id: str, since: datetime | None, include_demo: bool
) -> tuple[str, list[Any]]:
    """An indicator's latest rows, best first per period (see series_from_rows)."""
    clauses = [f"indicator = {d.param}", d.is_latest]
    params: list[Any] = [indicator_id]
    if not include_demo:
        clauses.append(d.not_demo)
    if since is not None:
        clauses.append(f"period_start >= {d.param}")
        params.append(int(since.timestamp()))
    sql = (
        f"SELECT {OBS_COLUMNS} FROM observations WHERE {' AND '.join(clauses)} "
        f"ORDER BY {SERIES_ORDER}"
    )
    return sql, params


def oldest_first(picked: list[Sequence[Any]]) -> list[Observation]:
    """history()'s answer from what pick_per_period picked (newest first)."""
    picked.reverse()
    return [observation_from_row(row) for row in picked]


def revisions_query(d: Dialect, indicator_id: str, period_key: str | None) -> tuple[str, list[Any]]:
    """Every stored revision of an indicator (of one period when given), newest first."""
    sql = f"SELECT {OBS_COLUMNS} FROM observations WHERE indicator = {d.param}"
    params: list[Any] = [indicator_id]
    if period_key is not None:
        sql += f" AND period_key = {d.param}"
        params.append(Period.parse(period_key).key)
    sql += " ORDER BY period_start DESC, revision DESC, fetched_at DESC, id DESC"
    return sql, params


def fetch_log_query(d: Dialect, source: str | None, limit: int) -> tuple[str, tuple[Any, ...]]:
    """The newest ``limit`` runs, of one source when given."""
    where = f"WHERE source = {d.param}" if source is not None else ""
    params: tuple[Any, ...] = (source, limit) if source is not None else (limit,)
    sql = (
        f"SELECT {FETCH_COLUMNS} FROM fetch_log {where} "
        f"ORDER BY started_at DESC, id DESC LIMIT {d.param}"
    )
    return sql, params


# -- per-source health: a summary row kept beside the fetch log, so that reading it costs
# the same whether the log holds a hundred runs or a million.

HEALTH_TABLE = "source_health"


def record_health_sql(d: Dialect) -> str:
    """Fold one run into its source's summary row.

    Parameters: source, the run's fetch_log id, ok, started_at, ok.
    """
    p = d.param
    return f"""
        INSERT INTO source_health (source, last_run_id, last_success, consecutive_failures)
        VALUES ({p}, {p}, CASE WHEN {p} THEN {p} END, CASE WHEN {p} THEN 0 ELSE 1 END)
        ON CONFLICT (source) DO UPDATE SET
            last_run_id = excluded.last_run_id,
            last_success = COALESCE(excluded.last_success, source_health.last_success),
            consecutive_failures = CASE WHEN excluded.consecutive_failures = 0
                THEN 0 ELSE source_health.consecutive_failures + 1 END
    """


def health_query() -> str:
    """Each source's last run with its last success and failures in a row."""
    columns = ", ".join(f"f.{c.strip()}" for c in FETCH_COLUMNS.split(","))
    return (
        f"SELECT {columns}, h.last_success, h.consecutive_failures "
        "FROM source_health AS h JOIN fetch_log AS f ON f.id = h.last_run_id ORDER BY h.source"
    )


def health_backfill_sql(ok: str, not_ok: str, before_all: str) -> str:
    """Build the summary from an existing fetch log (the migration that adds the table)."""
    return f"""
        INSERT INTO source_health (source, last_run_id, last_success, consecutive_failures)
        SELECT s.source,
            (SELECT g.id FROM fetch_log AS g WHERE g.source = s.source
             ORDER BY g.started_at DESC, g.id DESC LIMIT 1),
            (SELECT MAX(g.started_at) FROM fetch_log AS g WHERE g.source = s.source AND {ok}),
            (SELECT COUNT(*) FROM fetch_log AS g WHERE g.source = s.source AND {not_ok}
             AND g.started_at > COALESCE((SELECT MAX(x.started_at) FROM fetch_log AS x
                                         WHERE x.source = s.source AND {ok.replace("g.", "x.")}),
                                         {before_all}))
        FROM (SELECT DISTINCT source FROM fetch_log) AS s
    """
