"""The configuration as frozen, typed objects: what the TOML loader produces and everything reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from lishi_tui.domain.model import Indicator

if TYPE_CHECKING:
    from lishi_tui.config.engine import TopTable

T = TypeVar("T")


class PanelKind(StrEnum):
    """The built-in panel kinds (registered by the bundled ``panels`` plugin); a plugin may
    register more, so ``PanelConfig.kind`` is any registered name."""

    STAT = "stat"
    CHART = "chart"
    TABLE = "table"
    GAUGE = "gauge"


@dataclass(frozen=True)
class AppSettings:
    """``[app]``: how the dashboard looks and behaves."""

    language: str = "auto"  # "zh", "en", or "auto": the locale decides (see resolve_language)
    low_bandwidth: bool = False  # monochrome charts, at most one update a second
    demo: bool = True  # run sources whose type is "demo"
    refresh: timedelta = timedelta(milliseconds=100)  # how often the store is asked for changes
    collector: str = "auto"  # "auto": in-process unless disabled, "off": only read the store
    operators: tuple[str, ...] | None = None  # accounts that get the operator role; None: no list
    overview: str = "first"  # where the overview tab goes: "first", "last" or "off"
    screenshots: str = ""  # folder for Ctrl+S screenshots (default: the user's data folder)


def resolve_language(configured: str, env: Mapping[str, str]) -> str:
    """The UI language: ``LISHI_TUI_LANG``, else the config's "zh"/"en", else the locale.

    With ``language = "auto"`` (the default when the key is absent) the first of
    ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set picks English when it starts with
    "en"; everything else, and no locale at all, is Chinese.
    """
    override = env.get("LISHI_TUI_LANG", "").strip().lower()
    if override in ("zh", "en"):
        return override
    if configured in ("zh", "en"):
        return configured
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


@dataclass(frozen=True)
class PluginSettings:
    """``[plugins]``: where plugins come from and which may load."""

    dirs: tuple[Path, ...] = ()
    allow: tuple[str, ...] = ()  # empty: all allowed
    deny: tuple[str, ...] = ()
    timeout: timedelta = timedelta(seconds=5)  # per registration hook call


@dataclass(frozen=True)
class StorageSettings:
    """``[storage]``: where history lives."""

    backend: str = "sqlite"
    path: Path | None = None  # None: the user data dir
    url: str = ""  # for server backends
    # Retention of high-frequency (instant) readings: raw for this long, then hourly buckets
    # until keep_hourly, then daily ones. Figures of calendar periods are always kept whole.
    keep_instants: timedelta = timedelta(days=7)
    keep_hourly: timedelta = timedelta(days=365)


@dataclass(frozen=True)
class CollectorSettings:
    """``[collector]``: how sources are fetched."""

    max_concurrency: int = 16
    timeout: timedelta = timedelta(seconds=10)
    retries: int = 2
    backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(minutes=5)
    breaker_failures: int = 5  # consecutive failed runs that open the breaker
    breaker_cooldown: timedelta = timedelta(minutes=5)
    max_bytes: int = 10 * 1024 * 1024
    max_readings: int = 100_000  # per run of one source; the excess is refused
    user_agent: str = "lishi-tui"


@dataclass(frozen=True)
class SourceConfig:
    """``[sources.<id>]``: one configured source."""

    id: str
    type: str
    interval: timedelta
    indicators: tuple[str, ...]
    options: Mapping[str, Any]  # the type-specific keys, validated and defaulted
    enabled: bool = True
    timeout: timedelta | None = None  # overrides [collector] timeout
    allow_redirects_to: tuple[str, ...] = ()  # other hosts a redirect may go to
    secrets: tuple[str, ...] = ()  # expanded values of secret options, for redaction


@dataclass(frozen=True)
class PanelConfig:
    """One panel on a page."""

    kind: str  # a registered panel kind (PanelKind for the built-in ones)
    indicators: tuple[str, ...]
    title: str = ""  # default: the indicator's name
    width: int = 1  # grid columns spanned
    height: int = 1  # grid rows spanned (and the share of spare rows a chart takes)
    title_en: str = ""  # the title in the English UI (default: ``title``)


@dataclass(frozen=True)
class PageConfig:
    """``[pages.<id>]``: one tab of the dashboard."""

    id: str
    title_zh: str
    title_en: str
    panels: tuple[PanelConfig, ...]

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else (self.title_en or self.title_zh)


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path | None
    app: AppSettings = field(default_factory=AppSettings)
    plugins: PluginSettings = field(default_factory=PluginSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    collector: CollectorSettings = field(default_factory=CollectorSettings)
    sources: Mapping[str, SourceConfig] = field(default_factory=dict)
    indicators: Mapping[str, Indicator] = field(default_factory=dict)
    pages: tuple[PageConfig, ...] = ()
    tables: Mapping[str, Any] = field(default_factory=dict)  # tables declared outside the core

    def table(self, declaration: TopTable[T]) -> T:
        """The built value of a table declared in its own module (its empty value if absent)."""
        if declaration.key in self.tables:
            return cast(T, self.tables[declaration.key])
        return declaration.empty()

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()
