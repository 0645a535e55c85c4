"""Declaration of ``[notifiers.<id>]``: the common keys, and each channel type's own options.

A table names a registered channel type with ``type`` and gives that type's options,
checked the way a source's are (typed, defaulted, ``${ENV}`` expanded, secrets collected
for redaction); every problem is located at file:line:key. Read the result with
:func:`configured_notifiers` (or ``ctx.built["notifiers"]`` in a table built after it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lishi_tui.config.engine import Build, Section, TopTable
from lishi_tui.config.fields import Bool, Duration, Fields, Int, Str, quoted
from lishi_tui.config.schema import Config
from lishi_tui.config.tables.sources import option_fields, typed_options
from lishi_tui.notify.api import NotifierConfig, NotifierType
from lishi_tui.registry import Registry
from lishi_tui.sources.api import OptionKind
from lishi_tui.text import nearest

_DEFAULTS = NotifierConfig(id="", type="")

NOTIFIER_FIELDS = Fields(
    Str(
        name="type",
        required=True,
        missing_hint=' (a channel type: "webhook", "wecom", "dingtalk", "feishu", "email", …)',
        description="the channel type (see `lishi-tui plugins`)",
    ),
    Bool(name="enabled", default=True, description="false: configured but never sent to"),
    Duration(
        name="timeout",
        default=_DEFAULTS.timeout,
        maximum=timedelta(minutes=5),
        description="time limit of one delivery attempt",
    ),
    Int(
        name="retries",
        default=_DEFAULTS.retries,
        minimum=0,
        maximum=10,
        description="further attempts after a refused, timed-out, 5xx or 429 delivery",
    ),
    Duration(
        name="backoff",
        default=_DEFAULTS.backoff,
        maximum=timedelta(minutes=5),
        description="the first wait before a retry; doubles each time, at most max_backoff",
    ),
    Duration(
        name="max_backoff",
        default=_DEFAULTS.max_backoff,
        maximum=timedelta(hours=1),
        description="the longest wait between retries (a server's Retry-After too)",
    ),
    description="A notification channel; the other keys are its type's options.",
)


def url_secrets(url: str) -> list[str]:
    """A webhook URL's credential-bearing parts: query values and the last path segment.

    The whole URL is a secret already; its parts are too, so that a URL rewritten by the
    HTTP layer (signed, re-encoded) still has its key hidden in any error text.
    """
    try:
        split = urlsplit(url)
    except ValueError:
        return []
    parts = [v for _, v in parse_qsl(split.query) if len(v) >= 4]
    last = split.path.rstrip("/").rsplit("/", 1)[-1]
    if len(last) >= 8:
        parts.append(last)
    return parts


class NotifiersTable(TopTable[Mapping[str, NotifierConfig]]):
    """Each ``[notifiers.<id>]`` checked against its channel type's declared options."""

    key = "notifiers"
    description = "Notification channels alerts are sent to, by id."

    def build(self, ctx: Build) -> Mapping[str, NotifierConfig]:
        registry = ctx.registry or Registry()
        result: dict[str, NotifierConfig] = {}
        section = ctx.section(self.key)
        if section is not None:
            for notifier_id, t in section.tables():
                made = self._notifier(ctx, t, notifier_id, registry)
                if made is not None:
                    result[notifier_id] = made
        return MappingProxyType(result)

    def _notifier(
        self, ctx: Build, t: Section, notifier_id: str, registry: Registry
    ) -> NotifierConfig | None:
        values = t.read(NOTIFIER_FIELDS, check_unknown=False)
        type_name = values.get("type", "")
        channel = registry.notifier_types.get(type_name)
        if type_name and channel is None:
            registered = sorted(registry.notifier_types)
            listing = quoted(registered) if registered else "none (no plugin registered one)"
            t.issues.add(
                t.at("type"),
                f"unknown notifier type {type_name!r}; registered: {listing}"
                + registry.left_out("notifiers"),
                nearest(type_name, registered),
            )
        options, secrets = typed_options(ctx, t, channel, NOTIFIER_FIELDS, what="notifier type")
        if channel is None:
            return None
        for key, option in channel.options.items():
            value = options.get(key)
            if option.secret and option.kind is OptionKind.URL and isinstance(value, str):
                secrets.extend(url_secrets(value))
        before = len(t.issues.items)
        self._check(t, channel, options)
        if len(t.issues.items) > before:
            return None
        return NotifierConfig(
            id=notifier_id,
            type=type_name,
            options=MappingProxyType(options),
            channel=channel,
            enabled=values["enabled"],
            timeout=values["timeout"],
            retries=values["retries"],
            backoff=values["backoff"],
            max_backoff=values["max_backoff"],
            secrets=tuple(dict.fromkeys(s for s in secrets if s)),
        )

    @staticmethod
    def _check(t: Section, channel: NotifierType, options: Mapping[str, Any]) -> None:
        """The channel type's own cross-option rules, located at the key they name."""
        if channel.validate is None:
            return
        try:
            problems = list(channel.validate(options))
        except Exception as exc:  # a plugin's bug, reported where the table is
            t.add(f"notifier type {channel.name!r} could not check its options: {exc}")
            return
        for key, message in problems:
            if key and key in t.data:
                t.issues.add(t.at(key), message)
            else:
                t.add(message)

    def empty(self) -> Mapping[str, NotifierConfig]:
        return MappingProxyType({})

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        types = sorted((registry.notifier_types if registry else {}).values(), key=lambda n: n.name)
        variants = []
        for nt in types:
            variant = (NOTIFIER_FIELDS + option_fields(nt)).schema()
            variant["properties"]["type"] = {"const": nt.name, "description": nt.description}
            variant["title"] = nt.name
            variants.append(variant)
        entry: dict[str, Any] = {"oneOf": variants} if variants else NOTIFIER_FIELDS.schema()
        return {"type": "object", "description": self.description, "additionalProperties": entry}


TABLE = NotifiersTable()


def configured_notifiers(config: Config) -> Mapping[str, NotifierConfig]:
    """The config's ``[notifiers.<id>]`` channels, by id (empty when there are none)."""
    return config.table(TABLE)
