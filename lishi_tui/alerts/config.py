"""``[alerts.<id>]`` tables read from the raw TOML into ``AlertRule`` objects, with located issues.

``parse_alerts`` takes the raw ``alerts`` table and an ``add(path, message, suggestion)``
callback (the config loader's issue collector, which turns a key path into file:line);
it never raises for bad input, it reports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from lishi_tui.alerts.rules import (
    DEFAULT_FAILURES,
    DEFAULT_REPEAT,
    AlertRule,
    ChangeBasis,
    ErrorPolicy,
    Kind,
    NoDataPolicy,
    Severity,
    StatusLevel,
)
from lishi_tui.config.durations import parse_duration
from lishi_tui.config.engine import Build, TopTable
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Indicator
from lishi_tui.registry import Registry
from lishi_tui.text import nearest

KeyPath = tuple[str | int, ...]
AddIssue = Callable[[KeyPath, str, str | None], None]
_E = TypeVar("_E", bound=StrEnum)

COMMON_KEYS = (
    "kind",
    "title",
    "indicators",
    "pages",
    "tags",
    "severity",
    "for",
    "keep_firing_for",
    "repeat_interval",
    "no_data",
    "on_error",
    "notify",
    "demo",
)
KIND_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.THRESHOLD: ("status", "above", "below"),
    Kind.PACE: ("margin",),
    Kind.CHANGE: ("above", "below", "basis"),
    Kind.STALE: (),
    Kind.SOURCE: ("sources", "failures", "breaker"),
}
ALL = "*"
MAX_NUMBER = 1e15  # the config's bounds (docs/config.md, "Bounds")
MAX_DURATION = timedelta(days=3650)


class _Table:
    """One ``[alerts.<id>]`` table: typed readers that report and fall back."""

    def __init__(self, data: Mapping[str, Any], path: KeyPath, add: AddIssue) -> None:
        self.data = data
        self.path = path
        self.add = add
        self.ok = True

    def issue(self, key: str | None, message: str, suggestion: str | None = None) -> None:
        self.ok = False
        self.add((*self.path, key) if key else self.path, message, suggestion)

    def enum(self, key: str, cls: type[_E], default: _E) -> _E:
        value = self.data.get(key)
        if value is None:
            return default
        valid = [m.value for m in cls]
        if not isinstance(value, str) or value not in valid:
            hint = nearest(value, valid) if isinstance(value, str) else None
            self.issue(key, f"{value!r} is not one of {', '.join(map(repr, valid))}", hint)
            return default
        return cls(value)

    def duration(self, key: str, default: timedelta) -> timedelta:
        value = self.data.get(key)
        if value is None:
            return default
        try:
            td = parse_duration(value)
        except ValueError as exc:
            self.issue(key, str(exc))
            return default
        if td > MAX_DURATION:
            self.issue(key, f"must be at most {MAX_DURATION.days} days")
            return default
        return td

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.issue(key, f"expected a number, got {value!r}")
            return None
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            self.issue(key, f"must be a finite number within ±1e15, got {value!r}")
            return None
        return float(value)

    def names(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.issue(key, 'expected an array of strings, e.g. ["gdp_growth"]')
            return ()
        return tuple(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.issue(key, "expected true or false")
            return default
        return value


def parse_alerts(
    raw: object,
    add: AddIssue,
    *,
    indicators: Mapping[str, Indicator],
    sources: Collection[str],
    pages: Mapping[str, Sequence[str]] | None = None,
    notifiers: Collection[str] | None = None,
) -> dict[str, AlertRule]:
    """Every valid rule of the ``alerts`` table; each problem goes to ``add``.

    ``pages`` maps a page id to the indicators its panels show; ``notifiers`` are the
    configured channel ids (None: not checked).
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        add(("alerts",), "expected a table of [alerts.<id>] tables", None)
        return {}
    out: dict[str, AlertRule] = {}
    for rule_id, body in raw.items():
        path: KeyPath = ("alerts", rule_id)
        if not isinstance(body, Mapping):
            add(path, "expected a table ([alerts.<id>] with kind = ...)", None)
            continue
        rule = _rule(_Table(body, path, add), rule_id, indicators, sources, pages or {}, notifiers)
        if rule is not None:
            out[rule_id] = rule
    return out


