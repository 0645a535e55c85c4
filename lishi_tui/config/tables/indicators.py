"""Declaration of [indicators.<id>]: new indicators, or overrides of what a plugin defined."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from lishi_tui.config.engine import Build, Issues, Section, TopTable
from lishi_tui.config.fields import (
    Choice,
    Date,
    DateTime,
    Duration,
    Fields,
    Float,
    Int,
    Str,
    StrList,
    Table,
    TableList,
)
from lishi_tui.config.reading import read_raw
from lishi_tui.domain.model import (
    Annotation,
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


def _baseline(v: Mapping[str, Any]) -> Baseline | None:
    return Baseline(v["value"], v["on"]) if v.get("on") else None


def _target(v: Mapping[str, Any]) -> Target:
    return Target(v["value"], v.get("deadline"), v["note"], v["note_en"])


def _thresholds(v: Mapping[str, Any]) -> Thresholds:
    return Thresholds(v["green"], v["amber"], v["mode"])


def _annotation(v: Mapping[str, Any]) -> Annotation:
    return Annotation(v["text"], v["author"], v["at"])


BASELINE_FIELDS = Fields(
    Float(name="value", required=True, description="the starting value"),
    Date(name="on", required=True, description="the date of the starting value"),
)
TARGET_FIELDS = Fields(
    Float(name="value", required=True, description="the value to reach, in display units"),
    Date(name="deadline", description="when it is to be reached, e.g. 2025-12-31"),
    Str(name="note", default="", description="where the target comes from"),
    Str(name="note_en", default="", description="the note in English, for the English UI"),
)
THRESHOLD_FIELDS = Fields(
    Float(name="green", required=True, description="at or beyond this the indicator is green"),
    Float(name="amber", required=True, description="at or beyond this it is amber; else red"),
    Choice(
        name="mode",
        enum=ThresholdMode,
        default=ThresholdMode.ABSOLUTE,
        description="absolute values, or percent of the target",
    ),
)
# Written by `config annotate` and the detail screen's "n" (lishi_tui.config.edit.add_annotation).
ANNOTATION_FIELDS = Fields(
    Str(name="text", required=True, non_empty=True, description="the remark, e.g. 口径调整"),
    Str(name="author", required=True, description="the account that wrote it"),
    DateTime(name="at", required=True, description="when, with its offset"),
    description="An operator's remark on the indicator ([[indicators.<id>.annotations]]).",
)

INDICATOR_FIELDS = Fields(
    Str(
        name="name_zh", description="the Chinese name (required for an indicator no plugin defines)"
    ),
    Str(name="name_en", description="the English name"),
    Str(name="unit", description="the unit as shown in Chinese, e.g. 亿元"),
    Str(name="unit_en", description="the unit as shown in English"),
    Float(
        name="multiplier",
        default=1.0,
        positive=True,
        description="size of one display unit in base units",
    ),
    Int(name="decimals", default=1, minimum=0, maximum=10, description="decimals shown"),
    Choice(
        name="direction",
        enum=Direction,
        default=Direction.HIGHER,
        description="which way is better",
    ),
    Choice(
        name="frequency",
        enum=Frequency,
        default=Frequency.YEARLY,
        description="how often it is published",
    ),
    Choice(
        name="measure",
        enum=MeasureKind,
        default=MeasureKind.LEVEL,
        description="what kind of figure it is",
    ),
    Table(
        name="baseline", fields=BASELINE_FIELDS, make=_baseline, description="the starting point"
    ),
    Table(name="target", fields=TARGET_FIELDS, make=_target, description="the value to reach"),
    Table(
        name="thresholds",
        fields=THRESHOLD_FIELDS,
        make=_thresholds,
        description="green/amber bounds",
    ),
    Duration(
        name="stale_after",
        default=timedelta(days=1),
        description="a figure older than this is stale (default: by frequency)",
    ),
    Str(name="page", description="the page it belongs to"),
    StrList(name="tags", description="free labels"),
    Str(
        name="source",
        description="the configured source that feeds it (default: the first that lists it)",
    ),
    Str(name="description", description="what it measures"),
    TableList(
        name="annotations",
        fields=ANNOTATION_FIELDS,
        make=_annotation,
        description="operators' remarks, oldest first: shown on the panel, the detail and show",
    ),
    description="An indicator: new, or overriding what a plugin defined.",
)


def new_indicator(
    ind_id: str, t: Section, fields: dict[str, Any], *, plugin: str
) -> Indicator | None:
    """An indicator declared in full by table ``t`` (its checked ``fields``), or None after
    recording why it cannot be (no ``name_zh``)."""
    if not t.has("name_zh"):
        t.add("name_zh is required for an indicator that no plugin defines")
        return None
    if "name_zh" not in fields:
        return None  # its value was refused, and that is recorded
    return Indicator(
        id=ind_id,
        name_zh=fields.pop("name_zh"),
        name_en=fields.pop("name_en", ""),
        plugin=plugin,
        **fields,
    )


def indicators_from_file(path: Path) -> tuple[Indicator, ...]:
    """The indicators a plugin's data file declares, in the config's own format.

    The file holds ``[indicators.<id>]`` tables with the keys ``[indicators.<id>]`` takes
    in a config (``name_zh`` required), in the order written. Any fault raises a
    ``ConfigError`` naming the file, line and key. ``plugin`` is left empty: the plugin
    host fills in the plugin that registers them.
    """
    issues = Issues(read_raw(path))
    top = Section(issues, issues.raw.data, ())
    top.check_keys(["indicators"], what="table (a plugin's indicator file holds [indicators.<id>])")
    out: list[Indicator] = []
    section = top.table("indicators") if top.has("indicators") else None
    for ind_id, t in section.tables() if section is not None else ():
        fields = t.read(INDICATOR_FIELDS, given_only=True)
        if "name_zh" in fields and not fields["name_zh"].strip():
            t.issues.add(t.at("name_zh"), "must not be empty")
        elif (made := new_indicator(ind_id, t, fields, plugin="")) is not None:
            out.append(made)
    if section is None or not section.data:
        top.add("the file declares no indicators ([indicators.<id>] tables)")
    issues.raise_if_any()
    return tuple(out)


class IndicatorsTable(TopTable[dict[str, Indicator]]):
    """Plugin indicators with the config's overrides, plus the config's own."""

    key = "indicators"
    description = "Indicators: overrides of plugin-defined ones and new ones, by id."

    def build(self, ctx: Build) -> dict[str, Indicator]:
        registry = ctx.registry or Registry()
        result = dict(registry.indicators)
        section = ctx.section(self.key)
        if section is None:
            return result
        for ind_id, t in section.tables():
            fields = t.read(INDICATOR_FIELDS, given_only=True)
            if "name_zh" in fields and not fields["name_zh"].strip():
                t.issues.add(t.at("name_zh"), "must not be empty")
            base = registry.indicators.get(ind_id)
            if base is not None:
                result[ind_id] = replace(base, **fields)
            elif (made := new_indicator(ind_id, t, fields, plugin="config")) is not None:
                result[ind_id] = made
        return result

    def empty(self) -> dict[str, Indicator]:
        return {}

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "additionalProperties": INDICATOR_FIELDS.schema(),
        }


TABLE = IndicatorsTable()
