"""Declarations of the flat settings tables: [app], [plugins], [storage], [collector]."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs

from lishi_tui.config.engine import Build, Section, SettingsTable
from lishi_tui.config.fields import Bool, Choice, Duration, Fields, Int, Str, StrList
from lishi_tui.config.schema import (
    AppSettings,
    CollectorSettings,
    PluginSettings,
    StorageSettings,
)

ENV_PLUGINS_ALLOW = "LISHI_TUI_PLUGINS_ALLOW"
ENV_PLUGINS_DENY = "LISHI_TUI_PLUGINS_DENY"
STORAGE_BACKENDS = ("sqlite", "postgresql")

_app = AppSettings()
APP_FIELDS = Fields(
    Choice(
        name="language",
        values=("zh", "en", "auto"),
        default=_app.language,
        description='UI language: "zh", "en", or "auto" (the locale decides)',
    ),
    Bool(
        name="low_bandwidth",
        default=_app.low_bandwidth,
        description="16 colours, monochrome charts, at most one update a second",
    ),
    Bool(
        name="demo",
        default=_app.demo,
        description="run sources whose type is 'demo' and show demo figures (always labelled)",
    ),
    Duration(
        name="refresh",
        default=_app.refresh,
        maximum=timedelta(hours=1),
        description="how often the store is asked for changes",
    ),
    Choice(
        name="collector",
        values=("auto", "off"),
        default=_app.collector,
        description='"auto": the dashboard collects in-process unless a collector runs; '
        '"off": only read the store',
    ),
    StrList(
        name="operators",
        default=_app.operators,
        description="accounts that may edit the config from the dashboard and the CLI "
        "(operator role); with no list, --role operator decides",
    ),
    Choice(
        name="overview",
        values=("first", "last", "off"),
        default=_app.overview,
        description="where the overview tab (every indicator, what needs attention first) goes",
    ),
    Str(
        name="screenshots",
        default=_app.screenshots,
        description="folder Ctrl+S saves SVG screenshots to (relative to this file); "
        "default: the user data folder",
    ),
    description="How the dashboard looks and behaves.",
)

_plugins = PluginSettings()
PLUGINS_FIELDS = Fields(
    StrList(name="dirs", description="extra folders to load plugins from (relative to this file)"),
    StrList(
        name="allow", description=f"only these plugins load (empty: all); ${ENV_PLUGINS_ALLOW} adds"
    ),
    StrList(name="deny", description=f"these plugins never load; ${ENV_PLUGINS_DENY} adds"),
    Duration(
        name="timeout",
        default=_plugins.timeout,
        maximum=timedelta(hours=1),
        description="time limit per registration hook call",
    ),
    description="Where plugins come from and which may load (read before plugins load).",
)

_store = StorageSettings()
STORAGE_FIELDS = Fields(
    Choice(
        name="backend", values=STORAGE_BACKENDS, default="sqlite", description="where history lives"
    ),
    Str(
        name="path",
        default="",
        description="the SQLite file (relative to this file); default: the user data folder",
    ),
    Str(
        name="url",
        default="",
        description="the PostgreSQL URL, e.g. postgresql://user@host/db; ${ENV} references expanded",
    ),
    Duration(
        name="keep_instants",
        default=_store.keep_instants,
        description="how long readings of instants (every few seconds) are kept raw before"
        " the collector folds them into hourly low/high/last buckets; calendar-period figures"
        " and their revisions are always kept",
    ),
    Duration(
        name="keep_hourly",
        default=_store.keep_hourly,
        description="how long hourly buckets are kept before they are folded into daily ones",
    ),
    description="Where history lives.",
)

_collector = CollectorSettings()
COLLECTOR_FIELDS = Fields(
    Int(
        name="max_concurrency",
        default=_collector.max_concurrency,
        minimum=1,
        maximum=256,
        description="sources fetched at the same time",
    ),
    Duration(
        name="timeout",
        default=_collector.timeout,
        maximum=timedelta(days=1),
        description="time limit per fetch",
    ),
    Int(
        name="retries",
        default=_collector.retries,
        minimum=0,
        maximum=20,
        description="retries of a transient failure",
    ),
    Duration(
        name="backoff",
        default=_collector.backoff,
        maximum=timedelta(days=1),
        description="first wait before a retry",
    ),
    Duration(
        name="max_backoff",
        default=_collector.max_backoff,
        maximum=timedelta(days=1),
        description="longest wait between retries",
    ),
    Int(
        name="breaker_failures",
        default=_collector.breaker_failures,
        minimum=1,
        maximum=10_000,
        description="consecutive failed runs that open a source's breaker",
    ),
    Duration(
        name="breaker_cooldown",
        default=_collector.breaker_cooldown,
        maximum=timedelta(days=30),
        description="how long an open breaker waits before one trial run",
    ),
    Int(
        name="max_bytes",
        default=_collector.max_bytes,
        minimum=1,
        maximum=1024**3,
        description="largest response body read",
    ),
    Int(
        name="max_readings",
        default=_collector.max_readings,
        minimum=1,
        maximum=10_000_000,
        description="most readings one run of one source may return; the excess is refused",
    ),
    Str(name="user_agent", default=_collector.user_agent, description="the HTTP User-Agent sent"),
    description="How sources are fetched.",
)


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("lishi-tui")) / "lishi.db"


def merge_names(names: tuple[str, ...], from_env: str) -> tuple[str, ...]:
    extra = (n.strip() for n in from_env.split(","))
    return tuple(dict.fromkeys((*names, *(n for n in extra if n))))


class PluginsTable(SettingsTable[PluginSettings]):
    """[plugins], plus the allow/deny lists from the environment even when the table is absent."""

    def __init__(self) -> None:
        super().__init__("plugins", PLUGINS_FIELDS, PluginSettings, finish=self._finish)

    @staticmethod
    def _finish(ctx: Build, section: Section, values: dict[str, Any]) -> None:
        values["dirs"] = tuple(ctx.path(d) for d in values["dirs"])

    def build(self, ctx: Build) -> PluginSettings:
        settings = super().build(ctx)
        return PluginSettings(
            dirs=settings.dirs,
            allow=merge_names(settings.allow, ctx.env.get(ENV_PLUGINS_ALLOW, "")),
            deny=merge_names(settings.deny, ctx.env.get(ENV_PLUGINS_DENY, "")),
            timeout=settings.timeout,
        )


def _storage_finish(ctx: Build, section: Section, values: dict[str, Any]) -> None:
    values["path"] = ctx.path(values["path"]) if values.get("path") else default_db_path()
    if section.has("url") and "url" in values:
        values["url"] = str(ctx.expand_env(values["url"], section.at("url")))
    if values.get("backend") == "postgresql" and not values.get("url"):
        section.issues.add(section.at("backend"), "the postgresql backend needs `url` in [storage]")


def _storage(
    backend: str = "sqlite",
    path: Path | None = None,
    url: str = "",
    keep_instants: timedelta = _store.keep_instants,
    keep_hourly: timedelta = _store.keep_hourly,
) -> StorageSettings:
    return StorageSettings(
        backend=backend,
        path=path or default_db_path(),
        url=url,
        keep_instants=keep_instants,
        keep_hourly=keep_hourly,
    )


APP = SettingsTable("app", APP_FIELDS, AppSettings)
PLUGINS = PluginsTable()
STORAGE = SettingsTable("storage", STORAGE_FIELDS, _storage, finish=_storage_finish)
COLLECTOR = SettingsTable("collector", COLLECTOR_FIELDS, CollectorSettings)

TABLES = (APP, PLUGINS, STORAGE, COLLECTOR)
