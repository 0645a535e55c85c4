"""The PostgreSQL history store: the shared SQL body over PostgreSQL's dialect (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar

import psycopg
from psycopg.types.json import Jsonb

from lishi_tui.store.sql import Dialect, Rows, TextColumn, Transaction, utc_text
from lishi_tui.store.sqlstore import SqlStore

# Any constant shared by every lishi-tui process: the advisory lock that serialises writers.
# Holding it until COMMIT means row ids are handed out in commit order, which is what lets
# changes_since() trust "id > cursor" across processes (sequences alone do not promise that).
WRITE_LOCK = 0x6C697368  # "lish"


class PostgresDialect(Dialect):
    """PostgreSQL's spelling: TIMESTAMPTZ, BOOLEAN, JSONB, identity ids, an advisory lock."""

    name: ClassVar[str] = "postgres"
    placeholder: ClassVar[str] = "%s"
    words: ClassVar[dict[str, str]] = {
        "least": "LEAST",
        "greatest": "GREATEST",
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "time": "TIMESTAMPTZ",
        "bool": "BOOLEAN",
        "float": "DOUBLE PRECISION",
        "bigint": "BIGINT",
        "json": "JSONB",
        "true": "TRUE",
        "false": "FALSE",
        "distinct": "IS DISTINCT FROM",
        "is_latest": "is_latest",
        "not_demo": "NOT demo",
        "not_indexed": "",
    }

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        conn = psycopg.connect(self.dsn, autocommit=True)
        try:
            conn.execute("SET TIME ZONE 'UTC'")
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self, conn: Any) -> None:
        conn.close()

    def execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Rows:
        # bytes: psycopg's typed API wants literal SQL; ours is built from vetted fragments.
        cursor: psycopg.Cursor[tuple[Any, ...]] = conn.execute(sql.encode(), params)
        return cursor

    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with conn.cursor() as cur:
            cur.executemany(sql.encode(), rows)

    @contextmanager
    def transaction(self, conn: Any, *, write: bool) -> Iterator[None]:
        with conn.transaction():
            if write:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            else:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    def committed(self, conn: Any, tx: Transaction) -> None:
        conn.execute("UPDATE lishi_commits SET n = n + 1")

    def version(self, conn: Any) -> int:
        """Every write transaction adds one to lishi_commits (under the writer lock)."""
        row = conn.execute("SELECT n FROM lishi_commits").fetchone()
        return int(row[0]) if row else 0

    def table_exists(self, tx: Transaction, name: str) -> bool:
        row = tx.one("SELECT to_regclass(?) IS NOT NULL", (name,))
        return bool(row and row[0])

    def time(self, moment: datetime) -> datetime:
        utc_text(moment)  # refuses a naive time as SQLite does
        return moment

    def text_columns(self, tx: Transaction) -> list[TextColumn]:
        keys = {
            (str(t), str(c))
            for t, c in tx.query(
                "SELECT c.relname, a.attname FROM pg_index AS i"
                " JOIN pg_class AS c ON c.oid = i.indrelid"
                " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
                " JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indisunique AND n.nspname = current_schema()"
            )
        }
        return [
            TextColumn(str(t), str(c), json=kind in ("json", "jsonb"), key=(t, c) in keys)
            for t, c, kind in tx.query(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
                " AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
                " ORDER BY table_name, ordinal_position"
            )
        ]

    def json(self, value: object) -> Jsonb:
        return Jsonb(value)

    def rows_of(self, width: int, rows: Sequence[Sequence[str]]) -> tuple[str, list[Any]]:
        arrays = ", ".join(["?::text[]"] * width)
        columns = ", ".join(f"c{i}" for i in range(width))
        return (
            f"(SELECT * FROM unnest({arrays}) AS t({columns}))",
            [[r[i] for r in rows] for i in range(width)],
        )

    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?::bigint[])", [list(ids)]

    def insert_rows(
        self,
        conn: Any,
        table: str,
        columns: str,
        rows: Iterable[Sequence[Any]],
        returning: str = "",
    ) -> list[tuple[Any, ...]] | None:
        """COPY, which returns nothing: the inserted rows' ids are read when next needed."""
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {table} ({columns}) FROM STDIN".encode()) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return None

    def legacy_core_steps(self, tx: Transaction) -> int:
        # Before lishi_migrations, each core step added a row to lishi_schema.
        if not self.table_exists(tx, "lishi_schema"):
            return 0
        row = tx.one("SELECT max(version) FROM lishi_schema")
        return int(row[0]) if row and row[0] is not None else 0


class PostgresStore(SqlStore):
    """History in a PostgreSQL database (tables in the DSN's search_path), shared by processes."""

    dialect: PostgresDialect

    def __init__(self, dsn: str, *, secrets: Sequence[str] = ()) -> None:
        self.dsn = dsn
        super().__init__(PostgresDialect(dsn), secrets=secrets)

    def __enter__(self) -> PostgresStore:
        return self
