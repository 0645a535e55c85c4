"""The row codec every backend shares: one place decides what an observation row means."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
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
from lishi_tui.domain.sanity import check_observation
from lishi_tui.store.base import SourceHealth, WriteResult
from lishi_tui.store.sql import read_json, read_time, utc_text

log = logging.getLogger(__name__)

# The columns read back into an Observation, in this order (see observation_from_row).
OBS_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, demo, note, note_en"
)
FETCH_COLUMNS = (
    "source, started_at, duration, ok, error, bytes, readings, new_observations, skipped"
)

SERIES_ORDER = "period_start DESC, demo, fetched_at DESC, id DESC"
# A real figure is the latest whenever one exists, however new a demo period is.
LATEST_ORDER = "demo, period_start DESC, fetched_at DESC, id DESC"


@lru_cache(maxsize=65536)
def period_from_row(kind: str, start: int) -> Period:
    """Rebuild a Period exactly as Period.parse(key) would (Beijing time, or UTC for instants)."""
    period_kind = PeriodKind(kind)
    tz = UTC if period_kind is PeriodKind.INSTANT else CHINA_TZ
    return Period(datetime.fromtimestamp(start, tz), period_kind)


_STATUSES = {s.value: s for s in ObservationStatus}
_QUALIFIERS = {q.value: q for q in Qualifier}


def observation_values(obs: Observation) -> tuple[Any, ...]:
    """The values compared to decide whether a re-fetch is a new revision."""
    r = obs.reading
    # ``_value_`` is the member's value as a plain attribute: ``.value`` goes through the
    # enum descriptor, a measurable share of an ingest at two lookups per row.
    return (r.value, r.numerator, r.denominator, r.status._value_, r.qualifier._value_)


# Stored rows are read into Reading and Observation without their frozen dataclasses'
# __init__, which sets each field through object.__setattr__: about 3 µs of the 6 µs a row
# took, the largest part of a history() read. Every field is given, and __post_init__ runs as
# __init__ would run it, so the objects are the ones the constructors make
# (tests/test_store_row_codec.py holds the field lists below to the classes').
_new = object.__new__
_set = object.__setattr__


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
        note_en,
    ) = row
    reading = _new(Reading)
    _set(
        reading,
        "__dict__",
        {
            "indicator": indicator,
            "period": period_from_row(kind, int(start)),
            "value": value,
            "numerator": num,
            "denominator": den,
            "status": _STATUSES[status],
            "qualifier": _QUALIFIERS[qualifier],
            "origin": origin,
            "demo": bool(demo),
            "note": note,
            "note_en": note_en,
            "unit": "",  # checked against the indicator's when collected, not stored
        },
    )
    reading.__post_init__()
    obs = _new(Observation)
    _set(
        obs,
        "__dict__",
        {
            "reading": reading,
            "source": source,
            "fetched_at": read_time(fetched_at),
            "revision": int(revision),
            "fetch_url": fetch_url,
        },
    )
    return obs


def outcome_from_row(row: Sequence[Any]) -> SourceRunOutcome:
    """A SourceRunOutcome from the FETCH_COLUMNS of one row."""
    source, started, duration, ok, error, nbytes, readings, new, skipped = row
    return SourceRunOutcome(
        source=source,
        started_at=read_time(started),
        duration_s=float(duration),
        ok=bool(ok),
        error=error,
        bytes_received=int(nbytes),
        readings=int(readings),
        new_observations=int(new),
        skipped=tuple(read_json(skipped)),
    )


# Each source's summary row with its last run's fetch-log columns (see health_from_row).
HEALTH_SQL = (
    "SELECT "
    + ", ".join(f"f.{c.strip()}" for c in FETCH_COLUMNS.split(","))
    + ", h.last_success, h.consecutive_failures FROM source_health AS h"
    " JOIN fetch_log AS f ON f.id = h.last_run_id ORDER BY h.source"
)
_RUN_WIDTH = len(FETCH_COLUMNS.split(","))


def health_from_row(row: Sequence[Any]) -> SourceHealth:
    """A SourceHealth from one row of ``HEALTH_SQL``."""
    n = _RUN_WIDTH
    return SourceHealth(
        source=row[0],
        last_run=outcome_from_row(row[:n]),
        last_success=read_time(row[n]) if row[n] else None,
        consecutive_failures=int(row[n + 1]),
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
    """Decides, for a batch, which observations are new, revised, regenerated or unchanged.

    ``current`` maps each key already stored to (row id, revision, compared values, demo).
    Repeats of a key inside one batch are handled in order, as if written one by one.

    A demo figure generated again for a key whose stored figure is demo (the demo source's
    live tick of the current period) is not a revision of anything published: it *replaces*
    the stored row, keeping its revision number, instead of adding revision n+1. Real
    figures, and a real figure over a demo one, are revisions as before.
    """

    def __init__(
        self,
        current: dict[Key, tuple[Any, int, tuple[Any, ...], bool]],
        batch: Iterable[tuple[Observation, Key]] = (),
    ) -> None:
        self.current = current
        self.superseded: list[Any] = []  # row ids of stored latest rows that lose the flag
        self.replaced: list[Any] = []  # row ids of stored demo rows a regenerated one replaces
        # (observation, key, revision, period start as Unix seconds, replaces a stored row)
        self.rows: list[tuple[Observation, Key, int, int, bool]] = []
        self.latest_in_batch: dict[Key, int] = {}  # key -> index into rows of its latest
        self.new = self.revised = self.regenerated = self.unchanged = 0
        self.touched: set[str] = set()
        for obs, key in batch:
            self.add(obs, key)

    def add(self, obs: Observation, key: Key) -> None:
        r = obs.reading  # values as observation_values(obs) gives them, without the call
        values = (r.value, r.numerator, r.denominator, r.status._value_, r.qualifier._value_)
        known = self.current.get(key)
        demo = r.demo
        if known is None:  # a new key (every key of a first run): the short way
            self.new += 1
            self.touched.add(key[0])
            self.latest_in_batch[key] = len(self.rows)
            self.rows.append((obs, key, 1, int(r.period.start.timestamp()), False))
            self.current[key] = (None, 1, values, demo)
            return
        if known[2] == values:
            self.unchanged += 1
            return
        start = int(r.period.start.timestamp())
        self.touched.add(key[0])
        if known[3] and demo:
            revision = known[1]
            if known[0] is None:  # generated twice in this batch: the later one is written
                index = self.latest_in_batch[key]
                self.rows[index] = (obs, key, revision, start, self.rows[index][4])
                self.current[key] = (None, revision, values, True)
                return
            self.regenerated += 1
            self.replaced.append(known[0])
            self.latest_in_batch[key] = len(self.rows)
            self.rows.append((obs, key, revision, start, True))
            self.current[key] = (None, revision, values, True)
            return
        self.revised += 1
        revision = known[1] + 1
        if known[0] is not None:
            self.superseded.append(known[0])
        self.latest_in_batch[key] = len(self.rows)
        self.rows.append((obs, key, revision, start, False))
        self.current[key] = (None, revision, values, demo)

    def insert_rows(
        self, stored_time: Callable[[datetime], Any], flags: tuple[Any, Any] = (True, False)
    ) -> Iterator[tuple[Any, ...]]:
        """Rows to insert, with only each key's last revision in the batch marked latest;
        ``stored_time`` turns a fetch time into what the database keeps, ``flags`` are the
        database's true and false (see Dialect.flags)."""
        latest = set(self.latest_in_batch.values())
        for i, (obs, key, revision, start, _replaces) in enumerate(self.rows):
            yield insert_params(
                obs, key, revision, i in latest, stored_time(obs.fetched_at), start, flags
            )

    def result(self) -> WriteResult:
        return WriteResult(
            new=self.new,
            revised=self.revised,
            unchanged=self.unchanged,
            regenerated=self.regenerated,
            indicators=frozenset(self.touched),
        )


