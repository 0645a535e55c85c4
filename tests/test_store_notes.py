"""The observation note in two languages, one column each, on every backend; and the core
migration that splits the notes older versions joined in the one note column."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Store
from lishi_tui.store.core import CORE
from lishi_tui.store.schema import CREATE_MIGRATIONS_TABLE, MIGRATIONS_TABLE, Schema, run_pending
from lishi_tui.store.sql import Dialect, Transaction
from lishi_tui.store.sqlite import SqliteDialect, SqliteStore
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
STEP = 8  # "observation notes in English in their own column"
# The observations row as versions before step 8 wrote it: one note column, the Chinese
# form, U+001F, then the English form.
OLD_COLUMNS = (
    "indicator, period_key, period_kind, period_start, value, numerator, denominator, "
    "status, qualifier, source, origin, fetch_url, fetched_at, revision, is_latest, demo, note"
)
OLD_NOTES = {
    ("employ", "2025-09"): "就业率含转介\x1frate incl. referrals",
    ("cpi", "2025-09"): "仅有中文_100%",
    ("gdp", "2025-09"): "",
    ("air", "2025-09"): "\x1fEnglish only",
}


def test_each_language_of_a_note_has_its_own_column(open_store: OpenStore) -> None:
    store = open_store()
    store.write(
        [
            Observation(
                Reading("employ", Period.month(2025, 9), 91.5, note="含转介", note_en="incl."),
                "stats",
                T0,
            ),
            Observation(Reading("cpi", Period.month(2025, 9), 0.3, note="仅中文"), "stats", T0),
        ]
    )
    rows = store.query("SELECT indicator, note, note_en FROM observations ORDER BY indicator")
    assert rows == [("cpi", "仅中文", ""), ("employ", "含转介", "incl.")]
    got = open_store().latest(["employ", "cpi"])
    assert (got["employ"].reading.note, got["employ"].reading.note_en) == ("含转介", "incl.")
    assert (got["cpi"].reading.note, got["cpi"].reading.note_en) == ("仅中文", "")


Backend = tuple[Dialect, Callable[[], Store]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A dialect to build an old database with, and a way to open the store on it."""
    opened: list[Store] = []
    dialect: Dialect
    if request.param == "postgres":
        from lishi_tui.store.postgres import PostgresDialect, PostgresStore

        dsn: str = request.getfixturevalue("pg_schema_dsn")
        dialect = PostgresDialect(dsn)

        def open_one() -> Store:
            opened.append(PostgresStore(dsn))
            return opened[-1]
    else:
        path = tmp_path / "history.db"
        dialect = SqliteDialect(path)

        def open_one() -> Store:
            opened.append(SqliteStore(path))
            return opened[-1]

    yield dialect, open_one
    for store in opened:
        store.close()


def write_old_database(dialect: Dialect) -> None:
    """The core tables at step 7 holding rows in the old layout: the first step, rows written
    straight into it, then steps 2 to 7 (which build the summaries from those rows)."""
    before = Schema("core", CORE.steps[: STEP - 1])
    conn = dialect.connect()
    try:
        with dialect.transaction(conn, write=True):
            tx = Transaction(dialect, conn, write=True)
            tx.execute(CREATE_MIGRATIONS_TABLE)
            run_pending(tx, before, [1])
            period = Period.month(2025, 9)
            tx.executemany(
                f"INSERT INTO observations ({OLD_COLUMNS}) VALUES "
                "(?, ?, 'month', ?, ?, NULL, NULL, 'normal', 'exact', 'stats', 'stats.csv', '',"
                " ?, 1, ?, ?, ?)",
                [
                    (ind, key, int(period.start.timestamp()), 1.5, T0, True, False, note)
                    for (ind, key), note in OLD_NOTES.items()
                ],
            )
            run_pending(tx, before, range(2, STEP))
            dialect.migrated(tx, before)
    finally:
        dialect.close(conn)


def test_the_migration_splits_notes_an_older_version_joined(backend: Backend) -> None:
    dialect, open_one = backend
    write_old_database(dialect)

    store = open_one()
    rows = store.query("SELECT indicator, note, note_en FROM observations ORDER BY indicator")
    assert rows == [
        ("air", "", "English only"),
        ("cpi", "仅有中文_100%", ""),
        ("employ", "就业率含转介", "rate incl. referrals"),
        ("gdp", "", ""),
    ]
    latest = store.latest(["employ", "cpi", "air"])
    employ = latest["employ"].reading
    assert (employ.note_text("zh"), employ.note_text("en")) == (
        "就业率含转介",
        "rate incl. referrals",
    )
    assert latest["cpi"].reading.note_text("en") == "仅有中文_100%"  # falls back to Chinese
    assert latest["air"].reading.note_text("zh") == "English only"
    assert latest["employ"].reading.value == 1.5 and latest["employ"].revision == 1
    recorded = store.query(
        f"SELECT step, name FROM {MIGRATIONS_TABLE} WHERE module = 'core' AND step >= 7"
        " ORDER BY step"
    )
    assert recorded == [
        (7, "credentials in stored URLs redacted"),
        (8, "observation notes in English in their own column"),
    ]
    store.close()

    again = open_one()  # the step ran once: a second open changes nothing
    assert (
        again.query("SELECT indicator, note, note_en FROM observations ORDER BY indicator") == rows
    )
    if isinstance(dialect, SqliteDialect):
        with sqlite3.connect(dialect.path) as check:
            assert check.execute("PRAGMA user_version").fetchone()[0] == 8
