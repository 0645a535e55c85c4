"""The SQL every backend runs, written once: the dialect contract and the typed transaction.

SQL in lishi-tui is written in one dialect and each backend translates it:

- ``?`` is the only placeholder (PostgreSQL gets ``%s``); never put a literal ``?`` or a
  ``{word}`` inside a quoted string, pass it as a parameter instead.
- ``{word}`` stands for what the databases spell differently: types in DDL (``{id}`` an
  auto-numbered primary key, ``{time}``, ``{bool}``, ``{float}``, ``{bigint}``, ``{json}``) and
  a few expressions (``{true}``, ``{false}``, ``{distinct}`` for IS DISTINCT FROM,
  ``{is_latest}`` / ``{not_demo}`` as the observation indexes spell them, ``{not_indexed}``).
- Parameters are Python values: an aware ``datetime`` is converted for the column ``{time}``
  declares (a naive one is refused), ``bool`` for ``{bool}``; JSON goes through
  ``tx.dialect.json(value)``. Reading back, ``read_time`` and ``read_json`` accept what
  either backend returns.

Other modules use the store through ``Store.transaction()`` (one write transaction, yielding a
``Transaction``), ``Store.read()`` (a consistent read snapshot) and ``Store.query()`` (one
statement), after declaring their tables as a ``lishi_tui.store.schema.Schema``.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from lishi_tui.store.schema import Schema

_WORD = re.compile(r"\{([a-z_]+)\}")


class Rows(Protocol):
    """What an executed statement gives back (a DB-API cursor of either driver)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


@dataclass(frozen=True)
class TextColumn:
    """A column of the store's tables that holds text (or JSON)."""

    table: str
    name: str
    json: bool  # PostgreSQL JSONB: read and rewritten as JSON text
    key: bool  # in a primary key or a unique index


