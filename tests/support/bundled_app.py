"""The bundled config's published figures in a real SQLite file, for app tests and snapshots.

Only the report sources run (demo off), at a fixed clock: the store and so the pictures are
the same on every run.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.support.bundled import bundled_config, load_bundled

# Just after the report's figures (end of October 2021).
BUNDLED_NOW = datetime(2021, 11, 20, 9, 30, tzinfo=CHINA_TZ)


def published_config() -> tuple[Config, Registry]:
    """config/lishi.toml with demo sources off (their figures depend on the wall clock)."""
    registry = load_bundled()
    config = bundled_config(registry)
    return dataclasses.replace(config, app=dataclasses.replace(config.app, demo=False)), registry


def fill_published(path: Path, config: Config, registry: Registry) -> SqliteStore:
    """A store at ``path`` holding one run of every published (non-demo) source."""
    from lishi_tui.collector.collector import Collector

    store = SqliteStore(path)
    store.upsert_indicators(config.indicators.values())

    async def run() -> None:
        async with Collector(config, registry, store, clock=lambda: BUNDLED_NOW) as collector:
            await collector.run_once()

    asyncio.run(run())
    return store


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Config, Registry]]:
    """The published figures' database (filled once a test module), its config and registry."""
    config, registry = published_config()
    path = tmp_path_factory.mktemp("published") / "lishi.db"
    fill_published(path, config, registry).close()
    yield path, config, registry


def bundled_app(
    store: SqliteStore,
    config: Config,
    registry: Registry,
    *,
    lang: str = "zh",
    clock: Callable[[], datetime] = lambda: BUNDLED_NOW,
    env: Mapping[str, str] | None = None,
) -> object:
    from lishi_tui.app import make_app

    config = dataclasses.replace(config, app=dataclasses.replace(config.app, language=lang))
    app = make_app(config, registry, store, clock=clock, env=env or {})
    app.animation_level = "none"
    return app
