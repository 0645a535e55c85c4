"""Opening the configured history store: the one place that knows every backend."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from lishi_tui.config.schema import StorageSettings
from lishi_tui.store.base import Store

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


def open_store(settings: StorageSettings, *, base_dir: Path) -> Store:
    """Open (creating if needed) the store that ``[storage]`` describes."""
    backend = settings.backend.lower()
    if backend in SQLITE_BACKENDS:
        from lishi_tui.store.sqlite import SqliteStore

        path = sqlite_path(settings, base_dir=base_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStore(path)
    if backend in POSTGRES_BACKENDS:
        if not settings.url:
            raise ValueError("[storage] backend = 'postgres' needs url = 'postgresql://...'")
        from lishi_tui.store.postgres import PostgresStore

        return PostgresStore(settings.url)
    raise ValueError(
        f"unknown storage backend {settings.backend!r} (expected 'sqlite' or 'postgres')"
    )
