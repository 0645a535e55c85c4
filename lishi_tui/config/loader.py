"""TOML config loading in two phases: [plugins] before plugins load, everything else after.

Reading is in ``reading``, the checks in ``engine`` and ``fields``, and what each table
may contain in the declarations under ``tables`` (which this module iterates). Every
problem is collected, located (file, line, key path) and raised together as one
``ConfigError``; nothing downstream reads the raw dict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lishi_tui.config.engine import Build, Issues
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.reading import RawConfig, read_raw
from lishi_tui.config.schema import Config, PluginSettings
from lishi_tui.config.tables import all_tables, table_keys
from lishi_tui.config.tables.settings import PLUGINS
from lishi_tui.registry import Registry
from lishi_tui.text import nearest

# The tables Config has as attributes; every other declared table lands in Config.tables.
CORE_TABLES = ("app", "plugins", "storage", "collector", "indicators", "sources", "pages")


def plugin_settings(raw: RawConfig, env: Mapping[str, str]) -> PluginSettings:
    """Phase 1, before plugins load: validate ``[plugins]`` and add the env allow/deny lists."""
    ctx = Build(Issues(raw), None, env)
    settings = PLUGINS.build(ctx)
    ctx.issues.raise_if_any()
    return settings


def build_config(raw: RawConfig, registry: Registry, env: Mapping[str, str]) -> Config:
    """Phase 2, after plugins load: validate the whole file against what the plugins registered."""
    ctx = Build(Issues(raw), registry, env)
    known = table_keys()
    for key, value in raw.data.items():
        if key not in known:
            what = "table" if isinstance(value, dict) else "key"
            ctx.issues.add((key,), f"unknown top-level {what}", nearest(key, known))
    for table in all_tables():
        ctx.built[table.key] = table.build(ctx)
    ctx.issues.raise_if_any()
    core: dict[str, Any] = {key: ctx.built.pop(key) for key in CORE_TABLES}
    core["indicators"] = MappingProxyType(core["indicators"])
    return Config(path=raw.path, **core, tables=MappingProxyType(ctx.built))


def load_config(path: Path, registry: Registry, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file in one go (``env`` defaults to the process environment)."""
    return build_config(read_raw(path), registry, os.environ if env is None else env)


def check_config(
    path: Path, registry: Registry, env: Mapping[str, str] | None = None
) -> list[ConfigIssue]:
    """Every issue in a config file; an empty list means it is valid."""
    try:
        load_config(path, registry, env)
    except ConfigError as exc:
        return exc.issues
    return []


__all__ = [
    "RawConfig",
    "build_config",
    "check_config",
    "load_config",
    "plugin_settings",
    "read_raw",
]
