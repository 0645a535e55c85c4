"""SQLite store: ingest rate, latest of 500 indicators, 20 years of monthly history; plain sqlite3 beside it."""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/store.py`

from bench.harness import Peer, Row, cli, row, timed
from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore

BATCH = 1000  # one collector run writes one batch in one transaction
FETCHED = datetime(2024, 1, 1, tzinfo=UTC)


def observations(indicators: int, months: int, *, offset: float = 0.0) -> list[Observation]:
    """``months`` monthly figures (ending December 2023) for each of ``indicators``."""
    out = []
    for i in range(indicators):
        for m in range(months):
            year, month = 2023 - (months - 1 - m) // 12, 12 - (months - 1 - m) % 12
            reading = Reading(
                f"ind{i:04d}", Period.month(year, month), float(i * 1000 + m) + offset
            )
            out.append(Observation(reading, "bench", FETCHED))
    return out


# -- the plain sqlite3 baseline: the same rows in a bare table, no revisions, no objects


BASELINE_SCHEMA = """
CREATE TABLE obs (indicator TEXT, period_start INTEGER, value REAL, source TEXT, fetched_at TEXT);
CREATE INDEX obs_series ON obs (indicator, period_start DESC);
"""


def baseline_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(BASELINE_SCHEMA)
    return conn


def baseline_rows(obs: list[Observation]) -> list[tuple[str, int, float | None, str, str]]:
    return [
        (o.indicator, int(o.period.start.timestamp()), o.value, o.source, o.fetched_at.isoformat())
        for o in obs
    ]


def baseline_insert(
    conn: sqlite3.Connection, rows: list[tuple[str, int, float | None, str, str]]
) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO obs VALUES (?, ?, ?, ?, ?)", rows[start : start + BATCH])
        conn.execute("COMMIT")


def ingest(tmp: Path, n: int, repeat: int) -> Row:
    obs = observations(n // 120, 120)
    rows = baseline_rows(obs)
    ours: list[float] = []
    base: list[float] = []
    for run in range(repeat):
        store = SqliteStore(tmp / f"ingest{run}.db")

        # CPU seconds (user and system, every thread), not wall: the machine is shared, and
        # CPU time is what a write costs whoever else runs.
        c0 = time.process_time()
        for start in range(0, len(obs), BATCH):
            store.write(obs[start : start + BATCH])
        ours.append(len(obs) / (time.process_time() - c0))
        store.close()
        conn = baseline_db(tmp / f"baseline{run}.db")
        c0 = time.process_time()
        baseline_insert(conn, rows)
        base.append(len(rows) / (time.process_time() - c0))
        conn.close()
    return row(
        f"SQLite ingest ({len(obs):,} obs, batches of {BATCH}), per CPU second",
        ours,
        "obs/s",
        50_000,
        higher_is_better=True,
        peers=[Peer("plain sqlite3 executemany", statistics.median(base))],
    )


def reads(tmp: Path, repeat: int) -> list[Row]:
    """500 indicators with 20 years of monthly history each, plus one revision of the last year."""
    store = SqliteStore(tmp / "reads.db")
    obs = observations(500, 240)
    for start in range(0, len(obs), 10_000):
        store.write(obs[start : start + 10_000])
    revised = observations(500, 12, offset=0.5)
    store.write(revised)
    ids = [f"ind{i:04d}" for i in range(500)]
    latest = timed(lambda: store.latest(ids), repeat, warmup=2)
    latest_all = timed(lambda: store.latest(), repeat, warmup=2)
    history = timed(lambda: store.history("ind0250"), repeat * 5, warmup=5)
    assert len(store.history("ind0250")) == 240 and len(store.latest(ids)) == 500
    store.close()

    conn = baseline_db(tmp / "reads-baseline.db")
    baseline_insert(conn, baseline_rows(obs + revised))
    # SQLite's bare-column MAX(): the row holding the newest period of each indicator.
    b_latest = timed(
        lambda: conn.execute(
            "SELECT indicator, value, MAX(period_start) FROM obs GROUP BY indicator"
        ).fetchall(),
        repeat,
        warmup=2,
    )
    b_history = timed(
        lambda: conn.execute(
            "SELECT period_start, value FROM obs WHERE indicator = ? ORDER BY period_start",
            ("ind0250",),
        ).fetchall(),
        repeat * 5,
        warmup=5,
    )
    conn.close()
    ms = 1000.0
    return [
        row(
            "latest of 500 indicators (ids given; 120k obs in db)",
            [t * ms for t in latest],
            "ms",
            20,
            peers=[Peer("plain sqlite3 GROUP BY", statistics.median(b_latest) * ms)],
        ),
        row(
            "latest of every indicator (no ids)",
            [t * ms for t in latest_all],
            "ms",
            20,
            peers=[Peer("plain sqlite3 GROUP BY", statistics.median(b_latest) * ms)],
        ),
        row(
            "history: 20 years monthly of one indicator (240 obs)",
            [t * ms for t in history],
            "ms",
            2,
            peers=[Peer("plain sqlite3 SELECT", statistics.median(b_history) * ms)],
        ),
    ]


def run(quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        folder = Path(tmp)
        return [
            ingest(folder, 24_000 if quick else 120_000, 3 if quick else 5),
            *reads(folder, 20 if quick else 100),
        ]


if __name__ == "__main__":
    cli(__doc__ or "", run)
