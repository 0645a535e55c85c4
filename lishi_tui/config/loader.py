"""TOML config loading in two phases: [plugins] before plugins load, everything else after.

Every problem is collected, located (file, line, key path) and raised together as
one ``ConfigError``; nothing downstream reads the raw dict.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import platformdirs

from lishi_tui.config.durations import parse_duration
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.lines import KeyPath, LineMap, format_key_path
from lishi_tui.config.schema import (
    AppSettings,
    CollectorSettings,
    Config,
    PageConfig,
    PanelConfig,
    PanelKind,
    PluginSettings,
    SourceConfig,
    StorageSettings,
)
from lishi_tui.domain.model import (
    Baseline,
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    Target,
    ThresholdMode,
    Thresholds,
)
from lishi_tui.registry import Registry
from lishi_tui.sources.api import Option, OptionKind, SourceType
from lishi_tui.text import nearest

ENV_PLUGINS_ALLOW = "LISHI_TUI_PLUGINS_ALLOW"
ENV_PLUGINS_DENY = "LISHI_TUI_PLUGINS_DENY"

TOP_LEVEL_KEYS = ("app", "plugins", "storage", "collector", "indicators", "sources", "pages")
APP_KEYS = ("language", "low_bandwidth", "demo", "refresh", "collector")
PLUGINS_KEYS = ("dirs", "allow", "deny", "timeout")
STORAGE_KEYS = ("backend", "path", "url")
STORAGE_BACKENDS = ("sqlite", "postgresql")
COLLECTOR_KEYS = (
    "max_concurrency",
    "timeout",
    "retries",
    "backoff",
    "max_backoff",
    "breaker_failures",
    "breaker_cooldown",
    "max_bytes",
    "max_readings",
    "user_agent",
)
INDICATOR_KEYS = (
    "name_zh",
    "name_en",
    "unit",
    "unit_en",
    "multiplier",
    "decimals",
    "direction",
    "frequency",
    "measure",
    "baseline",
    "target",
    "thresholds",
    "stale_after",
    "page",
    "tags",
    "source",
    "description",
)
SOURCE_KEYS = (
    "type",
    "interval",
    "indicator",
    "indicators",
    "enabled",
    "timeout",
    "allow_redirects_to",
)
PAGE_KEYS = ("title_zh", "title_en", "panels")
PANEL_KEYS = ("kind", "indicator", "indicators", "title", "width", "height")

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class RawConfig:
    """A config file as read: its text, what tomllib made of it, and where each key sits."""

    path: Path
    text: str
    data: Mapping[str, Any]
    lines: LineMap

    @property
    def base_dir(self) -> Path:
        return self.path.parent


def read_raw(path: Path) -> RawConfig:
    """Read and parse a TOML file; unreadable files and syntax errors become a ``ConfigError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(path, None, "", "config file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigIssue(path, None, "", f"config file is not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise ConfigError(
            [ConfigIssue(path, None, "", f"cannot read config file: {exc.strerror}")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_issue(path, exc)]) from None
    return RawConfig(path, text, data, LineMap(text))


def _syntax_issue(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigIssue:
    message = str(exc)
    # tomllib appends "(at line L, column C)"; keep the line as a number, the column in the text.
    m = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if m:
        detail = message[: m.start()].rstrip()
        return ConfigIssue(path, int(m[1]), "", f"TOML syntax error: {detail} (column {m[2]})")
    m = re.search(r"\(at end of document\)$", message)
    if m:
        last = path.read_text(encoding="utf-8").count("\n") + 1
        detail = message[: m.start()].rstrip()
        return ConfigIssue(path, last, "", f"TOML syntax error: {detail} (at end of file)")
    return ConfigIssue(path, None, "", f"TOML syntax error: {message}")


class _Issues:
    """Collects located issues for one file."""

    def __init__(self, raw: RawConfig) -> None:
        self.raw = raw
        self.items: list[ConfigIssue] = []

    def add(self, path: KeyPath, message: str, suggestion: str | None = None) -> None:
        line = self.raw.lines.line_of(path)
        self.items.append(
            ConfigIssue(self.raw.path, line, format_key_path(path), message, suggestion)
        )

    def raise_if_any(self) -> None:
        if self.items:
            # File order reads best; issues without a line go last.
            ordered = sorted(self.items, key=lambda i: (i.line is None, i.line or 0))
            raise ConfigError(ordered)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    return type(value).__name__


class _Section:
    """One TOML table being validated: typed readers that record issues and fall back to defaults."""

    def __init__(self, issues: _Issues, data: Mapping[str, Any], path: KeyPath) -> None:
        self.issues = issues
        self.data = data
        self.path = path

    def at(self, key: str | int) -> KeyPath:
        return (*self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def check_keys(self, valid: Sequence[str], what: str = "key") -> None:
        for key in self.data:
            if key not in valid:
                self.issues.add(self.at(key), f"unknown {what}", nearest(key, valid))

    def wrong(self, key: str, expected: str) -> None:
        got = _type_name(self.data[key])
        self.issues.add(self.at(key), f"expected {expected}, got {got}")

    def get_str(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if isinstance(value, str):
            return value
        self.wrong(key, "a string")
        return default

    def get_bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        self.wrong(key, "a boolean (true or false)")
        return default

    def get_int(self, key: str, default: int, minimum: int | None = None) -> int:
        value = self.data.get(key, default)
        # bool is a subclass of int in Python, but `retries = true` is a mistake in TOML.
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong(key, "an integer")
            return default
        if minimum is not None and value < minimum:
            self.issues.add(self.at(key), f"must be at least {minimum}, got {value}")
            return default
        return value

    def get_float(self, key: str, default: float, *, positive: bool = False) -> float:
        value = self.data.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.wrong(key, "a number")
            return default
        if positive and value <= 0:
            self.issues.add(self.at(key), f"must be greater than 0, got {value}")
            return default
        return float(value)

    def get_duration(self, key: str, default: timedelta, *, positive: bool = True) -> timedelta:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.wrong(key, 'a duration string such as "30s"')
            return default
        try:
            td = parse_duration(value)
        except ValueError as exc:
            self.issues.add(self.at(key), str(exc))
            return default
        if positive and td <= timedelta():
            self.issues.add(self.at(key), "must be longer than 0")
            return default
        return td

    def get_enum(self, key: str, cls: type[_E], default: _E) -> _E:
        value = self.data.get(key)
        if value is None:
            return default
        valid = [m.value for m in cls]
        if not isinstance(value, str):
            self.wrong(key, f"one of {_quoted(valid)}")
            return default
        if value not in valid:
            self.issues.add(
                self.at(key), f"{value!r} is not one of {_quoted(valid)}", nearest(value, valid)
            )
            return default
        return cls(value)

    def get_choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            self.wrong(key, f"one of {_quoted(choices)}")
            return default
        if value not in choices:
            self.issues.add(
                self.at(key),
                f"{value!r} is not one of {_quoted(choices)}",
                nearest(value, choices),
            )
            return default
        return value

    def get_str_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.wrong(key, "an array of strings")
            return ()
        out: list[str] = []
        for n, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.issues.add((*self.at(key), n), f"expected a string, got {_type_name(item)}")
        return tuple(out)

    def get_date(self, key: str) -> date | None:
        value = self.data.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.issues.add(self.at(key), f"{value!r} is not a date (write 2021-12-31)")
                return None
        self.wrong(key, "a date such as 2021-12-31")
        return None

    def get_table(self, key: str) -> _Section | None:
        value = self.data.get(key)
        if isinstance(value, dict):
            return _Section(self.issues, value, self.at(key))
        self.wrong(key, "a table")
        return None


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _root(issues: _Issues) -> _Section:
    return _Section(issues, issues.raw.data, ())


def _top_table(issues: _Issues, key: str) -> _Section | None:
    root = _root(issues)
    if key not in root.data:
        return None
    return root.get_table(key)


# ---- phase 1: [plugins] ------------------------------------------------------------------------


def plugin_settings(raw: RawConfig, env: Mapping[str, str]) -> PluginSettings:
    """Phase 1, before plugins load: validate ``[plugins]`` and add the env allow/deny lists."""
    issues = _Issues(raw)
    settings = _plugin_settings(issues, env)
    issues.raise_if_any()
    return settings


def _plugin_settings(issues: _Issues, env: Mapping[str, str]) -> PluginSettings:
    defaults = PluginSettings()
    section = _top_table(issues, "plugins")
    dirs: tuple[Path, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    timeout = defaults.timeout
    if section is not None:
        section.check_keys(PLUGINS_KEYS)
        dirs = tuple(_config_path(issues.raw, d) for d in section.get_str_list("dirs"))
        allow = section.get_str_list("allow")
        deny = section.get_str_list("deny")
        timeout = section.get_duration("timeout", defaults.timeout)
    allow = _merge_names(allow, env.get(ENV_PLUGINS_ALLOW, ""))
    deny = _merge_names(deny, env.get(ENV_PLUGINS_DENY, ""))
    return PluginSettings(dirs=dirs, allow=allow, deny=deny, timeout=timeout)


def _merge_names(names: tuple[str, ...], from_env: str) -> tuple[str, ...]:
    extra = (n.strip() for n in from_env.split(","))
    return tuple(dict.fromkeys((*names, *(n for n in extra if n))))


def _config_path(raw: RawConfig, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else raw.base_dir / p


# ---- phase 2: everything ----------------------------------------------------------------------


def build_config(raw: RawConfig, registry: Registry, env: Mapping[str, str]) -> Config:
    """Phase 2, after plugins load: validate the whole file against what the plugins registered."""
    issues = _Issues(raw)
    root = _root(issues)
    for key in root.data:
        if key not in TOP_LEVEL_KEYS:
            what = "table" if isinstance(root.data[key], dict) else "key"
            issues.add((key,), f"unknown top-level {what}", nearest(key, TOP_LEVEL_KEYS))
    app = _app(issues)
    plugins = _plugin_settings(issues, env)
    storage = _storage(issues, env)
    collector = _collector(issues)
    indicators = _indicators(issues, registry)
    sources = _sources(issues, registry, env, set(indicators))
    indicators = _link_sources(issues, indicators, sources)
    pages = _pages(issues, indicators)
    issues.raise_if_any()
    return Config(
        path=raw.path,
        app=app,
        plugins=plugins,
        storage=storage,
        collector=collector,
        sources=MappingProxyType(sources),
        indicators=MappingProxyType(indicators),
        pages=pages,
    )


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


def _app(issues: _Issues) -> AppSettings:
    d = AppSettings()
    s = _top_table(issues, "app")
    if s is None:
        return d
    s.check_keys(APP_KEYS)
    return AppSettings(
        language=s.get_choice("language", ("zh", "en", "auto"), d.language),
        low_bandwidth=s.get_bool("low_bandwidth", d.low_bandwidth),
        demo=s.get_bool("demo", d.demo),
        refresh=s.get_duration("refresh", d.refresh),
        collector=s.get_choice("collector", ("auto", "off"), d.collector),
    )


def _storage(issues: _Issues, env: Mapping[str, str]) -> StorageSettings:
    default_path = Path(platformdirs.user_data_dir("lishi-tui")) / "lishi.db"
    s = _top_table(issues, "storage")
    if s is None:
        return StorageSettings(path=default_path)
    s.check_keys(STORAGE_KEYS)
    backend = s.get_choice("backend", STORAGE_BACKENDS, "sqlite")
    path = default_path
    if s.has("path"):
        text = s.get_str("path")
        if text:
            path = _config_path(issues.raw, text)
    url = _expand_env(s.get_str("url"), s.at("url"), env, issues, []) if s.has("url") else ""
    if backend == "postgresql" and not url:
        issues.add(s.at("backend"), "the postgresql backend needs `url` in [storage]")
    return StorageSettings(backend=backend, path=path, url=str(url))


def _collector(issues: _Issues) -> CollectorSettings:
    d = CollectorSettings()
    s = _top_table(issues, "collector")
    if s is None:
        return d
    s.check_keys(COLLECTOR_KEYS)
    return CollectorSettings(
        max_concurrency=s.get_int("max_concurrency", d.max_concurrency, minimum=1),
        timeout=s.get_duration("timeout", d.timeout),
        retries=s.get_int("retries", d.retries, minimum=0),
        backoff=s.get_duration("backoff", d.backoff),
        max_backoff=s.get_duration("max_backoff", d.max_backoff),
        breaker_failures=s.get_int("breaker_failures", d.breaker_failures, minimum=1),
        breaker_cooldown=s.get_duration("breaker_cooldown", d.breaker_cooldown),
        max_bytes=s.get_int("max_bytes", d.max_bytes, minimum=1),
        max_readings=s.get_int("max_readings", d.max_readings, minimum=1),
        user_agent=s.get_str("user_agent", d.user_agent),
    )


# ---- indicators -------------------------------------------------------------------------------


def _indicators(issues: _Issues, registry: Registry) -> dict[str, Indicator]:
    result = dict(registry.indicators)
    s = _top_table(issues, "indicators")
    if s is None:
        return result
    for ind_id in s.data:
        t = s.get_table(ind_id)
        if t is None:
            continue
        fields = _indicator_fields(t)
        base = registry.indicators.get(ind_id)
        if base is not None:
            result[ind_id] = replace(base, **fields)
        elif "name_zh" not in fields:
            issues.add(t.path, "name_zh is required for an indicator that no plugin defines")
        else:
            result[ind_id] = Indicator(
                id=ind_id,
                name_zh=fields.pop("name_zh"),
                name_en=fields.pop("name_en", ""),
                plugin="config",
                **fields,
            )
    return result


def _indicator_fields(t: _Section) -> dict[str, Any]:
    t.check_keys(INDICATOR_KEYS)
    f: dict[str, Any] = {}
    for key in ("name_zh", "name_en", "unit", "unit_en", "page", "source", "description"):
        if t.has(key):
            f[key] = t.get_str(key)
    if t.has("name_zh") and not f["name_zh"].strip():
        t.issues.add(t.at("name_zh"), "must not be empty")
    if t.has("multiplier"):
        f["multiplier"] = t.get_float("multiplier", 1.0, positive=True)
    if t.has("decimals"):
        f["decimals"] = t.get_int("decimals", 1, minimum=0)
    if t.has("direction"):
        f["direction"] = t.get_enum("direction", Direction, Direction.HIGHER)
    if t.has("frequency"):
        f["frequency"] = t.get_enum("frequency", Frequency, Frequency.YEARLY)
    if t.has("measure"):
        f["measure"] = t.get_enum("measure", MeasureKind, MeasureKind.LEVEL)
    if t.has("stale_after"):
        f["stale_after"] = t.get_duration("stale_after", timedelta(days=1))
    if t.has("tags"):
        f["tags"] = t.get_str_list("tags")
    _sub(t, "baseline", ("value", "on"), f, _baseline)
    _sub(t, "target", ("value", "deadline", "note"), f, _target)
    _sub(t, "thresholds", ("green", "amber", "mode"), f, _thresholds)
    return f


def _sub(
    t: _Section,
    key: str,
    keys: Sequence[str],
    out: dict[str, Any],
    build: Callable[[_Section], object | None],
) -> None:
    if not t.has(key):
        return
    sub = t.get_table(key)
    if sub is None:
        return
    sub.check_keys(keys)
    value = build(sub)
    if value is not None:
        out[key] = value


def _require(s: _Section, *keys: str) -> bool:
    missing = [k for k in keys if not s.has(k)]
    for k in missing:
        s.issues.add(s.path, f"missing required key '{k}'")
    return not missing


def _baseline(s: _Section) -> Baseline | None:
    if not _require(s, "value", "on"):
        return None
    on = s.get_date("on")
    return Baseline(s.get_float("value", 0.0), on) if on else None


def _target(s: _Section) -> Target | None:
    if not _require(s, "value"):
        return None
    deadline = s.get_date("deadline") if s.has("deadline") else None
    return Target(s.get_float("value", 0.0), deadline, s.get_str("note"))


def _thresholds(s: _Section) -> Thresholds | None:
    if not _require(s, "green", "amber"):
        return None
    return Thresholds(
        s.get_float("green", 0.0),
        s.get_float("amber", 0.0),
        s.get_enum("mode", ThresholdMode, ThresholdMode.ABSOLUTE),
    )


def _link_sources(
    issues: _Issues, indicators: dict[str, Indicator], sources: Mapping[str, SourceConfig]
) -> dict[str, Indicator]:
    section = _top_table(issues, "indicators")
    configured = section.data if section is not None else {}
    for ind_id, ind in list(indicators.items()):
        given = configured.get(ind_id)
        if isinstance(given, dict) and isinstance(given.get("source"), str):
            if given["source"] and given["source"] not in sources:
                issues.add(
                    ("indicators", ind_id, "source"),
                    f"no source {given['source']!r} is configured",
                    nearest(given["source"], sources),
                )
            continue
        if not ind.source:
            feeder = next((sid for sid, s in sources.items() if ind_id in s.indicators), "")
            if feeder:
                indicators[ind_id] = replace(ind, source=feeder)
    return indicators


# ---- sources ----------------------------------------------------------------------------------


def _sources(
    issues: _Issues, registry: Registry, env: Mapping[str, str], known: set[str]
) -> dict[str, SourceConfig]:
    result: dict[str, SourceConfig] = {}
    s = _top_table(issues, "sources")
    if s is None:
        return result
    for source_id in s.data:
        t = s.get_table(source_id)
        if t is not None:
            source = _source(t, str(source_id), registry, env, known)
            if source is not None:
                result[source.id] = source
    return result


def _source(
    t: _Section, source_id: str, registry: Registry, env: Mapping[str, str], known: set[str]
) -> SourceConfig | None:
    issues = t.issues
    type_name = ""
    if not t.has("type"):
        issues.add(t.path, "missing required key 'type' (a registered source type)")
    else:
        type_name = t.get_str("type")
    source_type = registry.source_types.get(type_name)
    if type_name and source_type is None:
        registered = sorted(registry.source_types)
        listing = _quoted(registered) if registered else "none (no plugin registered one)"
        issues.add(
            t.at("type"),
            f"unknown source type {type_name!r}; registered: {listing}",
            nearest(type_name, registered),
        )
    interval = timedelta()
    if not t.has("interval"):
        issues.add(t.path, "missing required key 'interval' (e.g. \"1h\")")
    else:
        interval = t.get_duration("interval", timedelta())
    indicators = _referenced_indicators(t, known)
    timeout = t.get_duration("timeout", timedelta()) if t.has("timeout") else None
    options, secrets = _source_options(t, source_type, env)
    return SourceConfig(
        id=source_id,
        type=type_name,
        interval=interval,
        indicators=indicators,
        options=MappingProxyType(options),
        enabled=t.get_bool("enabled", True),
        timeout=timeout,
        allow_redirects_to=t.get_str_list("allow_redirects_to"),
        secrets=tuple(dict.fromkeys(secrets)),
    )


def _referenced_indicators(t: _Section, known: set[str]) -> tuple[str, ...]:
    """``indicator`` xor ``indicators``; each must name a known indicator."""
    if t.has("indicator") and t.has("indicators"):
        t.issues.add(t.at("indicators"), "give either `indicator` or `indicators`, not both")
        return ()
    ids: list[tuple[KeyPath, str]] = []
    if t.has("indicator"):
        one = t.get_str("indicator")
        if one:
            ids.append((t.at("indicator"), one))
    elif t.has("indicators"):
        for n, name in enumerate(t.get_str_list("indicators")):
            ids.append(((*t.at("indicators"), n), name))
    for path, name in ids:
        if name not in known:
            t.issues.add(path, f"unknown indicator {name!r}", nearest(name, known))
    return tuple(name for _, name in ids)


def _source_options(
    t: _Section, source_type: SourceType | None, env: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    issues = t.issues
    options: dict[str, Any] = {}
    secrets: list[str] = []
    extra = [k for k in t.data if k not in SOURCE_KEYS]
    if source_type is None:
        return options, secrets  # the type is already reported; its options cannot be judged
    schema = source_type.options
    valid = (*SOURCE_KEYS, *schema)
    for key in extra:
        option = schema.get(key)
        path = t.at(key)
        if option is None:
            suggestion = nearest(key, valid)
            message = "unknown key"
            if suggestion is None:
                takes = _quoted(schema) if schema else "no options of its own"
                message += f"; source type {source_type.name!r} takes {takes}"
            issues.add(path, message, suggestion)
            continue
        from_env: list[str] = []
        value = _expand_env(t.data[key], path, env, issues, from_env)
        secrets.extend(v for v in from_env if v)
        sensitive = option.secret or bool(from_env)
        if option.secret:
            secrets.extend(v for v in _string_leaves(value) if v)
        if sensitive and any(_UNSENDABLE.search(v) for v in _string_leaves(value)):
            # Never echoed: the value is a secret, or came from the environment.
            issues.add(
                path,
                "the value holds a line break or control character (not shown); a token "
                "read from a file often keeps its trailing newline: strip it",
            )
            continue
        checked = _check_option(issues, path, option, value, sensitive)
        if checked is not _INVALID:
            options[key] = checked
    for key, option in schema.items():
        if key in options or key in extra:
            continue
        if option.required:
            hint = f" ({option.help})" if option.help else ""
            issues.add(t.path, f"missing required option '{key}'{hint}")
        else:
            options[key] = _default_value(option)
    return options, secrets


_INVALID = object()


def _default_value(option: Option) -> Any:
    """An option's default in the form a given value would take (durations parsed)."""
    value = copy.deepcopy(option.default)
    if option.kind is OptionKind.DURATION and isinstance(value, str):
        # A plugin's malformed default is its own bug; pass it through rather than blame the config.
        with contextlib.suppress(ValueError):
            return parse_duration(value)
    if option.kind is OptionKind.FLOAT and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check_option(
    issues: _Issues, path: KeyPath, option: Option, value: Any, sensitive: bool
) -> Any:
    kind = option.kind
    expected: str | None = None
    result: Any = value
    if kind in (OptionKind.STR, OptionKind.PATH, OptionKind.URL) and not isinstance(value, str):
        expected = "a string"
    elif kind is OptionKind.INT and (not isinstance(value, int) or isinstance(value, bool)):
        expected = "an integer"
    elif kind is OptionKind.FLOAT:
        if isinstance(value, int | float) and not isinstance(value, bool):
            result = float(value)
        else:
            expected = "a number"
    elif kind is OptionKind.BOOL and not isinstance(value, bool):
        expected = "a boolean (true or false)"
    elif kind is OptionKind.LIST and not isinstance(value, list):
        expected = "an array"
    elif kind is OptionKind.TABLE and not isinstance(value, dict):
        expected = "a table"
    elif kind is OptionKind.STR_OR_INT and (
        isinstance(value, bool) or not isinstance(value, str | int)
    ):
        expected = "a column name (string) or a 0-based index (integer)"
    elif kind is OptionKind.DURATION:
        if not isinstance(value, str):
            expected = 'a duration string such as "30s"'
        else:
            try:
                result = parse_duration(value)
            except ValueError as exc:
                issues.add(path, "not a duration" if sensitive else str(exc))
                return _INVALID
    if expected is not None:
        issues.add(path, f"expected {expected}, got {_type_name(value)}")
        return _INVALID
    if kind is OptionKind.URL and not re.match(r"https?://[^/\s]", value):
        shown = "" if sensitive else f", got {value!r}"
        issues.add(path, f"must be an http:// or https:// URL{shown}")
        return _INVALID
    if kind is OptionKind.PATH and not value:
        issues.add(path, "must not be empty")
        return _INVALID
    if option.choices and value not in option.choices:
        shown = "" if sensitive else f", got {value!r}"
        suggestion = None
        if isinstance(value, str) and not sensitive:
            suggestion = nearest(value, [c for c in option.choices if isinstance(c, str)])
        issues.add(
            path, f"must be one of {', '.join(repr(c) for c in option.choices)}{shown}", suggestion
        )
        return _INVALID
    return result


def _expand_env(
    value: Any, path: KeyPath, env: Mapping[str, str], issues: _Issues, found: list[str]
) -> Any:
    """Replace ``${NAME}`` in every string, however deeply nested; collect the values used."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name = m[1]
            if name not in env:
                issues.add(path, f"environment variable {name} is not set")
                return m[0]
            found.append(env[name])
            return env[name]

        return _ENV_REF.sub(sub, value)
    if isinstance(value, list):
        return [_expand_env(v, (*path, n), env, issues, found) for n, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand_env(v, (*path, k), env, issues, found) for k, v in value.items()}
    return value


_UNSENDABLE = re.compile("[\x00-\x1f\x7f]")


def _string_leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _string_leaves(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _string_leaves(v)]
    return []


# ---- pages ------------------------------------------------------------------------------------


def _pages(issues: _Issues, indicators: Mapping[str, Indicator]) -> tuple[PageConfig, ...]:
    s = _top_table(issues, "pages")
    if s is None:
        return ()
    pages: list[PageConfig] = []
    for page_id in s.data:
        t = s.get_table(page_id)
        if t is None:
            continue
        t.check_keys(PAGE_KEYS)
        if not t.has("title_zh"):
            issues.add(t.path, "missing required key 'title_zh'")
        panels: list[PanelConfig] = []
        raw_panels = t.data.get("panels", [])
        if not isinstance(raw_panels, list) or not all(isinstance(p, dict) for p in raw_panels):
            issues.add(
                t.at("panels"),
                f"expected an array of tables ([[pages.{page_id}.panels]]), "
                f"got {_type_name(raw_panels)}",
            )
            raw_panels = []
        for n, raw_panel in enumerate(raw_panels):
            panel = _panel(_Section(issues, raw_panel, (*t.at("panels"), n)), indicators)
            if panel is not None:
                panels.append(panel)
        pages.append(
            PageConfig(
                id=str(page_id),
                title_zh=t.get_str("title_zh"),
                title_en=t.get_str("title_en"),
                panels=tuple(panels),
            )
        )
    return tuple(pages)


def _panel(p: _Section, indicators: Mapping[str, Indicator]) -> PanelConfig | None:
    p.check_keys(PANEL_KEYS)
    if not p.has("indicator") and not p.has("indicators"):
        p.issues.add(p.path, "a panel needs `indicator` or `indicators`")
        return None
    ids = _referenced_indicators(p, set(indicators))
    return PanelConfig(
        kind=p.get_enum("kind", PanelKind, PanelKind.STAT),
        indicators=ids,
        title=p.get_str("title"),
        width=p.get_int("width", 1, minimum=1),
        height=p.get_int("height", 1, minimum=1),
    )


__all__ = [
    "RawConfig",
    "build_config",
    "check_config",
    "load_config",
    "plugin_settings",
    "read_raw",
]
