"""What loaded plugins provided (source types, indicators, channels, panel kinds, export
formats, commands), and a record per plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lishi_tui.commands.api import PluginCommand
from lishi_tui.domain.model import Indicator
from lishi_tui.export.api import ExportFormat
from lishi_tui.notify.api import NotifierType
from lishi_tui.panel_api import PanelType
from lishi_tui.sources.api import SourceType


class PluginState(StrEnum):
    """Whether a plugin is working."""

    LOADED = "loaded"
    FAILED = "failed"  # import, a hook, or what it registered went wrong
    BLOCKED = "blocked"  # excluded by the allow/deny lists


class PluginOrigin(StrEnum):
    """Where a plugin was found."""

    BUILTIN = "builtin"  # the bundled plugins/ folder
    DIRECTORY = "directory"  # a folder from [plugins] dirs
    ENTRY_POINT = "entry_point"  # an installed package's `lishi_tui` entry point
    OBJECT = "object"  # registered directly, e.g. by a test


@dataclass
class PluginRecord:
    """One plugin as `lishi-tui plugins` reports it."""

    name: str
    origin: PluginOrigin
    location: str  # file, folder or distribution
    version: str = ""
    state: PluginState = PluginState.LOADED
    hooks: list[str] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    notifiers: list[str] = field(default_factory=list)  # notification channel types
    panel_kinds: list[str] = field(default_factory=list)
    export_formats: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # lishi-tui subcommands
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # "import" and each hook: time taken

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) if self.errors else None


@dataclass
class Registry:
    """Everything the plugins registered, with who registered what."""

    source_types: dict[str, SourceType] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    plugins: list[PluginRecord] = field(default_factory=list)
    source_type_owner: dict[str, str] = field(default_factory=dict)
    indicator_owner: dict[str, str] = field(default_factory=dict)
    notifier_types: dict[str, NotifierType] = field(default_factory=dict)
    notifier_type_owner: dict[str, str] = field(default_factory=dict)
    panel_types: dict[str, PanelType] = field(default_factory=dict)
    panel_type_owner: dict[str, str] = field(default_factory=dict)
    export_formats: dict[str, ExportFormat] = field(default_factory=dict)
    export_format_owner: dict[str, str] = field(default_factory=dict)
    commands: dict[str, PluginCommand] = field(default_factory=dict)
    command_owner: dict[str, str] = field(default_factory=dict)

    def plugin(self, name: str) -> PluginRecord | None:
        return next((p for p in self.plugins if p.name == name), None)

    def left_out(self, *providers: str) -> str:
        """For an unknown name: '' or why it is unknown, when a built-in plugin that would
        provide it (the first of ``providers`` found) is kept out by the allow/deny lists."""
        for name in providers:
            record = self.plugin(name)
            if record is not None and record.state is PluginState.BLOCKED:
                return (
                    f"; the built-in plugin {name!r} is left out by [plugins] allow/deny"
                    f" (add {name!r} to allow for what it provides)"
                )
        return ""
