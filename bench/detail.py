"""History length: the detail screen and start-up reads at 1k-1M observations, beside none and the old reads."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/detail.py`

from bench.harness import Peer, Row, cli, fmt, row, timed
from lishi_tui.domain.model import Frequency, Indicator, Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.rows import INSERT_COLUMNS
from lishi_tui.store.sqlite import SqliteStore
from lishi_tui.store.summary import SUMMARY_MIGRATION

FIRST = datetime(2026, 1, 1, tzinfo=UTC)
OPENS = 9  # detail screen opens per history size (full mode), the sizes interleaved
AQI = Indicator(
    id="aqi",
    name_zh="空气质量指数",
    name_en="AQI",
    unit="",
    decimals=0,
    frequency=Frequency.REALTIME,
    source="air_api",
)


def filled(path: Path, n: int, *, indicators: int = 1) -> Path:
    """A store holding ``n`` instants (3 s apart, as the AQI demo writes) spread over
    ``indicators``, inserted in bulk and summarised as a migrated database would be."""
    SqliteStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    fetched = FIRST.isoformat(timespec="microseconds")
    per = max(n // indicators, 1)

    def rows() -> Iterator[tuple[Any, ...]]:
        for k in range(indicators):
            ind = "aqi" if k == 0 else f"ind{k:04d}"
            for i in range(per if k else n - per * (indicators - 1)):
                start = int(FIRST.timestamp()) + 3 * i
                key = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                yield (
                    ind,
                    key,
                    "instant",
                    start,
                    float(50 + i % 40),
                    None,
                    None,
                    "normal",
                    "exact",
                    "air_api",
                    "",
                    "",
                    fetched,
                    1,
                    1,
                    1,
                    "",
                    "",
                )

    marks = ", ".join("?" * len(INSERT_COLUMNS.split(",")))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO observations ({INSERT_COLUMNS}) VALUES ({marks})", rows())
    conn.execute("DELETE FROM indicator_summary")
    backfill = next(s for s in SUMMARY_MIGRATION.statements() if "INSERT INTO" in s)
    from lishi_tui.store.sqlite import SqliteDialect

    conn.execute(SqliteDialect(path).sql(backfill))
    conn.execute("COMMIT")
    conn.close()
    return path


async def open_detail_once(db: Path) -> float:
    """Seconds from asking for the detail screen to its first read shown (headless app)."""
    from lishi_tui.app import make_app
    from lishi_tui.app.screens.detail import DetailScreen
    from lishi_tui.config.schema import PageConfig, PanelConfig, PanelKind
    from tests.app_support import FIXED_NOW, build_config, build_registry

    base = build_config()
    config = dataclasses.replace(
        base,
        indicators={**base.indicators, "aqi": AQI},
        pages=(PageConfig("air", "空气", "Air", (PanelConfig(PanelKind.STAT, ("aqi",)),)),),
    )
    store = SqliteStore(db)
    app = make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_detail("aqi")
        while not (isinstance(app.screen, DetailScreen) and app.screen.reads):  # noqa: ASYNC110
            await asyncio.sleep(0.002)  # the screen counts reads; polling it adds ~2 ms
        await pilot.pause()  # and painted
        took = time.perf_counter() - t0
    store.close()
    return took


def old_detail_reads(db: Path) -> float:
    """What the detail screen read before: every revision as an Observation, a Text per cell."""
    from rich.text import Text

    store = SqliteStore(db)
    t0 = time.perf_counter()
    rows = [
        [Text(o.period.key), Text(str(o.value)), Text(str(o.revision)), Text(o.source)]
        for o in store.revisions("aqi")
    ]
    took = time.perf_counter() - t0
    store.close()
    del rows
    return took


def startup_reads(store: SqliteStore) -> None:
    """The store reads the dashboard makes before its first paint."""
    store.version()
    store.changes_since(0)
    store.health()
    store.latest()


def old_changes_since_zero(db: Path) -> float:
    conn = sqlite3.connect(db)
    t0 = time.perf_counter()
    conn.execute(
        "SELECT indicator, MAX(id) FROM observations NOT INDEXED WHERE id > 0 GROUP BY indicator"
    ).fetchall()
    took = time.perf_counter() - t0
    conn.close()
    return took


def growth(what: str, medians: dict[int, float], runs: int) -> Row:
    """Growth per 10x of history, geometric from the smallest size to the largest:
    (t_large / t_small) ** (1 / decades). Two neighbouring sizes alone let one noisy median
    decide the verdict (a 1,000-row open slower than a 10,000-row one)."""
    small, large = min(medians), max(medians)
    decades = math.log10(large / small)
    t_small, t_large = medians[small], medians[large]
    ratio = (t_large / t_small) ** (1 / decades) if t_small and t_large and decades else None
    how = f"({fmt(t_large)} s / {fmt(t_small)} s)^(1/{decades:g}), {small:,} → {large:,}"
    return Row(what, ratio, "×", 1.5, runs=runs, note=how if ratio else "not measured")


def run(quick: bool) -> list[Row]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    repeat = 2 if quick else 3
    opens = 3 if quick else OPENS  # an open is a fraction of a second: many, interleaved
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lishi-bench-detail-") as tmp:
        folder = Path(tmp)
        none = folder / "none.db"
        SqliteStore(none).close()
        SqliteStore(none).write(
            [Observation(Reading("aqi", Period.instant(FIRST), value=1.0), "air_api", FIRST)]
        )
        dbs = {n: filled(folder / f"h{n}.db", n) for n in sizes}
        bare: list[float] = []
        opened: dict[int, list[float]] = {n: [] for n in sizes}
        for _ in range(opens):  # each size in turn, so that a burst of load hits them all
            bare.append(asyncio.run(open_detail_once(none)))
            for n, db in dbs.items():
                opened[n].append(asyncio.run(open_detail_once(db)))
        medians: dict[int, float] = {}
        for n, db in dbs.items():
            samples = opened[n]
            tracemalloc.start()
            asyncio.run(open_detail_once(db))
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            old = [old_detail_reads(db) for _ in range(1 if n >= 100_000 else repeat)]
            r = row(
                f"detail screen, {n:,} observations (open to painted)",
                samples,
                "s",
                0.5,
                peers=[Peer("with 1 observation", min(bare)), Peer("old reads alone", min(old))],
                note=f"peak traced {peak:.0f} MiB",
            )
            out.append(r)
            medians[n] = r.value or 0.0
        out.append(growth("detail screen growth per 10× history", medians, opens))

        counts = (100_000, 1_000_000) if not quick else (10_000, 100_000)
        empty = folder / "empty.db"
        SqliteStore(empty).close()
        store = SqliteStore(empty)
        bare_start = timed(lambda: startup_reads(store), repeat * 5, warmup=2)
        store.close()
        starts: dict[int, float] = {}
        for n in counts:
            db = filled(folder / f"s{n}.db", n, indicators=100)
            store = SqliteStore(db)
            samples = timed(lambda store=store: startup_reads(store), repeat * 5, warmup=2)  # type: ignore[misc]
            store.close()
            old = [old_changes_since_zero(db) for _ in range(repeat)]
            r = row(
                f"start-up store reads, {n:,} observations in 100 indicators",
                samples,
                "s",
                0.05,
                peers=[
                    Peer("empty database", min(bare_start)),
                    Peer("old changes_since(0)", min(old)),
                ],
            )
            out.append(r)
            starts[n] = r.value or 0.0
        out.append(growth("start-up store reads growth per 10× history", starts, repeat * 5))
    return out


if __name__ == "__main__":
    cli(__doc__ or "", run)
