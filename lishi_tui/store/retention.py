"""Retention for high-frequency series: old instants folded into hourly, then daily, buckets.

Only readings of instant periods (an AQI every 3 s, a Prometheus gauge every 15 s) are ever
folded. Figures of calendar periods (a day, month, quarter, year: what a bureau publishes)
and every revision of them are never touched here, and neither is any indicator's newest
real or demo figure, however old. A folded hour keeps its count, low, high, sum and last
value, so a chart drawn from it shows the same range the raw readings had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lishi_tui.store.schema import Migration
from lishi_tui.store.sql import Transaction

HOUR = 3600
DAY = 86400
CHINA_OFFSET = 8 * HOUR  # daily buckets are Beijing days

ROLLUPS_MIGRATION = Migration(
    "observation rollups",
    """
    CREATE TABLE observation_rollups (
        indicator     TEXT NOT NULL,
        source        TEXT NOT NULL,
        demo          {bool} NOT NULL,
        grain         TEXT NOT NULL,
        bucket_start  {bigint} NOT NULL,
        n             {bigint} NOT NULL,
        low           {float} NOT NULL,
        high          {float} NOT NULL,
        total         {float} NOT NULL,
        last_start    {bigint} NOT NULL,
        last_value    {float} NOT NULL,
        PRIMARY KEY (indicator, grain, bucket_start, source, demo)
    )
    """,
)

_MERGE = """
    INSERT INTO observation_rollups
        (indicator, source, demo, grain, bucket_start, n, low, high, total, last_start, last_value)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (indicator, grain, bucket_start, source, demo) DO UPDATE SET
        n = observation_rollups.n + excluded.n,
        low = {least}(observation_rollups.low, excluded.low),
        high = {greatest}(observation_rollups.high, excluded.high),
        total = observation_rollups.total + excluded.total,
        last_value = CASE WHEN excluded.last_start >= observation_rollups.last_start
                     THEN excluded.last_value ELSE observation_rollups.last_value END,
        last_start = {greatest}(observation_rollups.last_start, excluded.last_start)
"""


@dataclass
class Fold:
    """One bucket being filled: count, low, high, sum, and the newest reading's value."""

    n: int
    low: float
    high: float
    total: float
    last_start: int
    last_value: float

    def add(self, n: int, low: float, high: float, total: float, start: int, last: float) -> None:
        self.n += n
        self.low, self.high = min(self.low, low), max(self.high, high)
        self.total += total
        if start >= self.last_start:
            self.last_start, self.last_value = start, last


def fold(rows: Iterable[Sequence[Any]], bucket_of: Any) -> dict[tuple[str, bool, int], Fold]:
    """Rows of (source, demo, n, low, high, total, last_start, last_value) into buckets."""
    out: dict[tuple[str, bool, int], Fold] = {}
    for source, demo, n, low, high, total, start, last in rows:
        key = (str(source), bool(demo), bucket_of(int(start)))
        got = out.get(key)
        if got is None:
            out[key] = Fold(int(n), float(low), float(high), float(total), int(start), float(last))
        else:
            got.add(int(n), float(low), float(high), float(total), int(start), float(last))
    return out


def hour_of(start: int) -> int:
    return start - start % HOUR


def day_of(start: int) -> int:
    return start - (start + CHINA_OFFSET) % DAY


def _merge(
    tx: Transaction, indicator: str, grain: str, folded: dict[tuple[str, bool, int], Fold]
) -> None:
    tx.executemany(
        _MERGE,
        [
            (
                indicator,
                src,
                demo,
                grain,
                b,
                f.n,
                f.low,
                f.high,
                f.total,
                f.last_start,
                f.last_value,
            )
            for (src, demo, b), f in folded.items()
        ],
    )


def fold_instants(tx: Transaction, indicator: str, before: int) -> tuple[int, int]:
    """Fold ``indicator``'s instants older than ``before`` into hours; delete them (never its
    newest real or demo figure). Returns (rows deleted, current rows among them)."""
    keep = tx.one(
        "SELECT latest_real, latest_demo FROM indicator_summary WHERE indicator = ?", (indicator,)
    )
    kept = [i for i in (keep or ()) if i is not None] or [0]
    clause, kept_params = tx.dialect.in_ids("id", kept)
    old = f"indicator = ? AND period_kind = 'instant' AND period_start < ? AND NOT ({clause})"
    rows = tx.query(
        "SELECT source, demo, 1, value, value, value, period_start, value FROM observations"
        f" WHERE {old} AND {{is_latest}} AND value IS NOT NULL",
        [indicator, before, *kept_params],
    )
    _merge(tx, indicator, "hour", fold(rows, hour_of))
    deleted = tx.query(
        f"DELETE FROM observations WHERE {old} RETURNING is_latest",
        [indicator, before, *kept_params],
    )
    return len(deleted), sum(1 for (latest,) in deleted if latest)


def fold_hours(tx: Transaction, indicator: str, before: int) -> int:
    """Fold ``indicator``'s hourly buckets older than ``before`` into Beijing days."""
    where = "indicator = ? AND grain = 'hour' AND bucket_start < ?"
    rows = tx.query(
        "SELECT source, demo, n, low, high, total, last_start, last_value"
        f" FROM observation_rollups WHERE {where}",
        (indicator, before),
    )
    if not rows:
        return 0
    _merge(tx, indicator, "day", fold(rows, day_of))
    return tx.execute(
        f"DELETE FROM observation_rollups WHERE {where}", (indicator, before)
    ).rowcount


def rollup_series(
    tx: Transaction, indicator_id: str, lo: int, hi: int, include_demo: bool
) -> list[tuple[Any, ...]]:
    """Folded buckets whose newest reading lies in [lo, hi), as fold() rows."""
    sql = (
        "SELECT source, demo, n, low, high, total, last_start, last_value FROM observation_rollups"
        " WHERE indicator = ? AND last_start >= ? AND last_start < ?"
    )
    params: list[Any] = [indicator_id, lo, hi]
    if not include_demo:
        sql += " AND demo = ?"
        params.append(False)
    return tx.query(sql, params)


def cutoff(moment: datetime, align: int) -> int:
    """``moment`` as epoch seconds, rounded down to a whole bucket (so no bucket is split)."""
    seconds = int(moment.astimezone(UTC).timestamp())
    return hour_of(seconds) if align == HOUR else day_of(seconds)