class Dialect(ABC):
    """One database's way of running the shared SQL: words, placeholders, values, locking.

    A dialect keeps how to connect (and SQLite's count of its own commits, for ``version``);
    ``conn`` is the driver connection the store opened with ``connect()``, always used under
    the store's lock.
    """

    name: ClassVar[str]
    words: ClassVar[dict[str, str]]
    placeholder: ClassVar[str] = "?"
    # True and false as bulk-inserted rows carry them (SQLite: 1 and 0, which its driver binds
    # without the adapter look-up a bool costs, about 0.3 us a value).
    flags: ClassVar[tuple[Any, Any]] = (True, False)

    def sql(self, text: str) -> str:
        """``text`` with its ``{word}``s and placeholders in this database's spelling."""
        return _translate(type(self), text)

    @abstractmethod
    def connect(self) -> Any:
        """Open the driver connection (autocommit; transactions are begun explicitly)."""

    @abstractmethod
    def close(self, conn: Any) -> None: ...

    @abstractmethod
    def execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Rows:
        """Run one translated statement."""

    @abstractmethod
    def executemany(self, conn: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def transaction(self, conn: Any, *, write: bool) -> AbstractContextManager[None]:
        """Begin, and commit on exit (roll back on error). A write transaction holds the
        database's writer lock from its first statement, so writers commit in the order they
        began and row ids grow in commit order (``changes_since`` relies on it)."""

    @abstractmethod
    def committed(self, conn: Any, tx: Transaction) -> None:
        """Inside a write transaction, just before COMMIT: keep ``version()`` moving."""

    @abstractmethod
    def version(self, conn: Any) -> int:
        """A number that moves whenever any connection commits a write; cheap."""

    @abstractmethod
    def table_exists(self, tx: Transaction, name: str) -> bool: ...

    @abstractmethod
    def text_columns(self, tx: Transaction) -> list[TextColumn]:
        """Every text or JSON column of every table of the store, in table order."""

    @abstractmethod
    def time(self, moment: datetime) -> Any:
        """An aware datetime as this database keeps a ``{time}`` column."""

    @abstractmethod
    def json(self, value: object) -> Any:
        """A JSON-able value as this database keeps a ``{json}`` column."""

    @abstractmethod
    def rows_of(self, width: int, rows: Sequence[Sequence[str]]) -> tuple[str, list[Any]]:
        """A table expression (columns c0..c{width-1}, text) holding ``rows``, with its
        parameters: one parameter however many rows, so a batch costs one statement."""

    @abstractmethod
    def in_ids(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        """``column`` is one of ``ids``, as one parameter."""

    def insert_rows(
        self,
        conn: Any,
        table: str,
        columns: str,
        rows: Iterable[Sequence[Any]],
        returning: str = "",
    ) -> list[tuple[Any, ...]] | None:
        """Bulk insert already-converted rows (PostgreSQL uses COPY). With ``returning``
        (columns), the inserted rows' values of those columns in no particular order, where
        the backend can give them in the same statement; None where it cannot."""
        width = len(columns.split(","))
        marks = ", ".join(["?"] * width)
        self.executemany(conn, self.sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), rows)
        return None

    def legacy_core_steps(self, tx: Transaction) -> int:
        """How many core steps a database made before ``lishi_migrations`` existed."""
        return 0

    def migrated(self, tx: Transaction, schema: Schema) -> None:  # noqa: B027 - optional
        """After ``schema``'s pending steps ran, in the same transaction."""


@lru_cache(maxsize=2048)
def _translate(dialect: type[Dialect], text: str) -> str:
    words = dialect.words

    def word(match: re.Match[str]) -> str:
        try:
            return words[match.group(1)]
        except KeyError:
            known = ", ".join(sorted(words))
            raise KeyError(f"unknown SQL word {match.group(0)} (known: {known})") from None

    out = _WORD.sub(word, text)
    if dialect.placeholder != "?":
        out = out.replace("%", "%%").replace("?", dialect.placeholder)
    return out


def convert(dialect: Dialect, params: Sequence[Any]) -> Sequence[Any]:
    """Parameters as the database takes them: aware datetimes in the dialect's form."""
    if not any(isinstance(p, datetime) for p in params):
        return params
    return [dialect.time(p) if isinstance(p, datetime) else p for p in params]


class Transaction:
    """One open transaction (or read snapshot) on a store: run SQL written once.

    ``execute`` translates the statement for the backend and converts the parameters;
    ``topics`` says what the transaction changed, for commit hooks (``touch`` adds one).
    """

    def __init__(self, dialect: Dialect, conn: Any, *, write: bool) -> None:
        self.dialect = dialect
        self.conn = conn
        self.write = write
        self.secrets: tuple[str, ...] = ()  # the config's, for a migration that redacts
        self.topics: set[str] = set()
        self._after: list[Callable[[], None]] = []
        # Set by the caller that wants it: the database version its commit leaves, read
        # under the writer lock just before COMMIT (so no other commit can come between).
        self.wants_version = False
        self.version_after: int | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Run one statement; returns the cursor (``fetchone``, ``fetchall``, ``rowcount``)."""
        d = self.dialect
        return d.execute(self.conn, d.sql(sql), convert(d, params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        d = self.dialect
        d.executemany(self.conn, d.sql(sql), (convert(d, r) for r in rows))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a SELECT (or of an INSERT ... RETURNING)."""
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def touch(self, *topics: str) -> None:
        """Name what this transaction changed (``observations``, ``alerts`` ...)."""
        self.topics.update(topics)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this transaction has committed (never if it rolls back)."""
        self._after.append(callback)

    def run_after_commit(self) -> None:
        for callback in self._after:
            callback()


CommitHook = Callable[[Transaction], None]


def read_time(value: Any) -> datetime:
    """A ``{time}`` column's value (ISO text from SQLite, a datetime from PostgreSQL) as UTC."""
    if isinstance(value, str):
        return _time_from_text(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    raise TypeError(f"not a stored time: {value!r}")


@lru_cache(maxsize=4096)
def _time_from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def read_json(value: Any) -> Any:
    """A ``{json}`` column's value (text from SQLite, decoded from PostgreSQL) as Python."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def utc_text(moment: datetime) -> str:
    """A timezone-aware moment as fixed-width ISO UTC text, which sorts chronologically."""
    if moment.tzinfo is None:
        raise ValueError(f"a stored time needs a timezone, got naive {moment.isoformat()}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
