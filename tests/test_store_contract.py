"""The Store contract, run against every backend: revisions, latest, history, changes, fetch log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lishi_tui.domain.model import (
    Observation,
    ObservationStatus,
    Qualifier,
    Reading,
    SourceRunOutcome,
)
from lishi_tui.domain.periods import CHINA_TZ, Period
from lishi_tui.store.base import Store, WriteResult
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def store(open_store: OpenStore) -> Store:
    return open_store()


def obs(
    indicator: str,
    period: Period,
    value: float | None = 1.0,
    *,
    source: str = "src",
    fetched_at: datetime = T0,
    demo: bool = False,
    **reading: object,
) -> Observation:
    return Observation(
        reading=Reading(indicator, period, value=value, demo=demo, **reading),  # type: ignore[arg-type]
        source=source,
        fetched_at=fetched_at,
    )


def months(
    indicator: str, count: int, *, start_year: int = 2006, **kw: object
) -> list[Observation]:
    return [
        obs(indicator, Period.month(start_year + m // 12, m % 12 + 1), float(m), **kw)  # type: ignore[arg-type]
        for m in range(count)
    ]


def test_every_field_round_trips(store: Store) -> None:
    ratio = Observation(
        reading=Reading(
            "citizen_requests",
            Period.month(2025, 9),
            numerator=1581,
            denominator=1787,
            status=ObservationStatus.PROVISIONAL,
            qualifier=Qualifier.AT_LEAST,
            origin="http://127.0.0.1:8000/requests.json",
            demo=True,
            note="办结率 «含» 转办",
            note_en="rate «incl.» referrals",  # kept beside the Chinese note, both read back
        ),
        source="hotline",
        fetched_at=datetime(2025, 10, 2, 8, 0, 1, 654321, tzinfo=CHINA_TZ),
        fetch_url="http://127.0.0.1:8000/requests.json?page=1",
    )
    instant = obs("aqi", Period.instant(datetime(2025, 10, 2, 8, 15, tzinfo=CHINA_TZ)), 42.0)
    others = [
        obs("gdp", Period.year(2024), 6.1, qualifier=Qualifier.ABOUT),
        obs("gdp_q", Period.quarter(2025, 3), -0.5, status=ObservationStatus.ESTIMATED),
        obs("greening", Period.day(datetime(2025, 10, 1).date()), None),
    ]
    result = store.write([ratio, instant, *others])
    assert result == WriteResult(
        new=5, indicators=frozenset({"citizen_requests", "aqi", "gdp", "gdp_q", "greening"})
    )

    got = store.latest()
    assert got["citizen_requests"] == ratio
    back = got["citizen_requests"]
    assert (back.reading.numerator, back.reading.denominator) == (1581.0, 1787.0)
    assert back.value == pytest.approx(1581 / 1787 * 100)
    assert back.reading.qualifier is Qualifier.AT_LEAST
    assert back.reading.status is ObservationStatus.PROVISIONAL
    assert back.demo is True
    assert back.reading.note_text("zh") == "办结率 «含» 转办"
    assert back.reading.note_text("en") == "rate «incl.» referrals"
    assert got["gdp"].reading.note_en == ""  # a note in one language is stored as it was
    assert back.fetched_at.utcoffset() == timedelta(0)
    assert back.fetched_at == datetime(2025, 10, 2, 0, 0, 1, 654321, tzinfo=UTC)
    for original in [instant, *others]:
        assert got[original.indicator] == original
        assert Period.parse(got[original.indicator].period.key) == original.period
    assert got["greening"].value is None
    assert got["greening"].reading.status is ObservationStatus.MISSING
    assert got["aqi"].period.key == "2025-10-02T00:15:00Z"


def test_identical_rewrite_changes_nothing(store: Store) -> None:
    first = obs("gdp", Period.year(2024), 6.1)
    store.write([first])
    cursor, _ = store.changes_since(0)
    again = obs("gdp", Period.year(2024), 6.1, fetched_at=T0 + timedelta(hours=1))
    assert store.write([again]) == WriteResult(unchanged=1)
    assert store.changes_since(cursor) == (cursor, frozenset())
    assert [o.revision for o in store.revisions("gdp")] == [1]
    assert store.latest()["gdp"].fetched_at == T0  # the original fetch is kept


def test_changed_value_is_a_new_revision(store: Store) -> None:
    store.write([obs("gdp", Period.year(2024), 6.1)])
    later = T0 + timedelta(days=30)
    result = store.write([obs("gdp", Period.year(2024), 6.3, fetched_at=later)])
    assert result == WriteResult(revised=1, indicators=frozenset({"gdp"}))
    latest = store.latest()["gdp"]
    assert (latest.value, latest.revision, latest.fetched_at) == (6.3, 2, later)
    revs = store.revisions("gdp", "2024")
    assert [(o.revision, o.value) for o in revs] == [(2, 6.3), (1, 6.1)]
    assert [o.value for o in store.history("gdp")] == [6.3]


def test_status_or_qualifier_change_is_a_revision(store: Store) -> None:
    store.write([obs("gdp", Period.year(2024), 6.1, status=ObservationStatus.PROVISIONAL)])
    assert store.write([obs("gdp", Period.year(2024), 6.1)]).revised == 1
    assert store.write([obs("gdp", Period.year(2024), 6.1, qualifier=Qualifier.ABOUT)]).revised == 1
    assert [o.revision for o in store.revisions("gdp")] == [3, 2, 1]


def test_repeats_inside_one_batch_are_applied_in_order(store: Store) -> None:
    p = Period.month(2025, 1)
    result = store.write([obs("x", p, 1.0), obs("x", p, 1.0), obs("x", p, 2.0)])
    assert result == WriteResult(new=1, revised=1, unchanged=1, indicators=frozenset({"x"}))
    assert [(o.revision, o.value) for o in store.revisions("x")] == [(2, 2.0), (1, 1.0)]
    assert store.latest()["x"].value == 2.0
    assert store.write([obs("x", p, 2.0)]).unchanged == 1


def test_real_beats_demo_and_newer_fetch_wins(store: Store) -> None:
    p = Period.month(2025, 9)
    store.write(
        [
            obs("gdp", p, 5.0, source="stats", fetched_at=T0),
            obs("gdp", p, 9.9, source="demo", demo=True, fetched_at=T0 + timedelta(hours=2)),
        ]
    )
    assert store.latest()["gdp"].source == "stats"
    store.write([obs("gdp", p, 5.5, source="bureau", fetched_at=T0 + timedelta(hours=1))])
    assert store.latest()["gdp"].source == "bureau"
    assert [o.source for o in store.history("gdp")] == ["bureau"]
    assert {o.source for o in store.revisions("gdp")} == {"stats", "demo", "bureau"}


def test_include_demo_false_hides_demo_figures(store: Store) -> None:
    store.write(
        [
            *months("fake", 3, source="demo", demo=True),
            obs("mixed", Period.month(2025, 1), 1.0, source="real"),
            obs("mixed", Period.month(2025, 2), 99.0, source="demo", demo=True),
        ]
    )
    assert set(store.latest()) == {"fake", "mixed"}
    assert store.latest()["mixed"].value == 1.0  # a real figure beats a newer demo period
    real = store.latest(include_demo=False)
    assert set(real) == {"mixed"}
    assert not real["mixed"].demo and real["mixed"].period.key == "2025-01"
    assert store.history("fake", include_demo=False) == []
    assert [o.value for o in store.history("mixed", include_demo=False)] == [1.0]
    assert store.latest(["fake", "mixed", "absent"], include_demo=False).keys() == {"mixed"}


def test_latest_is_the_newest_period_with_a_figure(store: Store) -> None:
    # A table whose next month is still blank (NBS hasdata false, an empty cell): the
    # blank period is kept in the history but never replaces the last real figure.
    store.write(
        [
            obs("retail", Period.month(2021, 9), 30.1),
            obs("retail", Period.month(2021, 10), 38.74),
            obs("retail", Period.month(2021, 11), None),
            obs("blank", Period.month(2021, 11), None),
            obs("demo_only", Period.month(2021, 10), 5.0, demo=True),
            obs("demo_only", Period.month(2021, 11), None, demo=True),
            obs("mixed", Period.month(2021, 10), 7.0),
            obs("mixed", Period.month(2021, 12), 9.0, demo=True),
            obs("mixed", Period.month(2021, 11), None),
        ]
    )
    latest = store.latest()
    assert latest["retail"].period.key == "2021-10" and latest["retail"].value == 38.74
    assert [o.period.key for o in store.history("retail")][-1] == "2021-11"
    # nothing has a figure yet: the blank period is all there is to show
    assert latest["blank"].value is None and latest["blank"].period.key == "2021-11"
    assert latest["demo_only"].value == 5.0
    assert latest["mixed"].value == 7.0 and not latest["mixed"].demo  # real first
    assert store.latest(["retail"], include_demo=False)["retail"].value == 38.74


def test_latest_of_chosen_indicators(store: Store) -> None:
    store.write([*months("a", 5), *months("b", 2), *months("c", 1)])
    got = store.latest(["a", "b", "missing", "a"])
    assert set(got) == {"a", "b"}
    assert got["a"].period.key == "2006-05" and got["b"].period.key == "2006-02"
    assert store.latest([]) == {}


def test_history_is_oldest_first_and_limit_keeps_newest(store: Store) -> None:
    series = months("gdp", 30)
    store.write(list(reversed(series)))
    hist = store.history("gdp")
    assert [o.period for o in hist] == [o.period for o in series]
    tail = store.history("gdp", limit=4)
    assert [o.period.key for o in tail] == ["2008-03", "2008-04", "2008-05", "2008-06"]
    since = store.history("gdp", since=Period.month(2008, 5).start)
    assert [o.period.key for o in since] == ["2008-05", "2008-06"]
    assert store.history("nothing") == []


def test_changes_since_sees_other_store_objects(open_store: OpenStore) -> None:
    writer, reader = open_store(), open_store()
    assert reader.changes_since(0) == (0, frozenset())
    writer.write([*months("a", 3), *months("b", 1)])
    cursor, changed = reader.changes_since(0)
    assert changed == {"a", "b"} and cursor > 0
    assert reader.changes_since(cursor) == (cursor, frozenset())
    writer.write([obs("b", Period.month(2006, 1), 7.0), obs("c", Period.year(2020), 1.0)])
    writer.write([obs("a", Period.month(2006, 1), 0.0)])  # unchanged: not a change
    cursor2, changed2 = reader.changes_since(cursor)
    assert changed2 == {"b", "c"} and cursor2 > cursor
    assert reader.latest()["b"].value == 7.0
    assert reader.changes_since(0)[1] == {"a", "b", "c"}


def test_fetch_log_and_health(store: Store) -> None:
    runs = [
        SourceRunOutcome(
            "stats",
            T0,
            1.5,
            True,
            bytes_received=2048,
            readings=3,
            new_observations=2,
            skipped=("gdp: no period", "cpi: 不是数字"),
        ),
        SourceRunOutcome("stats", T0 + timedelta(minutes=1), 0.2, False, error="HTTP 503"),
        SourceRunOutcome("stats", T0 + timedelta(minutes=2), 10.0, False, error="timeout"),
        SourceRunOutcome("hotline", T0, 0.1, True),
    ]
    for run in runs:
        store.log_fetch(run)
    log = store.fetch_log("stats")
    assert [r.error for r in log] == ["timeout", "HTTP 503", ""]
    assert log[-1] == runs[0]
    assert log[-1].skipped == ("gdp: no period", "cpi: 不是数字")
    assert len(store.fetch_log()) == 4 and len(store.fetch_log(limit=2)) == 2
    health = store.health()
    assert set(health) == {"stats", "hotline"}
    assert health["stats"].consecutive_failures == 2
    assert health["stats"].last_success == T0
    assert health["stats"].last_run == runs[2]
    assert health["hotline"].consecutive_failures == 0
    store.log_fetch(SourceRunOutcome("stats", T0 + timedelta(minutes=3), 1.0, True))
    assert store.health()["stats"].consecutive_failures == 0
    store.log_fetch(SourceRunOutcome("never", T0, 1.0, False, error="dns"))
    never = store.health()["never"]
    assert (never.last_success, never.consecutive_failures) == (None, 1)


def test_failed_write_leaves_nothing_of_its_batch(store: Store) -> None:
    store.write([obs("gdp", Period.year(2023), 5.0)])
    cursor, _ = store.changes_since(0)
    batch = [
        obs("gdp", Period.year(2023), 5.2),  # would supersede the stored latest
        *months("fresh", 50),
        obs("bad", Period.year(2024), 1.0, note="\ud800"),  # cannot be encoded: fails mid-insert
    ]
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own encoding error
        store.write(batch)
    assert store.changes_since(cursor) == (cursor, frozenset())
    assert store.history("fresh") == []
    assert [(o.revision, o.value) for o in store.revisions("gdp")] == [(1, 5.0)]
    assert store.latest()["gdp"].value == 5.0
    # the store is still usable after the failed transaction
    assert store.write([obs("gdp", Period.year(2023), 5.2)]).revised == 1


def test_naive_fetch_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone"):
        store.write([obs("gdp", Period.year(2023), 5.0, fetched_at=datetime(2025, 1, 1))])
    assert store.latest() == {}


def test_writer_thread_and_reader_thread_share_one_store(store: Store) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(20):
                store.write(months(f"t{i}", 24))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    while thread.is_alive():
        for indicator, latest in store.latest().items():
            assert latest.period.key == "2007-12", indicator  # never a half-written batch
    thread.join()
    assert errors == []
    assert len(store.latest()) == 20


def test_close_is_idempotent(open_store: OpenStore) -> None:
    store = open_store()
    store.close()
    store.close()


def test_concurrent_writers_never_let_a_reader_skip_a_change(open_store: OpenStore) -> None:
    reader = open_store()
    writers = [open_store(), open_store()]
    seen: set[str] = set()
    errors: list[BaseException] = []

    def write(store: Store, prefix: str) -> None:
        try:
            for i in range(15):
                store.write(months(f"{prefix}{i}", 12))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(w, p)) for w, p in zip(writers, "xy", strict=True)
    ]
    for thread in threads:
        thread.start()
    cursor = 0
    while any(t.is_alive() for t in threads):
        cursor, changed = reader.changes_since(cursor)
        seen |= changed
    for thread in threads:
        thread.join()
    cursor, changed = reader.changes_since(cursor)
    seen |= changed
    assert errors == []
    assert seen == {f"{p}{i}" for p in "xy" for i in range(15)}
    assert reader.changes_since(cursor) == (cursor, frozenset())


@pytest.mark.postgres
def test_open_store_opens_postgres(pg_schema_dsn: str, tmp_path: Path) -> None:
    from lishi_tui.config.schema import StorageSettings
    from lishi_tui.store.factory import open_store as open_configured

    store = open_configured(
        StorageSettings(backend="postgres", url=pg_schema_dsn), base_dir=tmp_path
    )
    try:
        store.write([obs("gdp", Period.year(2024), 6.1)])
        assert store.latest()["gdp"].value == 6.1
    finally:
        store.close()


def test_prune_drops_old_runs_and_superseded_demo_revisions_only(store: Store) -> None:
    old, new = T0 - timedelta(days=40), T0
    month = Period.month(2026, 10)
    for i, value in enumerate((1.0, 2.0, 3.0)):  # three revisions of a real figure, long ago
        when = old + timedelta(minutes=i)
        store.write([obs("real", month, value, fetched_at=when)])
    # A demo figure generated twice (one row: the second replaced the first), then the same
    # source's real figure for that period: the demo row is now a superseded revision.
    for i, value in enumerate((1.0, 2.0)):
        when = old + timedelta(minutes=i)
        store.write([obs("synthetic", month, value, source="demo", demo=True, fetched_at=when)])
    store.write([obs("synthetic", month, 3.0, source="demo", fetched_at=old + timedelta(hours=1))])
    assert [(o.value, o.revision, o.demo) for o in store.revisions("synthetic")] == [
        (3.0, 2, False),
        (2.0, 1, True),
    ]
    store.log_fetch(SourceRunOutcome("quiet", old, 0.1, True))  # a source's only (last) run
    for i in range(3):
        store.log_fetch(SourceRunOutcome("busy", old + timedelta(minutes=i), 0.1, i != 1))
    store.log_fetch(SourceRunOutcome("busy", new, 0.1, False, error="down"))

    deleted = store.prune(fetch_log_before=T0 - timedelta(days=30), demo_revisions_before=T0)

    assert deleted == 3 + 1  # three old runs of "busy", one superseded demo revision
    assert [o.value for o in store.revisions("real")] == [3.0, 2.0, 1.0]  # real: all kept
    assert [o.value for o in store.revisions("synthetic")] == [3.0]
    assert store.latest()["synthetic"].value == 3.0
    assert [r.started_at for r in store.fetch_log("busy")] == [new]
    assert [r.source for r in store.fetch_log("quiet")] == ["quiet"]
    health = store.health()
    assert health["busy"].consecutive_failures == 1  # the summary outlives the pruned rows
    assert health["quiet"].last_success == old


def test_a_regenerated_demo_figure_is_not_a_revision(store: Store) -> None:
    """A demo source's tick replaces its figure for the period; a real figure still revises."""
    month = Period.month(2026, 12)
    results = [
        store.write([obs("waste", month, 70.0 + i / 10, source="demo", demo=True)])
        for i in range(93)
    ]
    assert (results[0].new, results[0].revised) == (1, 0)
    assert all((r.revised, r.regenerated, r.stored) == (0, 1, 1) for r in results[1:])
    assert all(r.indicators == {"waste"} for r in results)  # viewers still hear of each tick
    assert store.write([obs("waste", month, 79.2, source="demo", demo=True)]).unchanged == 1
    [only] = store.revisions("waste")
    assert (only.value, only.revision, only.demo) == (79.2, 1, True)
    assert store.latest()["waste"].revision == 1
    summary = store.summary()["waste"]
    assert (summary.stored_rows, summary.latest_rows) == (1, 1)
    # Several ticks in one batch: the last one is kept.
    store.write([obs("waste", month, v, source="demo", demo=True) for v in (80.0, 80.5, 81.0)])
    assert [(o.value, o.revision) for o in store.revisions("waste")] == [(81.0, 1)]
    # Real figures keep every revision, whatever came before them.
    for value in (10.0, 10.5):
        store.write([obs("gdp", Period.year(2025), value)])
    assert [(o.value, o.revision) for o in store.revisions("gdp")] == [(10.5, 2), (10.0, 1)]
    # A newer viewer cursor sees the regenerated row.
    cursor, _ = store.changes_since(0)
    store.write([obs("waste", month, 82.0, source="demo", demo=True)])
    assert store.changes_since(cursor)[1] == {"waste"}


def test_version_moves_on_every_commit_by_anyone(open_store: OpenStore) -> None:
    reader, writer = open_store(), open_store()
    start = reader.version()
    assert reader.version() == start  # nothing committed, nothing moves
    writer.write([obs("gdp", Period.year(2021), 10.0)])
    after_write = reader.version()
    assert after_write != start
    writer.log_fetch(SourceRunOutcome("src", T0, 0.1, True))
    assert reader.version() != after_write
    own = reader.version()
    reader.write([obs("gdp", Period.year(2022), 11.0)])
    assert reader.version() != own
