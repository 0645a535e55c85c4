"""Reads that cost what a screen draws: the indicator summary, paged revisions, SQL buckets."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Store
from lishi_tui.store.sqlite import SqliteStore
from lishi_tui.store.sqlstore import SqlStore
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def instant(
    i: int, value: float, *, step_s: int = 60, demo: bool = True, **kw: object
) -> Observation:
    period = Period.instant(T0 + timedelta(seconds=step_s * i))
    source = str(kw.pop("source", "demo"))
    fetched = kw.pop("fetched_at", T0 + timedelta(seconds=step_s * i))
    assert isinstance(fetched, datetime)
    return Observation(Reading("aqi", period, value=value, demo=demo), source, fetched)


def month(
    indicator: str,
    m: int,
    value: float,
    *,
    source: str = "s",
    demo: bool = False,
    fetched_at: datetime = T0,
) -> Observation:
    reading = Reading(indicator, Period.month(2020 + m // 12, m % 12 + 1), value=value, demo=demo)
    return Observation(reading, source, fetched_at)


def test_summary_follows_writes_revisions_and_pruning(open_store: OpenStore) -> None:
    store = open_store()
    store.write([month("gdp", m, float(m)) for m in range(12)])
    store.write([month("gdp", 14, 99.0, source="demo", demo=True)])  # demo past the real ones
    store.write([month("gdp", 11, 11.5, fetched_at=T0 + timedelta(days=1))])  # a revision
    s = store.summary()["gdp"]
    assert (s.stored_rows, s.latest_rows) == (14, 13)
    assert s.latest_real is not None and (s.latest_real.value, s.latest_real.revision) == (11.5, 2)
    assert s.latest_demo is not None and s.latest_demo.value == 99.0
    assert s.latest == store.latest()["gdp"] == s.latest_real
    assert s.first_period_start == Period.month(2020, 1).start
    assert s.last_period_start == Period.month(2021, 3).start
    assert store.summary(["gdp", "absent"]).keys() == {"gdp"}
    # A demo figure generated again replaces its row: the counts stay at one.
    for value in (1.0, 2.0, 3.0):
        store.write([month("fake", 0, value, source="demo", demo=True)])
    fake = store.summary()["fake"]
    assert (fake.stored_rows, fake.latest_rows) == (1, 1)
    assert fake.latest_demo is not None and fake.latest_demo.value == 3.0
    # A real figure over it supersedes it; pruning that demo revision: the counts follow.
    store.write([month("fake", 0, 4.0, source="demo")])
    assert store.summary()["fake"].stored_rows == 2
    assert store.prune(fetch_log_before=T0, demo_revisions_before=T0 + timedelta(days=9)) == 1
    fake = store.summary()["fake"]
    assert (fake.stored_rows, fake.latest_rows) == (1, 1)
    assert fake.latest_real is not None and fake.latest_real.value == 4.0
    assert fake.latest_demo is None


def reference_latest(
    store: Store, indicators: list[str], *, include_demo: bool
) -> dict[str, Observation]:
    """latest() worked out in Python from every revision: real first, newest period, newest fetch."""
    out: dict[str, Observation] = {}
    for ind in indicators:
        current: dict[tuple[str, str], Observation] = {}
        for o in store.revisions(ind):  # newest revision of each key comes first
            current.setdefault((o.period.key, o.source), o)
        pool = [o for o in current.values() if include_demo or not o.demo]
        if not pool:
            continue
        best = min(
            pool, key=lambda o: (o.demo, -o.period.start.timestamp(), -o.fetched_at.timestamp())
        )
        out[ind] = best
    return out


def test_latest_through_the_summary_matches_every_revision_worked_out(
    open_store: OpenStore,
) -> None:
    store, rng = open_store(), random.Random(16)
    indicators = ["a", "b", "c"]
    for batch in range(40):
        fetched = T0 + timedelta(minutes=batch)  # no ties: each batch fetched later
        obs = []
        for _ in range(rng.randint(1, 6)):
            demo = rng.random() < 0.4
            obs.append(
                month(
                    rng.choice(indicators),
                    rng.randint(0, 8),
                    float(rng.randint(0, 3)),
                    source=rng.choice(["x", "y"]) + ("_demo" if demo else ""),
                    demo=demo,
                    fetched_at=fetched,
                )
            )
        store.write(obs)
        for include_demo in (True, False):
            assert store.latest(include_demo=include_demo) == reference_latest(
                store, indicators, include_demo=include_demo
            ), (batch, include_demo)
    total = sum(len(store.revisions(i)) for i in indicators)
    assert sum(s.stored_rows for s in store.summary().values()) == total


def test_series_gives_min_max_last_per_bucket(open_store: OpenStore) -> None:
    store = open_store()
    values = [5.0, 1.0, 9.0, 4.0, 7.0, 2.0, 8.0, 3.0]  # one a minute
    store.write([instant(i, v) for i, v in enumerate(values)])
    store.write([instant(3, 6.0, demo=False, source="station")])  # a real figure for minute 3
    got = store.series("aqi", start=T0, end=T0 + timedelta(minutes=8), buckets=2)
    assert [(b.start, b.end) for b in got] == [
        (T0, T0 + timedelta(minutes=4)),
        (T0 + timedelta(minutes=4), T0 + timedelta(minutes=8)),
    ]
    first, second = got
    # minute 3 has two current figures (demo 4.0, real 6.0): both counted, the real one is "last"
    assert (first.count, first.low, first.high, first.last, first.demo) == (5, 1.0, 9.0, 6.0, True)
    assert first.last_start == T0 + timedelta(minutes=3)
    assert (second.count, second.low, second.high, second.last) == (4, 2.0, 8.0, 3.0)
    real = store.series(
        "aqi", start=T0, end=T0 + timedelta(minutes=8), buckets=2, include_demo=False
    )
    assert [(b.count, b.low, b.last, b.demo) for b in real] == [(1, 6.0, 6.0, False)]
    # a range past the data, and a bucket of one second, leave nothing out and invent nothing
    assert store.series("aqi", start=T0 - timedelta(days=1), end=T0, buckets=10) == []
    fine = store.series("aqi", start=T0, end=T0 + timedelta(minutes=8), buckets=10_000)
    assert [b.count for b in fine] == [1, 1, 1, 2, 1, 1, 1, 1]


def test_series_start_is_where_the_newest_periods_begin(open_store: OpenStore) -> None:
    store = open_store()
    assert store.series_start("aqi", periods=5) is None  # nothing stored
    minute = timedelta(minutes=1)
    store.write([instant(i, float(i)) for i in range(10)])  # demo, minutes 0-9
    assert store.series_start("aqi", periods=3) == T0 + 7 * minute  # minutes 7, 8, 9
    assert store.series_start("aqi", periods=1) == T0 + 9 * minute
    assert store.series_start("aqi", periods=10) == T0
    assert store.series_start("aqi", periods=500) == T0  # fewer stored: all of them
    # A second source for minutes 6-9 gives the same periods, not more: still 7, 8, 9.
    store.write([instant(i, 50.0, demo=False, source="station") for i in range(6, 10)])
    assert store.series_start("aqi", periods=3) == T0 + 7 * minute
    assert store.series_start("aqi", periods=4) == T0 + 6 * minute
    # Real figures only: the station's four minutes.
    assert store.series_start("aqi", periods=3, include_demo=False) == T0 + 7 * minute
    assert store.series_start("aqi", periods=9, include_demo=False) == T0 + 6 * minute
    # A revision is one period, whatever its earlier revisions.
    later = T0 + timedelta(days=1)
    store.write([instant(9, 51.0, demo=False, source="station", fetched_at=later)])
    assert store.series_start("aqi", periods=2, include_demo=False) == T0 + 8 * minute
    assert store.series_start("other", periods=3) is None
    # Several pages: more sources than periods asked give each period.
    for n in range(3):
        store.write([instant(i, 1.0, demo=False, source=f"s{n}") for i in range(10)])
    assert store.series_start("aqi", periods=4) == T0 + 6 * minute
    assert store.series_start("aqi", periods=10, include_demo=False) == T0


def test_revisions_read_one_page_at_a_time(open_store: OpenStore) -> None:
    store = open_store()
    for rev in range(3):
        store.write(
            [
                month("gdp", m, float(m + rev), fetched_at=T0 + timedelta(days=rev))
                for m in range(10)
            ]
        )
    every = store.revisions("gdp")
    assert len(every) == 30
    pages = [store.revisions("gdp", limit=7, offset=o) for o in range(0, 30, 7)]
    assert [o for page in pages for o in page] == every
    assert store.revisions("gdp", offset=28) == every[28:]


def test_an_existing_database_gets_its_summary_built(open_store: OpenStore) -> None:
    store = open_store()
    assert isinstance(store, SqlStore)
    store.write([month("gdp", m, float(m)) for m in range(6)])
    store.write(
        [month("gdp", 5, 50.0, fetched_at=T0 + timedelta(days=1)), month("x", 1, 1.0, demo=True)]
    )
    before = store.summary()
    with store.transaction() as tx:  # back to a database from before the summary
        tx.execute("DROP INDEX observations_revisions")
        tx.execute("DROP TABLE indicator_summary")
        tx.execute("DELETE FROM lishi_migrations WHERE module = 'core' AND step = 4")
    reopened = open_store()
    assert reopened.summary() == before
    assert reopened.changes_since(0)[1] == {"gdp", "x"}


# -- mechanisms, checked on SQLite where the engine can be asked what it did


def vm_steps(store: SqliteStore, reads: Callable[[], object]) -> int:
    """SQLite virtual-machine steps the reads took: grows with every row any scan touches."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn = store._conn
    conn.set_progress_handler(tick, 100)
    try:
        reads()
    finally:
        conn.set_progress_handler(None, 0)
    return steps


