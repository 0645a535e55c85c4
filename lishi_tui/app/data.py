"""What a screen is handed to read from: config, registry, store, panel context and live state.

Screens get an ``AppData`` through their constructor and never reach back into the app, so
no screen module imports ``app.py`` and a screen can be built and tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.config.schema import Config
from lishi_tui.registry import Registry
from lishi_tui.store.base import SourceHealth, Store


def _no_states() -> Mapping[str, object]:
    return {}


@dataclass(frozen=True)
class AppData:
    """The dashboard's shared, read-mostly state, as the screens see it."""

    config: Config
    registry: Registry
    store: Store
    ctx: PanelContext
    # The health of every source as of the app's last store read (no query of its own).
    health: Callable[[], Mapping[str, SourceHealth]]
    # The in-process collector's per-source state; empty when no collector runs here.
    collector_states: Callable[[], Mapping[str, object]] = field(default=_no_states)
    live: bool = False  # a collector runs in this process

    @property
    def lang(self) -> str:
        return self.ctx.lang

    @property
    def colour(self) -> bool:
        return self.ctx.colour
