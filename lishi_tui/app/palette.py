"""Command palette provider: find any indicator by Chinese name, English name or pinyin initials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from lishi_tui.app.formatting import clean
from lishi_tui.domain.model import Indicator

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp


def pinyin_initials(text: str) -> str:
    """ "全区各级接收实事办结" -> "qqgjjsssbj"; non-Chinese characters kept as they are."""
    from pypinyin import Style, lazy_pinyin  # imported on first search: not needed to paint

    return "".join(
        p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    ).lower()


@dataclass(frozen=True)
class Entry:
    """One searchable indicator."""

    indicator: Indicator
    initials: str

    def hint(self) -> str:
        """Initials and id, shown after the name. Not as the hit's ``help``: Textual reads
        help as markup, and no escaping makes every id literal ("zz[/]oops", "a\\")."""
        return f"  {clean(f'{self.initials} · {self.indicator.id}')}"

    def prompt(self, shown: Text | Content) -> Text | Content:
        """A hit's whole line as ``Text`` or ``Content``: never parsed as markup."""
        if isinstance(shown, Content):
            return Content.assemble(shown, (self.hint(), "dim"))
        return Text.assemble(shown, (self.hint(), "dim"))

    def display(self, lang: str) -> str:
        first, second = (
            (self.indicator.name_zh, self.indicator.name_en)
            if lang == "zh"
            else (self.indicator.name_en or self.indicator.name_zh, self.indicator.name_zh)
        )
        return clean(f"{first} · {second}" if second and second != first else first)


class IndicatorCommands(Provider):
    """Every configured indicator, matched on its names, pinyin initials and id."""

    entries: list[Entry]

    @property
    def lishi(self) -> LishiApp:
        # Providers are built by Textual (screen, match style): no constructor to hand data to.
        return cast("LishiApp", self.app)

    async def startup(self) -> None:
        self.entries = [
            Entry(ind, pinyin_initials(ind.name_zh))
            for ind in self.lishi.config.indicators.values()
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        lang = self.lishi.lang
        for entry in self.entries:
            ind = entry.indicator
            display = entry.display(lang)
            score = max(
                matcher.match(display),
                matcher.match(entry.initials),
                matcher.match(ind.id),
            )
            if score > 0:
                shown = matcher.highlight(display) if matcher.match(display) > 0 else Text(display)
                yield Hit(
                    score,
                    entry.prompt(shown),
                    partial(self.lishi.open_indicator, ind.id),
                    text=display,
                )

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        lang = self.lishi.lang
        for entry in self.entries:
            yield DiscoveryHit(
                entry.prompt(Text(entry.display(lang))),
                partial(self.lishi.open_indicator, entry.indicator.id),
                text=entry.display(lang),
            )
