"""Declaration of [pages.<id>] and their [[pages.<id>.panels]]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lishi_tui.config.engine import Build, Section, TopTable
from lishi_tui.config.fields import INVALID, Fields, Int, Str, StrList, quoted, type_name
from lishi_tui.config.schema import PageConfig, PanelConfig, PanelKind
from lishi_tui.config.tables.sources import referenced_indicators
from lishi_tui.domain.model import Indicator
from lishi_tui.registry import Registry
from lishi_tui.text import nearest

PANEL_FIELDS = Fields(
    Str(
        name="kind",
        default=PanelKind.STAT.value,
        description="how it is drawn: a registered panel kind (see `lishi-tui plugins`)",
    ),
    Str(name="indicator", description="the one indicator shown"),
    StrList(name="indicators", description="the indicators shown (chart, table)"),
    Str(name="title", description="the panel's title (default: the indicator's name)"),
    Str(name="title_en", description="the panel's title in the English UI (default: `title`)"),
    Int(name="width", default=1, minimum=1, maximum=12, description="grid columns spanned"),
    Int(name="height", default=1, minimum=1, maximum=12, description="grid rows spanned"),
    description="One panel on a page; it needs `indicator` or `indicators`.",
)

PAGE_FIELDS = Fields(
    Str(name="title_zh", required=True, description="the tab title in Chinese"),
    Str(name="title_en", description="the tab title in English (default: the Chinese one)"),
    description="One tab of the dashboard.",
)
PAGE_KEYS = (*PAGE_FIELDS.names, "panels")


class PagesTable(TopTable[tuple[PageConfig, ...]]):
    """The dashboard's tabs, in file order."""

    key = "pages"
    description = "Pages: the dashboard's tabs, in file order."

    def build(self, ctx: Build) -> tuple[PageConfig, ...]:
        indicators: Mapping[str, Indicator] = ctx.built.get("indicators", {})
        registry = ctx.registry or Registry()
        kinds = sorted(registry.panel_types)
        left_out = registry.left_out("panels")  # where the built-in kinds come from
        section = ctx.section(self.key)
        if section is None:
            return ()
        pages: list[PageConfig] = []
        for page_id, t in section.tables():
            t.check_keys(PAGE_KEYS)
            values = t.read(PAGE_FIELDS, check_unknown=False)
            panels: list[PanelConfig] = []
            raw_panels = t.data.get("panels", [])
            if not isinstance(raw_panels, list) or not all(isinstance(p, dict) for p in raw_panels):
                t.issues.add(
                    t.at("panels"),
                    f"expected an array of tables ([[pages.{page_id}.panels]]), "
                    f"got {type_name(raw_panels)}",
                )
                raw_panels = []
            for n, raw_panel in enumerate(raw_panels):
                where = Section(t.issues, raw_panel, (*t.at("panels"), n))
                panel = _panel(where, indicators, kinds, left_out)
                if panel is not None:
                    panels.append(panel)
            pages.append(
                PageConfig(
                    id=page_id,
                    title_zh=values.get("title_zh", ""),
                    title_en=values["title_en"],
                    panels=tuple(panels),
                )
            )
        return tuple(pages)

    def empty(self) -> tuple[PageConfig, ...]:
        return ()

    def schema(self, registry: Registry | None) -> dict[str, Any]:
        page = PAGE_FIELDS.schema()
        page["properties"]["panels"] = {
            "type": "array",
            "description": "the page's panels ([[pages.<id>.panels]]), in order",
            "items": PANEL_FIELDS.schema(),
        }
        kinds = sorted(registry.panel_types) if registry else []
        if kinds:
            page["properties"]["panels"]["items"]["properties"]["kind"]["enum"] = kinds
        return {"type": "object", "description": self.description, "additionalProperties": page}


def _panel(
    p: Section, indicators: Mapping[str, Indicator], kinds: list[str], left_out: str
) -> PanelConfig | None:
    values = p.read(PANEL_FIELDS)
    kind = values.get("kind", INVALID)
    if isinstance(kind, str) and kind not in kinds:
        listing = quoted(kinds) if kinds else "none (no plugin registered one)"
        p.issues.add(
            p.at("kind"),
            f"unknown panel kind {kind!r}; registered: {listing}{left_out}",
            nearest(kind, kinds),
        )
    if not p.has("indicator") and not p.has("indicators"):
        p.add("a panel needs `indicator` or `indicators`")
        return None
    ids = referenced_indicators(p, values, set(indicators))
    return PanelConfig(
        kind=values["kind"],
        indicators=ids,
        title=values["title"],
        title_en=values["title_en"],
        width=values["width"],
        height=values["height"],
    )


TABLE = PagesTable()