def insert_params(
    obs: Observation,
    key: Key,
    revision: int,
    is_latest: bool,
    fetched_at: Any,
    start: int | None = None,
    flags: tuple[Any, Any] = (True, False),
) -> tuple[Any, ...]:
    """The observations row (without id) in INSERT_COLUMNS order; flags as ``flags`` (true,
    false) spell them: bool by default (SQLite keeps them as 1 and 0, PostgreSQL as
    BOOLEAN). ``start``: the period start in Unix seconds when the caller has it already."""
    r = obs.reading
    return (
        key[0],
        key[1],
        r.period.kind._value_,
        int(r.period.start.timestamp()) if start is None else start,
        r.value,
        r.numerator,
        r.denominator,
        r.status._value_,
        r.qualifier._value_,
        key[2],
        r.origin,
        obs.fetch_url,
        fetched_at,
        revision,
        flags[0] if is_latest else flags[1],
        flags[0] if r.demo else flags[1],
        r.note,
        r.note_en,
    )


def prepare(observations: Sequence[Observation]) -> tuple[list[Key], dict[datetime, str]]:
    """Each observation's key, and its fetch time as stored; raises on a naive time
    before anything touches the database."""
    for o in observations:  # the store boundary: nothing insane is ever written
        check_observation(o)
    keys = [(o.reading.indicator, o.reading.period.key, o.source) for o in observations]
    # A batch usually shares one fetch time: format each distinct one once.
    times = {o.fetched_at: "" for o in observations}
    return keys, {t: utc_text(t) for t in times}


INSERT_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, is_latest, demo, note, "
    "note_en"
)


def readable(rows: Iterable[Sequence[Any]]) -> list[Observation]:
    """The observations of ``rows``, skipping (and reporting) any that cannot be shown: a
    row an older version or a hand edit left with an infinite value or a period in 9999
    must not stop every reader from then on. Nothing is deleted."""
    out: list[Observation] = []
    for row in rows:
        try:
            obs = observation_from_row(row)
            check_observation(obs)
        except (ValueError, OverflowError, OSError, KeyError, TypeError) as exc:
            where = f"{row[0]} {row[1]}" if len(row) > 1 else "?"
            log.warning("skipped a stored row that cannot be shown (%s): %s", where, exc)
            continue
        out.append(obs)
    return out
