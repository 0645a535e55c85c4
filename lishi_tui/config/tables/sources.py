"""Declaration of [sources.<id>]: the common keys, and each source type's own options as fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Protocol

from lishi_tui.config.engine import Build, Section, TopTable
from lishi_tui.config.fields import (
    INVALID,
    AnyList,
    AnyTable,
    Bool,
    Duration,
    Field,
    Fields,
    Float,
    Int,
    Str,
    StrList,
    StrOrInt,
    Url,
    quoted,
)
from lishi_tui.config.lines import KeyPath
from lishi_tui.config.schema import SourceConfig
from lishi_tui.domain.model import Indicator
from lishi_tui.registry import Registry
from lishi_tui.sources.api import Option, OptionKind, SourceType
from lishi_tui.text import nearest

SOURCE_FIELDS = Fields(
    Str(
        name="type",
        required=True,
        missing_hint=" (a registered source type)",
        description="the source type (see `lishi-tui plugins`)",
    ),
    Duration(
        name="interval",
        required=True,
        missing_hint=' (e.g. "1h")',
        description='how often it is fetched, e.g. "1h"',
    ),
    Str(name="indicator", description="the one indicator it feeds"),
    StrList(name="indicators", description="the indicators it feeds"),
    Bool(name="enabled", default=True, description="false: configured but never run"),
    Duration(
        name="timeout",
        maximum=timedelta(days=1),
        description="time limit per fetch (default: [collector] timeout)",
    ),
    StrList(name="allow_redirects_to", description="other hosts an HTTP redirect may go to"),
    description="A configured source; the other keys are its type's options.",
)

_KIND_FIELDS: dict[OptionKind, type[Field]] = {
    OptionKind.STR: Str,
    OptionKind.INT: Int,
    OptionKind.FLOAT: Float,
    OptionKind.BOOL: Bool,
    OptionKind.LIST: AnyList,
    OptionKind.TABLE: AnyTable,
    OptionKind.DURATION: Duration,
    OptionKind.PATH: Str,
    OptionKind.URL: Url,
    OptionKind.STR_OR_INT: StrOrInt,
}


def option_field(name: str, option: Option) -> Field:
    """A source type's option as a field declaration: the kind picks the field class."""
    cls = _KIND_FIELDS[option.kind]
    extra: dict[str, Any] = {}
    if option.kind is OptionKind.PATH:
        extra["non_empty"] = True
    elif option.kind is OptionKind.DURATION:
        extra["positive"] = False  # a plugin's "0s" means "never"; it judges that itself
    elif option.kind in (OptionKind.INT, OptionKind.FLOAT):
        cast = int if option.kind is OptionKind.INT else float
        if option.minimum is not None:
            extra["minimum"] = cast(option.minimum)
        if option.maximum is not None:
            extra["maximum"] = cast(option.maximum)
    return cls(
        name=name,
        description=option.help,
        default=option.default,
        required=option.required,
        choices=option.choices,
        env_refs=True,
        **extra,
    )


class OptionsOwner(Protocol):
    """What declares options the way a source type does (a SourceType, a NotifierType)."""

    @property
    def name(self) -> str: ...
    @property
    def options(self) -> Mapping[str, Option]: ...
    @property
    def description(self) -> str: ...


def option_fields(source_type: OptionsOwner) -> Fields:
    """A source type's (or any options owner's) options as field declarations."""
    return Fields(
        *(option_field(name, option) for name, option in source_type.options.items()),
        description=source_type.description,
    )


def referenced_indicators(
    t: Section, values: Mapping[str, Any], known: set[str]
) -> tuple[str, ...]:
    """``indicator`` xor ``indicators`` (already checked in ``values``); each must be known."""
    if t.has("indicator") and t.has("indicators"):
        t.issues.add(t.at("indicators"), "give either `indicator` or `indicators`, not both")
        return ()
    ids: list[tuple[KeyPath, str]] = []
    if t.has("indicator"):
        one = values.get("indicator", "")
        if one:
            ids.append((t.at("indicator"), one))
    elif t.has("indicators"):
        for n, name in enumerate(values.get("indicators", ())):
            ids.append(((*t.at("indicators"), n), name))
    for path, name in ids:
        if name not in known:
            t.issues.add(path, f"unknown indicator {name!r}", nearest(name, known))
    return tuple(name for _, name in ids)


