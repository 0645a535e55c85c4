"""The command palette: find any indicator by Chinese name, English name or pinyin initials;
the palette and the system commands in the UI language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from lishi_tui.app.formatting import clean
from lishi_tui.app.i18n import t
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


# Textual's system commands by their (English) title: the string ids of the title and help
# shown instead, or None to leave one out. "Keys" opens Textual's key panel, in English and
# about widgets; the dashboard's own help screen (?) replaces it. Screenshot is the app's own.
_SYSTEM_COMMANDS: dict[str, tuple[str, str] | None] = {
    "Theme": ("cmd.theme", "cmd.theme.help"),
    "Quit": ("cmd.quit", "cmd.quit.help"),
    "Keys": None,
    "Maximize": ("cmd.maximize", "cmd.maximize.help"),
    "Minimize": ("cmd.minimize", "cmd.minimize.help"),
    "Screenshot": None,
}


def localised_commands(inherited: Iterable[SystemCommand], lang: str) -> Iterator[SystemCommand]:
    """Textual's system commands (already gated by role) in the UI language; one this table
    does not know (a newer Textual's) is kept as it is, so that it is noticed, not lost."""
    for command in inherited:
        if command.title not in _SYSTEM_COMMANDS:
            yield command
            continue
        keys = _SYSTEM_COMMANDS[command.title]
        if keys is not None:
            yield SystemCommand(t(keys[0], lang), t(keys[1], lang), command.callback)


def system_commands(app: LishiApp, inherited: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """The palette's commands: Textual's in the UI language, then the dashboard's own."""
    lang = app.lang
    yield from localised_commands(inherited, lang)
    yield SystemCommand(t("cmd.help", lang), t("cmd.help.help", lang), app.action_help)
    yield SystemCommand(t("alerts.title", lang), t("alerts.help", lang), app.action_alerts)
    yield SystemCommand(t("plugins.title", lang), t("cmd.plugins.help", lang), app.action_plugins)
    if app.permissions.screenshot:
        from lishi_tui.app.screenshots import screenshot_folder

        folder = clean(screenshot_folder(app.config))
        yield SystemCommand(
            t("cmd.screenshot", lang),
            t("cmd.screenshot.help", lang, folder=folder),
            # After the palette has closed, so that it is not in the picture.
            lambda: app.set_timer(0.1, app.action_screenshot),
        )


def theme_palette(lang: str) -> CommandPalette:
    """Textual's theme picker with its placeholder in the UI language."""
    from textual.theme import ThemeProvider

    return LocalisedPalette(lang, t("palette.themes", lang), providers=[ThemeProvider])


class LocalisedPalette(CommandPalette):
    """The command palette with its placeholder and its "no matches" line in the UI language."""

    def __init__(self, lang: str, placeholder: str | None = None, **kwargs: Any) -> None:
        super().__init__(placeholder=placeholder or t("palette.placeholder", lang), **kwargs)
        self.lang = lang

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own (8.2) with the line in the UI language; private, so pinned by a test.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches", self.lang), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