def _rule(
    t: _Table,
    rule_id: str,
    indicators: Mapping[str, Indicator],
    sources: Collection[str],
    pages: Mapping[str, Sequence[str]],
    notifiers: Collection[str] | None,
) -> AlertRule | None:
    if "kind" not in t.data:
        t.issue(None, f"missing kind ({', '.join(repr(k.value) for k in Kind)})")
        return None
    kind = t.enum("kind", Kind, Kind.THRESHOLD)
    if not t.ok:
        return None
    valid = (*COMMON_KEYS, *KIND_KEYS[kind])
    for key in t.data:
        if key not in valid:
            other = [k for k, keys in KIND_KEYS.items() if key in keys]
            msg = f"not an option of {kind.value} rules" if other else "unknown key"
            t.issue(key, msg, nearest(key, valid))
    notify = t.names("notify")
    if notifiers is not None:
        for n, name in enumerate(notify):
            if name not in notifiers:
                t.add(
                    (*t.path, "notify", n),
                    f"no notifier {name!r} ([notifiers.{name}] is not configured)",
                    nearest(name, notifiers),
                )
                t.ok = False
    rule = AlertRule(
        id=rule_id,
        kind=kind,
        title=t.data.get("title", "") if isinstance(t.data.get("title", ""), str) else "",
        severity=t.enum("severity", Severity, Severity.WARNING),
        for_=t.duration("for", timedelta()),
        keep_firing_for=t.duration("keep_firing_for", timedelta()),
        repeat_interval=t.duration("repeat_interval", DEFAULT_REPEAT),
        no_data=t.enum("no_data", NoDataPolicy, NoDataPolicy.NODATA),
        on_error=t.enum("on_error", ErrorPolicy, ErrorPolicy.ERROR),
        notify=notify,
        demo=t.boolean("demo", False),
        status=t.enum("status", StatusLevel, StatusLevel.AMBER) if "status" in t.data else None,
        above=t.number("above"),
        below=t.number("below"),
        margin=t.number("margin"),
        basis=t.enum("basis", ChangeBasis, ChangeBasis.PREVIOUS),
        failures=_failures(t),
        breaker=t.boolean("breaker", False),
    )
    if rule.repeat_interval <= timedelta():
        t.issue("repeat_interval", "must be longer than 0")
    _kind_options(t, rule)
    chosen, explicit = _subjects(t, kind, indicators, pages)
    if kind is Kind.SOURCE:
        rule_sources = _sources(t, indicators, sources, chosen if explicit else ())
        rule = replace(rule, sources=rule_sources)
    else:
        if not explicit and not chosen:
            t.issue(None, 'name its indicators: indicators = ["id", ...] or ["*"], pages, tags')
        rule = replace(rule, indicators=_fitting(t, rule, chosen, indicators, explicit))
    return rule if t.ok else None


def _failures(t: _Table) -> int:
    value = t.data.get("failures", DEFAULT_FAILURES)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        t.issue("failures", f"expected a whole number of runs, at least 1, got {value!r}")
        return DEFAULT_FAILURES
    return value


def _kind_options(t: _Table, rule: AlertRule) -> None:
    bounds = rule.above is not None or rule.below is not None
    if rule.kind is Kind.THRESHOLD:
        if rule.status is None and not bounds:
            t.issue(None, 'a threshold rule needs status = "amber" | "red", or above / below')
        elif rule.status is not None and bounds:
            t.issue("status", "give status or above / below, not both")
    if rule.kind is Kind.CHANGE and not bounds:
        t.issue(None, "a change rule needs above and/or below (the change, in % or points)")
    if rule.kind is Kind.PACE:
        if rule.margin is None:
            t.issue(None, "a pace rule needs margin (percentage points behind the path)")
        elif rule.margin < 0:
            t.issue("margin", f"must be 0 or more, got {rule.margin:g}")


def _subjects(
    t: _Table, kind: Kind, indicators: Mapping[str, Indicator], pages: Mapping[str, Sequence[str]]
) -> tuple[list[str], bool]:
    """The indicators the rule names (expanded), and whether they were named one by one."""
    named = t.names("indicators")
    chosen: list[str] = []
    explicit = False
    if ALL in named:
        chosen.extend(indicators)
    for n, iid in enumerate(named):
        if iid == ALL:
            continue
        explicit = True
        if iid in indicators:
            chosen.append(iid)
        else:
            t.add(
                (*t.path, "indicators", n),
                f"unknown indicator {iid!r}",
                nearest(iid, indicators),
            )
            t.ok = False
    for n, page in enumerate(t.names("pages")):
        if page in pages:
            chosen.extend(pages[page])
        else:
            t.add((*t.path, "pages", n), f"unknown page {page!r}", nearest(page, pages))
            t.ok = False
    tags = set(t.names("tags"))
    if tags:
        chosen.extend(i for i, ind in indicators.items() if tags & set(ind.tags))
    return list(dict.fromkeys(chosen)), explicit


