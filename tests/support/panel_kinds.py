"""The bundled panel kinds, loaded through the real plugin host, for tests that build a Registry."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lishi_tui.config.schema import PluginSettings
from lishi_tui.panel_api import PanelType
from lishi_tui.plugin_host import load_plugins

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


@cache
def _bundled() -> tuple[tuple[str, PanelType], ...]:
    registry = load_plugins(
        PluginSettings(allow=("panels",)), builtin_dir=PLUGINS, env={}, include_entry_points=False
    )
    return tuple(sorted(registry.panel_types.items()))


def builtin_panel_types() -> dict[str, PanelType]:
    """stat, chart, table and gauge, as the bundled ``panels`` plugin registers them."""
    return dict(_bundled())