class SourcesTable(TopTable[Mapping[str, SourceConfig]]):
    """Each source checked against its type's options; indicators then linked to their source."""

    key = "sources"
    description = "Sources: where figures are fetched from, by id."

    def build(self, ctx: Build) -> Mapping[str, SourceConfig]:
        registry = ctx.registry or Registry()
        indicators: dict[str, Indicator] = ctx.built.get("indicators", {})
        result: dict[str, SourceConfig] = {}
        section = ctx.section(self.key)
        if section is not None:
            for source_id, t in section.tables():
                result[source_id] = self._source(ctx, t, source_id, registry, set(indicators))
        ctx.built["indicators"] = self._link(ctx, indicators, result)
        return MappingProxyType(result)

    def _source(
        self, ctx: Build, t: Section, source_id: str, registry: Registry, known: set[str]
    ) -> SourceConfig:
        values = t.read(SOURCE_FIELDS, check_unknown=False)
        type_name = values.get("type", "")
        source_type = registry.source_types.get(type_name)
        if type_name and source_type is None:
            registered = sorted(registry.source_types)
            listing = quoted(registered) if registered else "none (no plugin registered one)"
            t.issues.add(
                t.at("type"),
                f"unknown source type {type_name!r}; registered: {listing}"
                + registry.left_out(f"source_{type_name}", type_name),
                nearest(type_name, registered),
            )
        ids = referenced_indicators(t, values, known)
        options, secrets = self._options(ctx, t, source_type)
        return SourceConfig(
            id=source_id,
            type=type_name,
            interval=values.get("interval", timedelta()),
            indicators=ids,
            options=MappingProxyType(options),
            enabled=values["enabled"],
            timeout=values["timeout"],
            allow_redirects_to=values["allow_redirects_to"],
            secrets=tuple(dict.fromkeys(secrets)),
        )

    @staticmethod
    def _options(
        ctx: Build, t: Section, source_type: SourceType | None
    ) -> tuple[dict[str, Any], list[str]]:
        return typed_options(ctx, t, source_type, SOURCE_FIELDS, what="source type")

    @staticmethod
    def _link(
        ctx: Build, indicators: dict[str, Indicator], sources: Mapping[str, SourceConfig]
    ) -> dict[str, Indicator]:
        section = ctx.raw.data.get("indicators")
        configured = section if isinstance(section, dict) else {}
        for ind_id, ind in list(indicators.items()):
            given = configured.get(ind_id)
            if isinstance(given, dict) and isinstance(given.get("source"), str):
                if given["source"] and given["source"] not in sources:
                    ctx.issues.add(
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

    def empty(self) -> Mapping[str, SourceConfig]:
        return MappingProxyType({})

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        types = sorted((registry.source_types if registry else {}).values(), key=lambda s: s.name)
        common = SOURCE_FIELDS.schema()
        if not types:
            common["additionalProperties"] = True
            entry = common
        else:
            variants = []
            for st in types:
                variant = (SOURCE_FIELDS + option_fields(st)).schema()
                variant["properties"]["type"] = {
                    "const": st.name,
                    "description": st.description or f"source type {st.name}",
                }
                variant["title"] = st.name
                if st.description:
                    variant["description"] = st.description
                variants.append(variant)
            entry = {
                "type": "object",
                "description": SOURCE_FIELDS.description,
                "required": ["type", "interval"],
                "properties": {
                    "type": {
                        "type": "string",
                        "enum": [st.name for st in types],
                        "description": "the source type (see `lishi-tui plugins`)",
                    }
                },
                "anyOf": variants,
            }
        return {"type": "object", "description": self.description, "additionalProperties": entry}


_UNSENDABLE = re.compile("[\x00-\x1f\x7f]")


def _string_leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _string_leaves(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _string_leaves(v)]
    return []


TABLE = SourcesTable()


def typed_options(
    ctx: Build, t: Section, declared_type: OptionsOwner | None, common: Fields, *, what: str
) -> tuple[dict[str, Any], list[str]]:
    """The keys of table ``t`` beyond ``common``, checked against a registered type's options
    (a source type's, a notifier type's): typed values with defaults, and the secrets among
    them (secret options and ``${ENV}`` values), for redaction."""
    options: dict[str, Any] = {}
    secrets: list[str] = []
    extra = [k for k in t.data if k not in common.names]
    if declared_type is None:
        return options, secrets  # the type is already reported; its options cannot be judged
    declared = option_fields(declared_type)
    valid = (*common.names, *declared.names)
    for key in extra:
        option = declared_type.options.get(key)
        field = declared.get(key)
        if option is None or field is None:
            suggestion = nearest(key, valid)
            message = "unknown key"
            if suggestion is None:
                takes = quoted(declared.names) if declared.names else "no options of its own"
                message += f"; {what} {declared_type.name!r} takes {takes}"
            t.issues.add(t.at(key), message, suggestion)
            continue
        from_env: list[str] = []
        value = ctx.expand_env(t.data[key], t.at(key), from_env)
        secrets.extend(v for v in from_env if v)
        if option.secret:
            secrets.extend(v for v in _string_leaves(value) if v)
        sensitive = option.secret or bool(from_env)
        if sensitive and any(_UNSENDABLE.search(v) for v in _string_leaves(value)):
            # Never echoed: the value is a secret, or came from the environment.
            t.issues.add(
                t.at(key),
                "the value holds a line break or control character (not shown); a token "
                "read from a file often keeps its trailing newline: strip it",
            )
            continue
        checked = field.check(value, t.where(key, sensitive=sensitive))
        if checked is not INVALID:
            options[key] = checked
    for field in declared:
        if field.name in options or field.name in extra:
            continue
        if field.required:
            hint = f" ({field.description})" if field.description else ""
            t.add(f"missing required option '{field.name}'{hint}")
        else:
            options[field.name] = field.default_value()
    return options, secrets
