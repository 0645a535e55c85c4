"""Store fixtures: a throwaway PostgreSQL server, a fresh schema per test, both backends."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lishi_tui.store.base import Store
from lishi_tui.store.sqlite import SqliteStore

PG_START = Path(__file__).parent.parent.parent / "scripts" / "pg-start"

OpenStore = Callable[[], Store]


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL server: LISHI_TEST_PG_DSN if set, else a throwaway one from scripts/pg-start."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[postgres]')")
    if dsn := os.environ.get("LISHI_TEST_PG_DSN"):
        yield dsn
        return
    started = subprocess.run(
        [str(PG_START)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    if started.returncode != 0:
        pytest.skip(f"no PostgreSQL server: set LISHI_TEST_PG_DSN ({started.stderr.strip()})")
    dsn = started.stdout.strip()
    yield dsn
    subprocess.run([str(PG_START), "--stop", dsn], check=True)


@pytest.fixture
def pg_schema_dsn(pg_dsn: str) -> Iterator[str]:
    """A DSN whose search_path is a fresh schema, so every test starts from an empty store."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    schema = f"lishi_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield make_conninfo(pg_dsn, options=f"-c search_path={schema}")
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a new Store object on one database each time it is called (like another process)."""
    opened: list[Store] = []
    if request.param == "postgres":
        from lishi_tui.store.postgres import PostgresStore

        dsn: str = request.getfixturevalue("pg_schema_dsn")

        def open_one() -> Store:
            store: Store = PostgresStore(dsn)
            opened.append(store)
            return store
    else:

        def open_one() -> Store:
            store: Store = SqliteStore(tmp_path / "history.db")
            opened.append(store)
            return store

    yield open_one
    for store in opened:
        store.close()
