"""The validation engine: located issues, tables read against their field declarations, and the
top-level table declarations the loader iterates (``TopTable``, ``SettingsTable``, ``TableMap``).

A new top-level table is a ``TopTable`` in its own module, named once in
``lishi_tui.config.tables.TABLE_MODULES``; see that module's docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.fields import INVALID, Fields, Where, type_name
from lishi_tui.config.lines import KeyPath, format_key_path
from lishi_tui.config.reading import RawConfig
from lishi_tui.text import nearest

if TYPE_CHECKING:
    from lishi_tui.registry import Registry

T = TypeVar("T")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Issues:
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


class Section:
    """One TOML table being validated."""

    def __init__(self, issues: Issues, data: Mapping[str, Any], path: KeyPath) -> None:
        self.issues = issues
        self.data = data
        self.path = path

    def at(self, key: str | int) -> KeyPath:
        return (*self.path, key)

    def where(self, key: str | int, *, sensitive: bool = False) -> Where:
        return Where(self.issues, self.at(key), sensitive)

    def has(self, key: str) -> bool:
        return key in self.data

    def add(self, message: str, suggestion: str | None = None) -> None:
        """An issue about this table as a whole (located at its header)."""
        self.issues.add(self.path, message, suggestion)

    def check_keys(self, valid: Sequence[str], what: str = "key") -> None:
        for key in self.data:
            if key not in valid:
                self.issues.add(self.at(key), f"unknown {what}", nearest(key, valid))

    def read(
        self, fields: Fields, *, given_only: bool = False, check_unknown: bool = True
    ) -> dict[str, Any]:
        """Every declared field, checked; absent ones take their defaults.

        ``given_only``: leave out keys the file does not give (for overrides).
        A missing required key or a rejected value is recorded and left out.
        """
        if check_unknown:
            self.check_keys(fields.names)
        out: dict[str, Any] = {}
        for f in fields:
            if f.name not in self.data:
                if f.required:
                    self.add(f"missing required key '{f.name}'{f.missing_hint}")
                elif not given_only:
                    out[f.name] = f.default_value()
                continue
            value = f.check(self.data[f.name], self.where(f.name))
            if value is not INVALID:
                out[f.name] = value
            elif not given_only and not f.required:
                out[f.name] = f.default_value()
        return out

    def table(self, key: str | int) -> Section | None:
        """The sub-table at ``key``, or None after recording that it is not a table."""
        value = self.data.get(key) if isinstance(key, str) else None
        if isinstance(value, dict):
            return Section(self.issues, value, self.at(key))
        got = type_name(self.data[key]) if isinstance(key, str) and key in self.data else "nothing"
        self.issues.add(self.at(key), f"expected a table, got {got}")
        return None

    def tables(self) -> Iterator[tuple[str, Section]]:
        """``[x.<id>]`` entries: each id with its table (non-tables are reported)."""
        for key in self.data:
            sub = self.table(str(key))
            if sub is not None:
                yield str(key), sub


@dataclass
class Build:
    """What a table's ``build`` may use: the file, the plugins' registry, the environment,
    and the values of the tables built before it (``built["indicators"]``)."""

    issues: Issues
    registry: Registry | None
    env: Mapping[str, str]
    built: dict[str, Any] = field(default_factory=dict)

    @property
    def raw(self) -> RawConfig:
        return self.issues.raw

    def section(self, key: str) -> Section | None:
        """The top-level table ``[key]``, None if absent (or not a table, which is reported)."""
        data = self.issues.raw.data
        if key not in data:
            return None
        return Section(self.issues, data, ()).table(key)

    def path(self, value: str) -> Path:
        """A path from the config: ``~`` expanded, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.raw.base_dir / p

    def expand_env(self, value: Any, path: KeyPath, found: list[str] | None = None) -> Any:
        """Replace ``${NAME}`` in every string, however deeply nested; collect the values used."""
        used = found if found is not None else []
        if isinstance(value, str):

            def sub(m: re.Match[str]) -> str:
                name = m[1]
                if name not in self.env:
                    self.issues.add(path, f"environment variable {name} is not set")
                    return m[0]
                used.append(self.env[name])
                return self.env[name]

            return _ENV_REF.sub(sub, value)
        if isinstance(value, list):
            return [self.expand_env(v, (*path, n), used) for n, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.expand_env(v, (*path, k), used) for k, v in value.items()}
        return value


class TopTable(Generic[T]):
    """A top-level table of the config: its key, how it is validated and built, its schema.

    Subclasses set ``key`` and ``description`` and implement ``build`` (validate the
    table, record issues in ``ctx.issues``, return the typed value), ``empty`` (the
    value when the file has no such table) and ``schema`` (JSON Schema of the table).
    """

    key: str
    description: str = ""

    def build(self, ctx: Build) -> T:
        raise NotImplementedError

    def empty(self) -> T:
        raise NotImplementedError

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        raise NotImplementedError


class SettingsTable(TopTable[T]):
    """``[key]``: one table of declared fields made into a frozen object (``make(**values)``)."""

    def __init__(
        self,
        key: str,
        fields: Fields,
        make: Callable[..., T],
        *,
        description: str = "",
        finish: Callable[[Build, Section, dict[str, Any]], None] | None = None,
    ) -> None:
        self.key = key
        self.fields = fields
        self.make = make
        self.description = description or fields.description
        self.finish = finish  # cross-field rules and conversions, on the checked values

    def build(self, ctx: Build) -> T:
        section = ctx.section(self.key)
        if section is None:
            return self.empty()
        values = section.read(self.fields)
        if self.finish is not None:
            self.finish(ctx, section, values)
        return self.make(**values)

    def empty(self) -> T:
        return self.make()

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        out = self.fields.schema()
        out["description"] = self.description
        return out


@dataclass(frozen=True)
class Entry:
    """One ``[key.<id>]`` table of a ``TableMap``, its checked values, and the build context."""

    id: str
    values: dict[str, Any]
    section: Section
    ctx: Build


class TableMap(TopTable[Mapping[str, T]]):
    """``[key.<id>]``: named tables of the same declared fields, each made into an object.

    ``make(entry)`` returns the object, or None after recording why it cannot be made.
    The result is a read-only mapping from id to object, in file order.
    """

    def __init__(
        self,
        key: str,
        fields: Fields,
        make: Callable[[Entry], T | None],
        *,
        description: str = "",
        entry_description: str = "",
    ) -> None:
        self.key = key
        self.fields = fields
        self.make = make
        self.description = description
        self.entry_description = entry_description or fields.description

    def build(self, ctx: Build) -> Mapping[str, T]:
        out: dict[str, T] = {}
        section = ctx.section(self.key)
        if section is not None:
            for entry_id, sub in section.tables():
                made = self.make(Entry(entry_id, sub.read(self.fields), sub, ctx))
                if made is not None:
                    out[entry_id] = made
        return MappingProxyType(out)

    def empty(self) -> Mapping[str, T]:
        return MappingProxyType({})

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        entry = self.fields.schema()
        if self.entry_description:
            entry["description"] = self.entry_description
        return {"type": "object", "description": self.description, "additionalProperties": entry}


__all__ = [
    "Build",
    "Entry",
    "Issues",
    "Section",
    "SettingsTable",
    "TableMap",
    "TopTable",
]
