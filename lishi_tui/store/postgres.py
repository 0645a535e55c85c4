"""The PostgreSQL history store (not written yet: the SQLite store is the one in use)."""

from __future__ import annotations


class PostgresStore:
    """Placeholder until the PostgreSQL backend lands; opening it says so plainly."""

    def __init__(self, dsn: str) -> None:
        raise NotImplementedError("the PostgreSQL store is not available yet; use backend = 'sqlite'")
