"""The store's reads, each bounded by what a screen draws rather than by the history's length.

Every function takes an open ``Transaction`` and runs the shared SQL, so both backends
answer the same way. Latest figures come through ``indicator_summary`` (one row per
indicator); series are read newest-first in pages that stop once enough periods are in;
long series are aggregated in SQL to a chart's resolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lishi_tui.domain.model import Observation
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Bucket, IndicatorSummary
from lishi_tui.store.retention import rollup_series
from lishi_tui.store.rows import OBS_COLUMNS, SERIES_ORDER, readable
from lishi_tui.store.sql import Transaction

REVISION_ORDER = "period_start DESC, revision DESC, fetched_at DESC, id DESC"
HISTORY_PAGE = 256  # rows asked for at a time while collecting distinct periods


def _wanted(tx: Transaction, ids: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A WHERE clause on indicator_summary for the given ids (all when None)."""
    if ids is None:
        return "", []
    table, params = tx.dialect.rows_of(1, [(i,) for i in ids])
    return f"WHERE s.indicator IN (SELECT c0 FROM {table} AS t)", params


def latest(
    tx: Transaction, ids: Sequence[str] | None, *, include_demo: bool
) -> dict[str, Observation]:
    """Per indicator its newest real figure, else (when allowed) its newest demo one."""
    where, params = _wanted(tx, ids)
    pick = "COALESCE(s.latest_real, s.latest_demo)" if include_demo else "s.latest_real"
    # Ids first, then rows by id: every planner then probes the primary key for just those
    # rows (as one IN (subquery), PostgreSQL may merge-join the whole table instead).
    wanted = [r[0] for r in tx.query(f"SELECT {pick} FROM indicator_summary AS s {where}", params)]
    wanted = [int(i) for i in wanted if i is not None]
    if not wanted:
        return {}
    clause, id_params = tx.dialect.in_ids("id", wanted)
    sql = f"SELECT {OBS_COLUMNS} FROM observations WHERE {clause}"
    return {obs.indicator: obs for obs in readable(tx.query(sql, id_params))}


def summaries(tx: Transaction, ids: Sequence[str] | None) -> dict[str, IndicatorSummary]:
    """The summary row of each indicator with data, with its newest real and demo figure."""
    where, params = _wanted(tx, ids)
    rows = tx.query(
        "SELECT s.indicator, s.latest_real, s.latest_demo, s.stored_rows, s.latest_rows,"
        f" s.first_start, s.last_start FROM indicator_summary AS s {where}",
        params,
    )
    figure_ids = [i for r in rows for i in (r[1], r[2]) if i is not None]
    figures: dict[int, Observation] = {}
    if figure_ids:
        clause, id_params = tx.dialect.in_ids("id", figure_ids)
        for row in tx.query(
            f"SELECT id, {OBS_COLUMNS} FROM observations WHERE {clause}", id_params
        ):
            for obs in readable([row[1:]]):
                figures[int(row[0])] = obs
    return {
        r[0]: IndicatorSummary(
            indicator=r[0],
            latest_real=figures.get(r[1]) if r[1] is not None else None,
            latest_demo=figures.get(r[2]) if r[2] is not None else None,
            stored_rows=int(r[3]),
            latest_rows=int(r[4]),
            first_period_start=datetime.fromtimestamp(int(r[5]), UTC),
            last_period_start=datetime.fromtimestamp(int(r[6]), UTC),
        )
        for r in rows
    }


def no_real_figure(tx: Transaction, indicator_id: str) -> bool:
    """True when the summary shows the indicator has rows but not one real current figure.

    Reads that leave demo figures out then have nothing to find: without this they walk
    every demo row of the indicator's index looking for a real one (an AQI demo writes
    28,800 a day), since no index leads with ``demo``. ``latest()`` trusts the same column."""
    row = tx.one("SELECT latest_real FROM indicator_summary WHERE indicator = ?", [indicator_id])
    return row is not None and row[0] is None


