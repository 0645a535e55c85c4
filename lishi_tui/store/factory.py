"""Opening the configured history store: the one place that knows every backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from lishi_tui.config.schema import StorageSettings
from lishi_tui.store.base import Store
from lishi_tui.store.faults import (
    StoreMisconfigured,
    StoreUnavailable,
    check_postgres_url,
    check_sqlite_file,
    ensure_writable,
    postgres_fault,
    postgres_where,
    sqlite_fault,
)
from lishi_tui.store.schema import SchemaError

SQLITE_BACKENDS = ("sqlite",)
POSTGRES_BACKENDS = ("postgres", "postgresql")


def default_sqlite_path() -> Path:
    """Where the history lives when ``[storage] path`` is not set."""
    return Path(platformdirs.user_data_dir("lishi-tui")) / "lishi.db"


def sqlite_path(settings: StorageSettings, *, base_dir: Path) -> Path:
    """The SQLite file for these settings; a relative path is taken from ``base_dir``."""
    if settings.path is None:
        return default_sqlite_path()
    path = Path(settings.path).expanduser()
    return path if path.is_absolute() else base_dir / path


def open_store(
    settings: StorageSettings,
    *,
    base_dir: Path,
    writable: bool = False,
    secrets: Sequence[str] = (),
) -> Store:
    """Open (creating if needed) the store that ``[storage]`` describes; ``writable``: the
    caller writes, so a read-only SQLite history is refused rather than opened read-only;
    ``secrets``: the config's, redacted from stored text by a migration that needs them.

    Raises ``StoreUnavailable`` with one line naming the file or server and what to do.
    """
    backend = settings.backend.lower()
    if backend in SQLITE_BACKENDS:
        from lishi_tui.store.sqlite import SCHEMA_VERSION, SqliteStore

        path = sqlite_path(settings, base_dir=base_dir)
        check_sqlite_file(path, SCHEMA_VERSION)
        if writable:
            ensure_writable(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return SqliteStore(path, secrets=secrets)
        except (OSError, sqlite3.Error) as exc:
            raise sqlite_fault(path, exc) from None
        except SchemaError as exc:  # a module's tables from a newer lishi-tui; nothing written
            raise StoreUnavailable(
                f"history {path} was written by a newer lishi-tui ({exc}); "
                "upgrade lishi-tui, or set [storage] path to another file"
            ) from None
    if backend in POSTGRES_BACKENDS:
        if not settings.url:
            raise StoreMisconfigured(
                "[storage] backend = 'postgres' needs url = 'postgresql://...'"
            )
        check_postgres_url(settings.url)
        import psycopg

        from lishi_tui.store.notify import announce_commits
        from lishi_tui.store.postgres import PostgresStore

        try:
            store = PostgresStore(settings.url, secrets=secrets)
        except psycopg.Error as exc:
            raise postgres_fault(settings.url, exc) from None
        except SchemaError as exc:  # refused before anything was written
            raise StoreUnavailable(
                f"history on {postgres_where(settings.url)} was written by a newer lishi-tui ({exc}); "
                "upgrade lishi-tui, or point [storage] url at another database"
            ) from None
        announce_commits(store)  # viewers LISTEN for it (store/notify.py)
        return store
    raise StoreMisconfigured(
        f"unknown storage backend {settings.backend!r} (expected 'sqlite' or 'postgres')"
    )
