"""Start-up shared by every command and the tests: find the config, load plugins, validate."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lishi_tui.config.loader import build_config, plugin_settings, read_raw
from lishi_tui.config.locate import locate_config
from lishi_tui.config.schema import Config
from lishi_tui.plugin_host import load_plugins
from lishi_tui.registry import Registry
from lishi_tui.store.base import Store

if TYPE_CHECKING:
    from lishi_tui.collector.lock import CollectorLock
from lishi_tui.store.factory import SQLITE_BACKENDS, open_store, sqlite_path


@dataclass(frozen=True)
class Runtime:
    """A validated configuration and the plugins it loaded."""

    config: Config
    registry: Registry

    def open_store(self, *, writable: bool = False) -> Store:
        """The configured store; ``writable`` for commands that write (fetch, collect)."""
        from lishi_tui.config.secrets import config_secrets

        return open_store(
            self.config.storage,
            base_dir=self.config.base_dir,
            writable=writable,
            secrets=config_secrets(self.config),
        )

    def collector_lock(self) -> CollectorLock | None:
        """The one-collector-per-database lock; None for server backends, which need none
        because each deployment runs its collector as a service of its own."""
        from lishi_tui.collector.lock import CollectorLock  # not needed by show or plugins

        if self.config.storage.backend.lower() not in SQLITE_BACKENDS:
            return None
        return CollectorLock(sqlite_path(self.config.storage, base_dir=self.config.base_dir))


def load_runtime(
    config_path: Path | None,
    env: Mapping[str, str],
    *,
    db: Path | None = None,
    extra_plugins: Iterable[tuple[str, object]] = (),
    builtin_dir: Path | None = None,
    registry: Registry | None = None,
) -> Runtime:
    """Locate and read the config, load plugins by its [plugins] table, then validate the rest.

    Raises ``ConfigError`` with located issues. ``db`` overrides ``[storage] path``.
    ``registry``: plugins already loaded by the same ``[plugins]`` table (not loaded again).
    """
    path = locate_config(config_path, env)
    raw = read_raw(path)
    settings = plugin_settings(raw, env)
    if registry is None:
        registry = load_plugins(settings, env=env, extra=extra_plugins, builtin_dir=builtin_dir)
    config = build_config(raw, registry, env)
    if db is not None:
        storage = dataclasses.replace(config.storage, backend="sqlite", path=db.resolve())
        config = dataclasses.replace(config, storage=storage)
    return Runtime(config, registry)