def all_indicators(tx: Transaction) -> frozenset[str]:
    return frozenset(r[0] for r in tx.query("SELECT indicator FROM indicator_summary"))


def newest_id(tx: Transaction) -> int:
    row = tx.one("SELECT MAX(id) FROM observations")
    return int(row[0]) if row and row[0] is not None else 0


def history(
    tx: Transaction,
    indicator_id: str,
    *,
    since: datetime | None,
    limit: int | None,
    include_demo: bool,
) -> list[Observation]:
    """Latest revision per period, oldest first; with ``limit``, only the newest n periods
    are read (in pages, since several sources may give one period)."""
    if not include_demo and no_real_figure(tx, indicator_id):
        return []
    clauses = ["indicator = ?", "{is_latest}"]
    params: list[Any] = [indicator_id]
    if not include_demo:
        clauses.append("{not_demo}")
    if since is not None:
        clauses.append("period_start >= ?")
        params.append(int(since.timestamp()))
    sql = (
        f"SELECT {OBS_COLUMNS} FROM observations WHERE {' AND '.join(clauses)} "
        f"ORDER BY {SERIES_ORDER}"
    )
    if limit is None:
        picked = _first_per_period(tx.query(sql, params), None)
    else:
        # Pages rather than every row: PostgreSQL's client cursor would fetch them all. The
        # first is exactly ``limit`` rows, all it takes when one source gives each period:
        # a row fetched past them is 17 columns crossed to Python for nothing.
        rows: list[tuple[Any, ...]] = []
        page, offset = max(limit, 16), 0
        while True:
            got = tx.query(f"{sql} LIMIT ? OFFSET ?", [*params, page, offset])
            rows += got
            picked = _first_per_period(rows, limit)
            if len(picked) >= limit or len(got) < page:
                break
            offset += page
    picked.reverse()
    return readable(picked)


def _first_per_period(rows: Sequence[Sequence[Any]], limit: int | None) -> list[Sequence[Any]]:
    """From series rows in best-first order, the first row of each period, up to ``limit``."""
    picked: list[Sequence[Any]] = []
    seen: set[str] = set()
    for row in rows:
        if limit is not None and len(picked) >= limit:
            break
        if row[1] not in seen:
            seen.add(row[1])
            picked.append(row)
    return picked


def revisions(
    tx: Transaction,
    indicator_id: str,
    period_key: str | None,
    *,
    limit: int | None,
    offset: int,
) -> list[Observation]:
    """Every revision, newest period first then newest revision; a page when ``limit``."""
    sql = f"SELECT {OBS_COLUMNS} FROM observations WHERE indicator = ?"
    params: list[Any] = [indicator_id]
    if period_key is not None:
        sql += " AND period_key = ?"
        params.append(Period.parse(period_key).key)
    sql += f" ORDER BY {REVISION_ORDER}"
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        params += [limit if limit is not None else 2**62, offset]
    return readable(tx.query(sql, params))


def series_start(
    tx: Transaction, indicator_id: str, *, periods: int, include_demo: bool
) -> datetime | None:
    """The start of the oldest of the newest ``periods`` current periods (of them all when
    fewer are stored; None when there are none): where a chart of the newest n periods
    begins, read off the series index (in its order, so that every planner walks it)
    without reading a row of the table."""
    if not include_demo and no_real_figure(tx, indicator_id):
        return None
    extra = "" if include_demo else "AND {not_demo}"
    sql = (
        f"SELECT period_start FROM observations WHERE indicator = ? AND {{is_latest}} {extra}"
        f" ORDER BY {SERIES_ORDER} LIMIT ? OFFSET ?"
    )
    wanted = max(periods, 1)
    starts: dict[int, None] = {}  # distinct period starts, newest first
    offset = 0
    while len(starts) < wanted:  # one page unless several sources give the same periods
        got = tx.query(sql, [indicator_id, wanted, offset])
        for (start,) in got:
            starts[int(start)] = None
            if len(starts) == wanted:
                break
        if len(got) < wanted:
            break
        offset += wanted
    if not starts:
        return None
    return datetime.fromtimestamp(min(starts), UTC)


