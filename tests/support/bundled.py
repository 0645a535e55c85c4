"""The bundled plugins and config as the plugin tests load them: no entry points, no HTTP."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lishi_tui.config.loader import load_config
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Reading
from lishi_tui.plugin_host import PluginHost
from lishi_tui.registry import PluginState, Registry
from lishi_tui.sources.api import FetchContext, HttpResult

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
CONFIG = ROOT / "config" / "lishi.toml"
# Any clock after the report's figures will do for sources that only read files.
FILE_CLOCK = datetime(2026, 11, 29, tzinfo=UTC)


class NoHttp:
    """These sources read files or compute: any HTTP call is a bug."""

    async def get(self, url: str, **_: Any) -> HttpResult:
        raise AssertionError(f"unexpected HTTP request to {url}")


def load_bundled(*names: str) -> Registry:
    """Only the named bundled plugins, each asserted loaded; with no names, every bundled plugin."""
    env = {"LISHI_TUI_PLUGINS_ALLOW": ",".join(names)} if names else {}
    registry = PluginHost(builtin_dir=PLUGINS, env=env, include_entry_points=False).load()
    for name in names:
        record = registry.plugin(name)
        assert record is not None and record.state is PluginState.LOADED, record
    return registry


def bundled_config(registry: Registry | None = None) -> Config:
    """config/lishi.toml checked against ``registry`` (every bundled plugin when not given)."""
    return load_config(CONFIG, load_bundled() if registry is None else registry, env={})


def fetch_once(
    registry: Registry,
    source_type: str,
    *,
    source_id: str,
    options: Mapping[str, Any],
    indicators: Iterable[str] = (),
    now: datetime,
    base_dir: Path = CONFIG.parent,
    state: dict[str, Any] | None = None,
) -> list[Reading]:
    """One run of a synchronous source type, as the collector would make it."""
    ctx = FetchContext(
        source_id=source_id,
        options=options,
        indicators=tuple(indicators),
        http=NoHttp(),
        now=now,
        base_dir=base_dir,
        builtin_dir=PLUGINS,
        state={} if state is None else state,
    )
    result = registry.source_types[source_type].fetch(ctx)
    assert isinstance(result, list)
    return result


def fetch_configured(
    registry: Registry,
    config: Config,
    source_id: str,
    now: datetime,
    state: dict[str, Any] | None = None,
) -> list[Reading]:
    """One run of the source ``config`` names ``source_id``, with its options and indicators."""
    source = config.sources[source_id]
    return fetch_once(
        registry,
        source.type,
        source_id=source_id,
        options=source.options,
        indicators=source.indicators,
        now=now,
        base_dir=config.base_dir,
        state=state,
    )


def fetch_published(
    registry: Registry,
    path: str,
    source_id: str,
    *,
    indicators: Iterable[str] = (),
    base_dir: Path = CONFIG.parent,
) -> list[Reading]:
    """The readings a ``published`` source at ``path`` gives, in file order."""
    return fetch_once(
        registry,
        "published",
        source_id=source_id,
        options={"path": path},
        indicators=indicators,
        now=FILE_CLOCK,
        base_dir=base_dir,
    )


def published_readings(registry: Registry, path: str, source_id: str) -> dict[str, Reading]:
    """A ``published`` source's readings by indicator id."""
    return {r.indicator: r for r in fetch_published(registry, path, source_id)}
