"""The SQLite history store: the shared SQL body over SQLite's dialect (WAL, one file)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from lishi_tui.store.core import CORE
from lishi_tui.store.schema import Schema
from lishi_tui.store.sql import Dialect, Rows, TextColumn, Transaction, utc_text
from lishi_tui.store.sqlstore import SqlStore

SCHEMA_VERSION = CORE.version

# Rows one multi-row INSERT holds at most: 256 rows of the widest table (18 columns) stay far
# under SQLite's 32,766 parameters.
MAX_ROWS_A_STATEMENT = 256

# INSERT ... RETURNING came in SQLite 3.35 (2021); an older library keeps no inserted ids.
HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: str, width: int, rows: int) -> str:
    marks = "(" + ", ".join(["?"] * width) + ")"
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([marks] * rows)


class SqliteDialect(Dialect):
    """SQLite's spelling: ISO UTC text for times, 0/1 flags, JSON as text, BEGIN IMMEDIATE."""

    name: ClassVar[str] = "sqlite"
    flags: ClassVar[tuple[Any, Any]] = (1, 0)
    words: ClassVar[dict[str, str]] = {
        "least": "MIN",
        "greatest": "MAX",
        "id": "INTEGER PRIMARY KEY",
        "time": "TEXT",
        "bool": "INTEGER",
        "float": "REAL",
        "bigint": "INTEGER",
        "json": "TEXT",
        "true": "1",
        "false": "0",
        "distinct": "IS NOT",
        "is_latest": "is_latest = 1",
        "not_demo": "demo = 0",
        "not_indexed": "NOT INDEXED",
    }

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._own_commits = 0

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            timeout=self.busy_timeout_ms / 1000,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self, conn: Any) -> None:
        conn.close()

    def execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Rows:
        cursor: sqlite3.Cursor = conn.execute(sql, params)
        return cursor

    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        conn.executemany(sql, rows)

    @contextmanager
    def transaction(self, conn: Any, *, write: bool) -> Iterator[None]:
        # IMMEDIATE takes the write lock at BEGIN, so a writer never fails to upgrade later.
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def committed(self, conn: Any, tx: Transaction) -> None:
        self._own_commits += 1

    def version(self, conn: Any) -> int:
        """data_version moves when another connection commits; our own commits are counted
        here, since data_version does not see them."""
        (data_version,) = conn.execute("PRAGMA data_version").fetchone()
        return int(data_version) + (self._own_commits << 32)

    def table_exists(self, tx: Transaction, name: str) -> bool:
        return (
            tx.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
            is not None
        )

    def text_columns(self, tx: Transaction) -> list[TextColumn]:
        out: list[TextColumn] = []
        tables = tx.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY rowid"
        )
        for (table,) in tables:
            quoted = '"' + str(table).replace('"', '""') + '"'
            keys: set[str] = set()
            for _, index, unique, *_rest in tx.query(f"PRAGMA index_list({quoted})"):
                if unique:
                    iq = '"' + str(index).replace('"', '""') + '"'
                    keys.update(str(c[2]) for c in tx.query(f"PRAGMA index_info({iq})"))
            for _, name, kind, _, _, pk in tx.query(f"PRAGMA table_info({quoted})"):
                if "TEXT" in str(kind).upper() or not kind:
                    key = bool(pk) or name in keys
                    out.append(TextColumn(str(table), str(name), json=False, key=key))
        return out

    def time(self, moment: datetime) -> str:
        return utc_text(moment)

    def json(self, value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    def rows_of(self, width: int, rows: Sequence[Sequence[str]]) -> tuple[str, list[Any]]:
        if width == 1:
            return "(SELECT value AS c0 FROM json_each(?))", [json.dumps([r[0] for r in rows])]
        columns = ", ".join(f"json_extract(value, '$[{i}]') AS c{i}" for i in range(width))
        return f"(SELECT {columns} FROM json_each(?))", [json.dumps([list(r) for r in rows])]

    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))]

    def insert_rows(
        self,
        conn: Any,
        table: str,
        columns: str,
        rows: Iterable[Sequence[Any]],
        returning: str = "",
    ) -> list[tuple[Any, ...]] | None:
        """Many rows a statement (``INSERT ... VALUES (...), (...)``), in chunks of a power
        of two rows: one step of the statement inserts them all, so the GIL is let go
        once a chunk instead of once a row (as ``executemany`` does), and at most a few
        statement texts per table are ever prepared (the connection caches them).
        ``returning``: the same statements' RETURNING clause (SQLite 3.35 or newer)."""
        pending = list(rows)
        width = len(columns.split(","))
        back = f" RETURNING {returning}" if returning and HAS_RETURNING else ""
        out: list[tuple[Any, ...]] = []
        done = 0
        while done < len(pending):
            left = len(pending) - done
            n = (
                MAX_ROWS_A_STATEMENT
                if left >= MAX_ROWS_A_STATEMENT
                else 1 << (left.bit_length() - 1)
            )
            chunk = pending[done : done + n]
            cur = conn.execute(
                _insert_sql(table, columns, width, n) + back, [v for row in chunk for v in row]
            )
            if back:
                out += cur.fetchall()
            done += n
        return out if back else None

    def legacy_core_steps(self, tx: Transaction) -> int:
        # Before lishi_migrations, the core schema's step was PRAGMA user_version.
        row = tx.one("PRAGMA user_version")
        return int(row[0]) if row else 0

    def migrated(self, tx: Transaction, schema: Schema) -> None:
        if schema.module == CORE.module:  # kept for tools that read user_version
            tx.execute(f"PRAGMA user_version = {int(schema.version)}")


class SqliteStore(SqlStore):
    """History in one SQLite file, safe to share between a writer thread and readers.

    One connection guarded by a lock serves all threads of a process; other processes
    open their own SqliteStore on the same file (WAL lets them read while one writes).
    """

    dialect: SqliteDialect

    def __init__(
        self, path: Path, *, busy_timeout_ms: int = 5000, secrets: Sequence[str] = ()
    ) -> None:
        self.path = Path(path)
        super().__init__(SqliteDialect(self.path, busy_timeout_ms=busy_timeout_ms), secrets=secrets)

    def describe(self) -> str:
        return str(self.path)

    def __enter__(self) -> SqliteStore:
        return self
