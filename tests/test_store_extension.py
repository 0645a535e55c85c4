"""Other modules' tables through the store's one SQL body, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.schema import Migration, Schema, SchemaError
from lishi_tui.store.sql import Transaction, read_json, read_time
from lishi_tui.store.sqlstore import SqlStore
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)

ALERTS_V1 = Schema(
    "test_alerts",
    [
        Migration(
            "alert instances",
            """
            -- one row per rule and indicator
            CREATE TABLE t_alerts (
                id      {id},
                rule    TEXT NOT NULL,
                since   {time} NOT NULL,
                firing  {bool} NOT NULL,
                detail  {json} NOT NULL
            );
            CREATE INDEX t_alerts_rule ON t_alerts (rule, since DESC)
            """,
        )
    ],
)
ALERTS_V2 = Schema(
    "test_alerts",
    [*ALERTS_V1.steps, Migration("acknowledged by", "ALTER TABLE t_alerts ADD COLUMN ack TEXT")],
)
AUDIT = Schema("test_audit", [Migration("audit", "CREATE TABLE t_audit (who TEXT NOT NULL)")])


def sql_store(open_store: OpenStore) -> SqlStore:
    store = open_store()
    assert isinstance(store, SqlStore)
    return store


def test_a_module_adds_its_table_once_for_both_backends(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    store.ensure(ALERTS_V1)
    store.ensure(AUDIT)  # a second module's own step 1 does not collide with the first's
    with store.transaction("alerts") as tx:
        row = tx.one(
            "INSERT INTO t_alerts (rule, since, firing, detail) VALUES (?, ?, ?, ?) RETURNING id",
            ("gdp_low", T0, True, tx.dialect.json({"value": 4.9, "单位": "%"})),
        )
        tx.execute("INSERT INTO t_audit (who) VALUES (?)", ("张三",))
    assert row is not None and int(row[0]) >= 1
    got = store.query("SELECT rule, since, firing, detail FROM t_alerts WHERE firing = {true}")
    assert len(got) == 1
    rule, since, firing, detail = got[0]
    assert (rule, read_time(since), bool(firing), read_json(detail)) == (
        "gdp_low",
        T0,
        True,
        {"value": 4.9, "单位": "%"},
    )
    # Another process opening the same database finds the tables there and runs nothing.
    other = sql_store(open_store)
    other.ensure(ALERTS_V1)
    assert other.query("SELECT who FROM t_audit") == [("张三",)]


def test_new_steps_run_once_and_only_the_new_ones(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    store.ensure(ALERTS_V1)
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO t_alerts (rule, since, firing, detail) VALUES (?, ?, ?, ?)",
            ("r", T0, False, tx.dialect.json([])),
        )
    later = sql_store(open_store)  # a newer program version: ALTER would fail if step 1 re-ran
    later.ensure(ALERTS_V2)
    later.ensure(ALERTS_V2)
    assert later.query("SELECT rule, ack FROM t_alerts") == [("r", None)]
    steps = later.query(
        "SELECT step, name FROM lishi_migrations WHERE module = ? ORDER BY step", ("test_alerts",)
    )
    assert steps == [(1, "alert instances"), (2, "acknowledged by")]


def test_a_database_ahead_of_the_program_or_renumbered_is_refused(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    store.ensure(ALERTS_V2)
    older = sql_store(open_store)
    with pytest.raises(SchemaError, match="step 2, newer than this program knows \\(1\\)"):
        older.ensure(ALERTS_V1)
    renamed = Schema("test_alerts", [Migration("alerts (renamed)", "SELECT 1"), ALERTS_V2.steps[1]])
    with pytest.raises(SchemaError, match="step 1 is 'alert instances'"):
        sql_store(open_store).ensure(renamed)


def test_a_failing_step_leaves_no_table_and_no_record(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    broken = Schema(
        "test_broken",
        [Migration("two tables, the second bad", "CREATE TABLE t_ok (x INTEGER); CREATE TABLE (")],
    )
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own syntax error
        store.ensure(broken)
    assert store.query("SELECT step FROM lishi_migrations WHERE module = ?", ("test_broken",)) == []
    store.ensure(Schema("test_broken", [Migration("x", "CREATE TABLE t_ok (x INTEGER)")]))
    assert store.query("SELECT COUNT(*) FROM t_ok") == [(0,)]


def test_placeholders_percent_signs_and_words_translate(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    rows = store.query("SELECT ? || '%', CASE WHEN ? THEN {true} ELSE {false} END", ("50", True))
    assert rows[0][0] == "50%" and bool(rows[0][1]) is True
    with pytest.raises(KeyError, match="unknown SQL word \\{nope\\}"):
        store.query("SELECT {nope}")
    with store.transaction() as tx, pytest.raises(ValueError, match="timezone"):
        tx.execute("SELECT ?", (datetime(2025, 1, 1),))


def test_commit_hooks_run_inside_and_after_each_write(open_store: OpenStore) -> None:
    store = sql_store(open_store)
    seen: list[tuple[str, frozenset[str]]] = []
    store.add_commit_hook(lambda tx: seen.append(("before", frozenset(tx.topics))), before=True)
    store.add_commit_hook(lambda tx: seen.append(("after", frozenset(tx.topics))))
    store.write([Observation(Reading("gdp", Period.year(2024), value=6.1), "s", T0)])
    obs_topic = frozenset({"observations"})
    assert seen == [("before", obs_topic), ("after", obs_topic)]

    def refuse(tx: Transaction) -> None:
        if "audit" in tx.topics:
            raise RuntimeError("hook refused")

    store.ensure(AUDIT)
    store.add_commit_hook(refuse, before=True)
    with pytest.raises(RuntimeError, match="hook refused"), store.transaction("audit") as tx:
        tx.execute("INSERT INTO t_audit (who) VALUES (?)", ("x",))
        tx.after_commit(lambda: seen.append(("tx", frozenset())))
    assert store.query("SELECT COUNT(*) FROM t_audit") == [(0,)]  # rolled back
    assert ("tx", frozenset()) not in seen


def test_a_module_commit_moves_version_for_readers(open_store: OpenStore) -> None:
    writer, reader = sql_store(open_store), sql_store(open_store)
    writer.ensure(AUDIT)
    start = reader.version()
    with writer.transaction("audit") as tx:
        tx.execute("INSERT INTO t_audit (who) VALUES (?)", ("李四",))
    assert reader.version() != start


def test_heartbeat_says_when_and_who(open_store: OpenStore) -> None:
    collector, viewer = sql_store(open_store), sql_store(open_store)
    assert viewer.last_heartbeat() is None
    collector.heartbeat(pid=4242, host="gov-01", now=T0)
    collector.heartbeat(pid=4242, host="gov-01", now=T0 + timedelta(seconds=15))
    beat = viewer.last_heartbeat()
    assert beat is not None
    assert (beat.pid, beat.host, beat.beat_at, beat.started_at) == (
        4242,
        "gov-01",
        T0 + timedelta(seconds=15),
        T0,
    )
    assert beat.age(T0 + timedelta(seconds=75)) == 60.0
    collector.heartbeat(pid=99, host="gov-01", now=T0 + timedelta(hours=1))  # a restart
    beat = viewer.last_heartbeat()
    assert beat is not None and (beat.pid, beat.started_at) == (99, T0 + timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone"):
        collector.heartbeat(pid=1, host="h", now=datetime(2026, 1, 1))


@pytest.mark.postgres
def test_a_postgres_database_from_before_lishi_migrations_is_adopted(pg_schema_dsn: str) -> None:
    import psycopg

    from lishi_tui.store.core import CORE
    from lishi_tui.store.postgres import PostgresDialect, PostgresStore

    d = PostgresDialect(pg_schema_dsn)
    with psycopg.connect(pg_schema_dsn, autocommit=True) as conn:
        for statement in CORE.steps[0].statements():
            conn.execute(d.sql(statement).encode())
        conn.execute(
            "INSERT INTO fetch_log (source, started_at, duration, ok, error, bytes, readings,"
            " new_observations, skipped) VALUES ('a', %s, 0.1, false, 'x', 0, 0, 0, '[]')",
            (T0,),
        )
        for statement in CORE.steps[1].statements():  # the summary, built from that log
            conn.execute(d.sql(statement).encode())
        conn.execute("CREATE TABLE lishi_schema (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO lishi_schema VALUES (1), (2)")
    with PostgresStore(pg_schema_dsn) as store:
        assert store.health()["a"].consecutive_failures == 1
        store.log_fetch(SourceRunOutcome("a", T0 + timedelta(minutes=1), 0.1, True))
        assert store.health()["a"].consecutive_failures == 0
        store.heartbeat(1, "h", T0)
        steps = store.query("SELECT step FROM lishi_migrations WHERE module = 'core' ORDER BY step")
        assert [s for (s,) in steps] == list(range(1, CORE.version + 1))