def test_a_detail_views_reads_cost_the_same_for_ten_times_the_history(tmp_path: Path) -> None:
    costs = []
    for n in (3_000, 30_000):
        store = SqliteStore(tmp_path / f"h{n}.db")
        store.write([instant(i, float(i % 97)) for i in range(n)])
        newest = T0 + timedelta(minutes=n)

        def detail_reads(store: SqliteStore = store, newest: datetime = newest) -> None:
            store.summary(["aqi"])
            store.latest(["aqi"])
            store.revisions("aqi", limit=100)
            store.history("aqi", limit=800)
            # the last day of a one-a-minute series, to 200 chart columns
            store.series("aqi", start=newest - timedelta(days=1), end=newest, buckets=200)
            store.changes_since(0)

        detail_reads()
        costs.append(vm_steps(store, detail_reads))
        store.close()
    small, large = costs
    assert large < small * 1.3, costs  # a scan of the history would be ~10x


FULL_SCAN = re.compile(r"^SCAN (observations|o|g)\b")


def test_start_up_reads_no_observation_table_scan(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    store.write([instant(i, 1.0) for i in range(500)] + [month("gdp", m, 1.0) for m in range(30)])
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    store.version()
    store.changes_since(0)
    store.health()
    store.latest()
    store.latest(["gdp", "aqi"])
    store.summary()
    store._conn.set_trace_callback(None)
    checked = 0
    for sql in statements:
        if sql.split()[0].upper() in {"BEGIN", "COMMIT", "PRAGMA"}:
            continue
        plan = [row[3] for row in store._conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not [p for p in plan if FULL_SCAN.match(p)], (sql, plan)
        checked += 1
    assert checked >= 5
    store.close()


def test_the_summary_rolls_back_with_its_write(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    store.write([month("gdp", 0, 1.0)])

    def refuse(tx: object) -> None:
        raise RuntimeError("refused at commit")

    store.add_commit_hook(refuse, before=True)  # fails after the summary row was updated
    with pytest.raises(RuntimeError, match="refused at commit"):
        store.write([month("gdp", 1, 2.0), month("gdp", 2, 3.0)])
    s = store.summary()["gdp"]
    assert (s.stored_rows, s.last_period_start) == (1, Period.month(2020, 1).start)
    store.close()


def observation_rows_touched(node: dict[str, Any]) -> int:
    """Rows of the observations table a PostgreSQL plan node (and its children) read."""
    own = 0
    if node.get("Relation Name") == "observations":
        loops = int(node.get("Actual Loops", 1))
        own = (int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))) * loops
    return own + sum(observation_rows_touched(child) for child in node.get("Plans", []))


@pytest.mark.postgres
def test_start_up_reads_touch_few_observation_rows_on_postgres(pg_schema_dsn: str) -> None:
    from lishi_tui.store.postgres import PostgresStore

    store = PostgresStore(pg_schema_dsn)
    store.write([instant(i, 1.0) for i in range(500)] + [month("gdp", m, 1.0) for m in range(30)])
    seen: list[tuple[str, list[object]]] = []
    execute = store.dialect.execute

    def recording(conn: object, sql: str, params: object) -> object:
        seen.append((sql, list(params)))  # type: ignore[call-overload]
        return execute(conn, sql, params)  # type: ignore[arg-type]

    store.dialect.execute = recording  # type: ignore[method-assign,assignment]
    store.version()
    store.changes_since(0)
    store.health()
    store.latest()
    store.latest(["gdp", "aqi"])
    store.summary()
    store.dialect.execute = execute  # type: ignore[method-assign]
    conn = store._conn
    # 530 rows are cheaper to scan than to probe; with scans priced out the planner shows the
    # index path it takes on a large table, and a read with none still walks every row.
    conn.execute("SET enable_seqscan = off")
    checked = 0
    for sql, params in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        explained = ("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).encode()
        plan = conn.execute(explained, params).fetchone()[0][0]["Plan"]
        touched = observation_rows_touched(plan)
        assert touched <= 20, (sql, touched)  # of 530 stored: nothing walks the history
        checked += 1
    assert checked >= 5
    store.close()


async def test_the_dashboards_start_reads_no_observation_table_scan(tmp_path: Path) -> None:
    """Every statement the real dashboard sends from start to its first page drawn (the
    overview of every indicator, then a page of panels), explained by SQLite: none scans
    the observations, so a first paint does not grow with the history."""
    from lishi_tui.app.app import make_app
    from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text

    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    store.write([instant(i, float(i % 90)) for i in range(2000)])  # a long instant history
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    app = make_app(
        build_config(overview="first"),
        build_registry(),
        store,
        clock=lambda: FIXED_NOW,
        env={},
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):  # a bound on polls, not on time
            await pilot.pause(0.05)
            if "地区生产总值增速" in screen_text(app) and "51 %" in screen_text(app):
                break
        await pilot.press("tab")  # the first page of panels
        for _ in range(100):
            await pilot.pause(0.05)
            if "≥10.0 %" in screen_text(app):
                break
        assert "≥10.0 %" in screen_text(app)
    store._conn.set_trace_callback(None)
    checked = 0
    for sql in statements:
        if sql.split()[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"}:
            continue
        plan = [row[3] for row in store._conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert not [p for p in plan if FULL_SCAN.match(p)], (sql, plan)
        checked += 1
    assert checked >= 5, statements
    store.close()


def test_reads_without_demo_figures_of_a_demo_only_series_find_none_at_once(
    open_store: OpenStore, tmp_path: Path
) -> None:
    store = open_store()
    store.write([instant(i, float(i)) for i in range(50)])  # demo readings only
    end = T0 + timedelta(hours=2)
    assert store.history("aqi", limit=20, include_demo=False) == []
    assert store.series("aqi", start=T0, end=end, buckets=10, include_demo=False) == []
    assert len(store.history("aqi", limit=20)) == 20  # with demo figures: there they are
    # One real reading among them: that one alone, in both reads.
    store.write([instant(60, 7.5, demo=False, source="real")])
    real = store.history("aqi", limit=20, include_demo=False)
    assert [(o.value, o.source, o.demo) for o in real] == [(7.5, "real", False)]
    (bucket,) = store.series("aqi", start=T0, end=end, buckets=10, include_demo=False)
    figures = (bucket.count, bucket.low, bucket.high, bucket.last, bucket.demo)
    assert figures == (1, 7.5, 7.5, 7.5, False)

    # On SQLite, counted: without that check, the reads walked every demo row.
    costs = []
    for n in (3_000, 30_000):
        sqlite = SqliteStore(tmp_path / f"demo{n}.db")
        sqlite.write([instant(i, float(i % 97)) for i in range(n)])

        def reads(s: SqliteStore = sqlite, n: int = n) -> None:
            s.history("aqi", limit=800, include_demo=False)
            s.series(
                "aqi", start=T0, end=T0 + timedelta(minutes=n), buckets=200, include_demo=False
            )

        costs.append(vm_steps(sqlite, reads))
        sqlite.close()
    small, large = costs
    assert large <= small * 1.3, costs