def _fitting(
    t: _Table,
    rule: AlertRule,
    chosen: list[str],
    indicators: Mapping[str, Indicator],
    explicit: bool,
) -> tuple[str, ...]:
    """Drop indicators the rule cannot judge; named ones are an error, ``*`` ones skipped."""
    named = set(t.names("indicators")) - {ALL}
    out: list[str] = []
    for iid in chosen:
        ind = indicators[iid]
        why = _cannot_judge(rule, ind)
        if why is None:
            out.append(iid)
        elif explicit and iid in named:
            t.issue("indicators", f"{iid}: {why}")
    return tuple(out)


def _cannot_judge(rule: AlertRule, ind: Indicator) -> str | None:
    if rule.kind is Kind.PACE and (
        ind.baseline is None or ind.target is None or ind.target.deadline is None
    ):
        return "a pace rule needs the indicator's baseline, target and target deadline"
    if rule.kind is Kind.THRESHOLD and rule.status is not None and ind.thresholds is None:
        return "has no [indicators.<id>.thresholds] to take a status from"
    return None


def _sources(
    t: _Table,
    indicators: Mapping[str, Indicator],
    sources: Collection[str],
    via: Sequence[str],
) -> tuple[str, ...]:
    named = t.names("sources")
    out: list[str] = []
    if ALL in named:
        out.extend(sources)
    for n, sid in enumerate(named):
        if sid == ALL:
            continue
        if sid in sources:
            out.append(sid)
        else:
            t.add((*t.path, "sources", n), f"unknown source {sid!r}", nearest(sid, sources))
            t.ok = False
    out.extend(indicators[i].source for i in via if indicators[i].source)
    if not out and t.ok:
        t.issue(None, 'a source rule names sources = ["id", ...] or ["*"], or indicators')
    return tuple(dict.fromkeys(out))


class AlertsTable(TopTable[Mapping[str, AlertRule]]):
    """``[alerts.<id>]``: the alert rules, built after indicators, sources, pages (and
    notifiers, when that table is declared before this one)."""

    key = "alerts"
    description = "Alert rules: what to watch, when it fires, whom to tell."

    def build(self, ctx: Build) -> Mapping[str, AlertRule]:
        raw = ctx.raw.data.get(self.key)
        if raw is None:
            return self.empty()
        indicators: Mapping[str, Indicator] = ctx.built.get("indicators", {})
        pages = {
            p.id: [i for panel in p.panels for i in panel.indicators]
            for p in ctx.built.get("pages", ())
        }
        notifiers = ctx.built.get("notifiers")
        return MappingProxyType(
            parse_alerts(
                raw,
                ctx.issues.add,
                indicators=indicators,
                sources=list(ctx.built.get("sources", {})),
                pages=pages,
                notifiers=list(notifiers) if notifiers is not None else None,
            )
        )

    def empty(self) -> Mapping[str, AlertRule]:
        return MappingProxyType({})

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        options = {
            k: {"description": f"option of {kind.value} rules"}
            for kind, keys in KIND_KEYS.items()
            for k in keys
        }
        rule = {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"enum": [k.value for k in Kind]},
                "severity": {"enum": [s.value for s in Severity]},
                "indicators": {"type": "array", "items": {"type": "string"}},
                "pages": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "notify": {"type": "array", "items": {"type": "string"}},
                "for": {"type": "string"},
                "keep_firing_for": {"type": "string"},
                "repeat_interval": {"type": "string"},
                "no_data": {"enum": [p.value for p in NoDataPolicy]},
                "on_error": {"enum": [p.value for p in ErrorPolicy]},
                "demo": {"type": "boolean"},
                "title": {"type": "string"},
                **options,
            },
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "description": self.description,
            "additionalProperties": rule,
        }


TABLE = AlertsTable()


def rules_of(config: Config) -> Mapping[str, AlertRule]:
    """The configured alert rules."""
    return config.table(TABLE)