@dataclass(frozen=True)
class BucketPlan:
    """Where buckets start and how wide they are, in seconds since the epoch."""

    origin: int
    width: int


def plan_buckets(start: datetime, end: datetime, buckets: int) -> BucketPlan:
    """``buckets`` equal slices of [start, end), each at least one second wide."""
    lo, hi = int(start.timestamp()), int(end.timestamp())
    width = max(1, math.ceil(max(hi - lo, 1) / max(buckets, 1)))
    return BucketPlan(lo, width)


_SERIES = """
    WITH r AS (
        SELECT (period_start - ?) / ? AS bucket, period_start, value, demo
        FROM observations
        WHERE indicator = ? AND {is_latest} AND period_start >= ? AND period_start < ? EXTRA
    ), b AS (
        SELECT bucket, COUNT(*) AS n, MIN(value) AS lo, MAX(value) AS hi,
               MAX(period_start) AS last_start,
               MAX(CASE WHEN demo = {true} THEN 1 ELSE 0 END) AS any_demo
        FROM r GROUP BY bucket
    )
    SELECT b.bucket, b.n, b.lo, b.hi, b.last_start, b.any_demo,
        (SELECT o.value FROM observations AS o
         WHERE o.indicator = ? AND {is_latest} AND o.period_start = b.last_start EXTRA
         ORDER BY o.demo, o.fetched_at DESC, o.id DESC LIMIT 1)
    FROM b ORDER BY b.bucket
"""


def series(
    tx: Transaction,
    indicator_id: str,
    *,
    start: datetime,
    end: datetime,
    buckets: int,
    include_demo: bool,
) -> list[Bucket]:
    """The current figures in [start, end) as at most ``buckets`` slices: count, min, max and
    last value of each (empty slices left out). One row per slice crosses to Python."""
    if not include_demo and no_real_figure(tx, indicator_id):
        return []
    plan = plan_buckets(start, end, buckets)
    lo, hi = int(start.timestamp()), int(end.timestamp())
    extra = "" if include_demo else "AND {not_demo}"
    sql = _SERIES.replace("EXTRA", extra)
    params = [plan.origin, plan.width, indicator_id, lo, hi, indicator_id]
    slices: dict[int, list[Any]] = {}  # index -> [n, low, high, last_start, last, demo]
    for bucket, n, low, high, last_start, any_demo, last in tx.query(sql, params):
        slices[int(bucket)] = [int(n), low, high, int(last_start), last, bool(any_demo)]
    # Hours and days folded by retention count in the slice of their newest reading.
    for _src, demo, n, low, high, _total, last_start, last in rollup_series(
        tx, indicator_id, lo, hi, include_demo
    ):
        index = (int(last_start) - plan.origin) // plan.width
        got = slices.get(index)
        if got is None:
            slices[index] = [int(n), low, high, int(last_start), last, bool(demo)]
            continue
        got[0] += int(n)
        got[1] = low if got[1] is None else min(got[1], low)
        got[2] = high if got[2] is None else max(got[2], high)
        if int(last_start) > got[3]:
            got[3], got[4] = int(last_start), last
        got[5] = got[5] or bool(demo)
    out: list[Bucket] = []
    for index in sorted(slices):
        n, low, high, last_start, last, any_demo = slices[index]
        begin = plan.origin + index * plan.width
        out.append(
            Bucket(
                start=datetime.fromtimestamp(begin, UTC),
                end=datetime.fromtimestamp(begin + plan.width, UTC),
                count=n,
                low=None if low is None else float(low),
                high=None if high is None else float(high),
                last=None if last is None else float(last),
                last_start=datetime.fromtimestamp(last_start, UTC),
                demo=any_demo,
            )
        )
    return out
