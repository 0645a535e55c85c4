"""The main screen: one tab per configured page, each a grid of panels that adapts to the terminal."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import cache, partial

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.events import Resize, ScreenResume
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import ContentSwitcher

from lishi_tui.app.formatting import clean
from lishi_tui.app.heap import freeze_settled, freeze_startup_objects, thaw
from lishi_tui.app.i18n import t
from lishi_tui.app.screens.page_layout import (
    max_columns,
    pack,
    page_columns,
    row_heights,
    split_screenful,
)
from lishi_tui.app.screens.page_picker import PICKER_IN_FOOTER, PagePicker
from lishi_tui.app.widgets.covered import SkipCovered
from lishi_tui.app.widgets.header import SteadyHeader
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.app.widgets.page_bar import PageBar
from lishi_tui.app.widgets.panels import Panel, PanelContext, make_panel
from lishi_tui.app.widgets.panels.overview import OverviewPanel
from lishi_tui.config.schema import Config, PageConfig
from lishi_tui.panel_api import PanelType
from lishi_tui.registry import Registry

MAX_PAGE_KEYS = 9
PREPARE_AFTER_S = 0.1  # after a page is drawn, the next is made ready this much later


class PageScroll(SkipCovered, VerticalScroll, inherit_bindings=False, can_focus=False):
    """A page's scrolling area: arrow keys belong to panel navigation, not to scrolling."""

    def on_resize(self, event: Resize) -> None:
        screen = self.screen
        if isinstance(screen, DashboardScreen):
            screen.page_resized(event.size.width, event.size.height)


class PageTabs(SkipCovered, Widget):
    """The pages: their tabs (one ``PageBar``) above the panes, one shown at a time."""

    DEFAULT_CSS = """
    PageTabs {
        height: 1fr;
    }
    """


class PagePane(SkipCovered, Widget):
    """One page's pane in the switcher: its scroll area once the page is first shown.
    (Textual's ``TabPane`` would bring ``TabbedContent`` and ``Tabs`` in with it.)"""

    DEFAULT_CSS = """
    PagePane {
        height: auto;
    }
    """


class PageSwitcher(SkipCovered, ContentSwitcher):
    """The switcher of the pages' panes (only the page shown is displayed)."""


class PanelGrid(SkipCovered, Grid):
    """A page's grid of panels (``Grid.panels`` in the stylesheet)."""


CHROME_ROWS = 4  # header, the tab row and its underline, footer


def dashboard_bindings(lang: str) -> list[BindingType]:
    """The dashboard's keys, described in the UI language (the footer shows them)."""
    bindings: list[BindingType] = [
        Binding("q", "app.quit", t("binding.quit", lang)),
        Binding("question_mark", "app.help", t("binding.help", lang), key_display="?"),
        Binding("slash", "app.command_palette", t("binding.palette", lang), key_display="/"),
        Binding("enter", "detail", t("binding.detail", lang)),
        Binding("r", "app.refresh_now", t("binding.refresh", lang)),
        Binding("p", "app.plugins", t("binding.plugins", lang)),
        Binding("tab", "next_page", t("binding.next_page", lang), key_display="Tab"),
        Binding("shift+tab", "prev_page", t("binding.prev_page", lang), show=False),
        # In the footer only beside many pages (``compose``), where Tab is no way to page 80.
        Binding("g", "pick_page", t("binding.pick_page", lang), show=False),
        # Not in the footer: the arrows say what they do, and the footer fits 80 columns.
        Binding("left,h", "move(-1, 0)", t("binding.move", lang), key_display="←↓↑→", show=False),
        Binding("right,l", "move(1, 0)", show=False),
        Binding("up,k", "move(0, -1)", show=False),
        Binding("down,j", "move(0, 1)", show=False),
    ]
    for n in range(MAX_PAGE_KEYS + 1):
        bindings.append(Binding(str(n), f"page_key({n})", t("binding.page_n", lang), show=False))
    return bindings


@cache
def dashboard_screen_class(lang: str) -> type[DashboardScreen]:
    """A DashboardScreen whose bindings speak ``lang`` (Textual binds at class level)."""
    return type(
        f"DashboardScreen_{lang}", (DashboardScreen,), {"BINDINGS": dashboard_bindings(lang)}
    )


class DashboardScreen(Screen[None]):
    """Pages as tabs; panels in a grid; the focus moves between panels by direction."""

    # Textual repaints the whole screen when the focus moves; the panels that gain and lose
    # it restyle (and repaint) themselves, so a page switch need not send every cell again.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(
        self,
        config: Config,
        ctx: PanelContext,
        *,
        overview: str = "first",
        on_show: Callable[[dict[str, int]], None] | None = None,
        registry: Registry | None = None,
    ) -> None:
        super().__init__()
        # Each panel's kind is looked up among the registered ones (built-in kinds included).
        kinds: Mapping[str, PanelType] = registry.panel_types if registry else {}
        self.config = config
        self.ctx = ctx
        # Told what to keep as new as the store: the page on screen and the page made ready
        # ahead of the next switch (indicator id -> the history points their panels draw).
        # The app reads only these from the store; the rest is read when its page is shown.
        self.on_show = on_show
        self.shown_page = 0  # the page on screen (or about to be): the first until one is picked
        self.ahead: int | None = None  # the page read and mounted ahead for Tab, once it is
        self._grids: dict[int, Grid] = {}  # each page's grid, once mounted
        self._panes: dict[int, PagePane] = {}  # each page's pane, once composed
        self._bar: PageBar | None = None  # the pages' tabs, once composed
        self._mounted: set[int] = set()  # pages whose panels are (being) mounted
        # Pages' panels below their first screenful, mounted once that is drawn.
        self._later: dict[int, list[Panel]] = {}
        self.pages: list[tuple[PageConfig, list[Panel]]] = []
        self.overview: OverviewPanel | None = None
        for page in config.pages:
            panels = [
                make_panel(
                    pc,
                    [config.indicators[i] for i in pc.indicators if i in config.indicators],
                    ctx,
                    kinds,
                    registry,
                )
                for pc in page.panels
            ]
            self.pages.append((page, panels))
        # The page keys: 1..9 for the configured pages, 0 for the overview.
        self.page_keys: dict[int, int] = {n + 1: n for n in range(min(len(self.pages), 9))}
        if overview != "off":
            shown = dict.fromkeys(
                i for page, _ in self.pages for p in page.panels for i in p.indicators
            )
            self.overview = OverviewPanel(
                [config.indicators[i] for i in shown if i in config.indicators], ctx
            )
            page = PageConfig(
                id="overview",
                title_zh=t("overview.page", "zh"),
                title_en=t("overview.page", "en"),
                panels=(),
            )
            at = 0 if overview == "first" else len(self.pages)
            self.pages.insert(at, (page, [self.overview]))
            self.page_keys = {
                key: index + (1 if at == 0 else 0) for key, index in self.page_keys.items()
            }
            self.page_keys[0] = at
        self._key_of = {index: key for key, index in self.page_keys.items()}
        self._last_focus: dict[int, Panel] = {}
        self._page_of: dict[Panel, int] = {}  # each panel's page (rebuilt when pages change)
        self._laid_out = (0, 0)
        self._resumed = False

    @property
    def panels(self) -> list[Panel]:
        return [p for _, panels in self.pages for p in panels]

    def needs(self, *indexes: int) -> dict[str, int]:
        """What pages ``indexes`` show: indicator id -> the most history points a panel draws."""
        out: dict[str, int] = {}
        for index in indexes:
            if 0 <= index < len(self.pages):
                for panel in self.pages[index][1]:
                    for iid in panel.indicator_ids:
                        out[iid] = max(out.get(iid, 0), panel.HISTORY_POINTS)
        return out

    def kept_current(self) -> dict[str, int]:
        """What the app keeps as new as the store: the page shown and the page ready ahead."""
        if self.ahead is None or self.ahead == self.shown_page:
            return self.needs(self.shown_page)
        return self.needs(self.shown_page, self.ahead)

    def compose(self) -> ComposeResult:
        # Only the first page's panels are composed, and of a long page only those in the
        # first screenful: other pages are mounted when first shown (open_page), the rest
        # of a long page after the first frame. Textual's cost grows with mounted widgets.
        self._grids, self._panes, self._mounted = {}, {}, {0}
        self.shown_page, self.ahead = 0, None
        self._page_of = {p: index for index, (_, panels) in enumerate(self.pages) for p in panels}
        self._show_picker_key(len(self.pages) > PICKER_IN_FOOTER)
        size = self.app.size
        first, later = split_screenful(
            self.pages[0][1] if self.pages else [], size.width, size.height - CHROME_ROWS
        )
        self._later = {0: later} if later else {}
        yield SteadyHeader()
        labels: list[Content] = []
        for index, (page, _) in enumerate(self.pages):
            key = self._key_of.get(index)
            title = clean(page.title(self.ctx.lang))
            # Content, not a str: a str label would be read as markup ("[@click=app.quit]").
            labels.append(Content(f"{key} {title}" if key is not None else title))
        with PageTabs(id="pages"):
            yield (bar := PageBar(labels))
            self._bar = bar
            with PageSwitcher(initial="page-0" if self.pages else None):
                for index in range(len(self.pages)):
                    # A page not shown is an empty pane: its scroll area, grid and panels
                    # are mounted when it is first shown.
                    pane = self._panes[index] = PagePane(id=f"page-{index}")
                    with pane:
                        if index == 0:
                            grid = self._grids[index] = PanelGrid(classes="panels")
                            with PageScroll(), grid:
                                yield from first
        yield KeyLine()
        if self.is_mounted:  # recomposed (a config reload): on_mount does not run again
            thaw()  # the old panels are garbage now; what the reload builds is frozen anew
            self.call_after_refresh(self._mount_later, 0)
            self.call_after_refresh(self._prepare_soon, 0)

    def _on_screen_resume(self, event: ScreenResume) -> None:
        # Textual lays a screen out and draws it whole as it first resumes, then asks for a
        # whole repaint on top: at start every cell would be sent twice. Later resumes (a
        # screen on top closed) keep the repaint: what was under that screen is redrawn.
        event.prevent_default()  # Screen's handler runs here, once
        first = not self._resumed
        self._resumed = True
        if first:
            # Textual restyles the whole screen as it resumes: at the first, every widget was
            # styled as it mounted (and restyled itself on each class or focus change since),
            # so that is a second pass over every node before the first frame, for nothing.
            event.refresh_styles = False
        Screen._on_screen_resume(self, event)
        if first:
            self._repaint_required = False
            compositor = self._compositor
            if compositor.size.region not in compositor._dirty_regions:
                # Drawn whole just now. Each widget still holds the region it asked to
                # repaint while it mounted (its Update comes after this): left, the next
                # frame would send each of them again, the whole screen a second time.
                for widget in compositor.visible_widgets:
                    widget._exchange_repaint_regions()

    def on_mount(self) -> None:
        self.apply_layout(self.app.size.width, self.app.size.height - CHROME_ROWS)
        first = self.pages[0][1][0] if self.pages and self.pages[0][1] else None
        if first is not None and first.is_mounted:
            # In the first frame (Textual focused the tabs; a focus a refresh later would
            # be a frame of its own).
            self.set_focus(first)
        else:
            self.focus_page_panel(0)
        self.call_after_refresh(self._mount_later, 0)
        self.call_after_refresh(self._prepare_soon, 0)

    def _mount_later(self, index: int) -> None:
        """The panels of page ``index`` below its first screenful, once that is drawn."""
        later = self._later.pop(index, [])
        grid = self._grids.get(index)
        if later and grid is not None and grid.is_mounted:
            grid.mount(*later)

    def open_page(self, index: int) -> None:
        """Page ``index`` is about to show: say what it needs (read now only if it was not
        made ready ahead, or changed since), mount its panels if not yet, hold its charts
        for a frame; once it is drawn, make the next page ready (``_prepare_ahead``)."""
        if not 0 <= index < len(self.pages):
            return
        self.shown_page, self.ahead = index, None
        if self.on_show is not None:
            self.on_show(self.needs(index))
        for panel in self.pages[index][1]:
            panel.page_showing()
        self._mount_page(index)
        if self.is_mounted:
            self.call_after_refresh(self._prepare_soon, index)

    def _prepare_soon(self, shown: int) -> None:
        # Not at once: the frame just drawn is still being written to the terminal (by
        # Textual's writer thread, which work on this thread would keep waiting).
        self.set_timer(PREPARE_AFTER_S, partial(self._prepare_ahead, shown), name="prepare")

    def _prepare_ahead(self, shown: int) -> None:
        """Once page ``shown`` is drawn: read the next page's figures and mount it hidden, its
        panels styled once with their figures' status, so that Tab pays no store read, mount
        or restyle. The app keeps both pages current from then on (``kept_current``)."""
        if shown != self.shown_page or len(self.pages) < 2 or not self.is_mounted:
            return  # another page is shown by now: it prepares its own
        ahead = (shown + 1) % len(self.pages)
        if ahead not in self._mounted:
            # The page shown was mounted (ahead) and is drawn now: its widgets stay as long
            # as the app. Out of the collector's sight before the next page adds its own.
            freeze_settled()
        self.ahead = ahead
        if self.on_show is not None:
            self.on_show(self.kept_current())  # before the mount: no restyle once mounted
        self._mount_page(ahead)
        freeze_startup_objects()  # the start is over: its objects stay

    def _mount_page(self, index: int) -> None:
        """Mount page ``index``'s panels (its first screenful now, the rest once drawn)."""
        if index in self._mounted or not self.is_mounted:
            return
        self._mounted.add(index)
        width, height = self._laid_out
        first, later = split_screenful(self.pages[index][1], width, height)
        grid = self._grids[index] = PanelGrid(*first, classes="panels")
        if width:
            self._layout_page(index, width, height)
        mounted = self._panes[index].mount(PageScroll(grid))
        if later:
            self._later[index] = later
            self.run_worker(self._mount_rest(mounted, index), group="mount", exit_on_error=False)

    async def _mount_rest(self, mounted: AwaitMount, index: int) -> None:
        # The first panels are placed in the grid as it mounts: the rest must go after them,
        # once that is done and drawn.
        await mounted
        self.call_after_refresh(self._mount_later, index)

    def on_resize(self, event: Resize) -> None:
        self.apply_layout(event.size.width, event.size.height - CHROME_ROWS)

    def page_resized(self, width: int, height: int) -> None:
        """A page's area has its real size now (a banner may take rows): fit to it."""
        if (width, height) != self._laid_out and width and height:
            self.apply_layout(width, height)

    def apply_layout(self, width: int, height: int) -> None:
        """Share ``width`` x ``height`` (the page area) between each page's panels: columns
        by declared widths, rows by natural heights, what is left to the charts. A page
        that fits does not scroll."""
        self._laid_out = (width, height)
        for index in self._mounted:
            self._layout_page(index, width, height)

    def _layout_page(self, index: int, width: int, height: int) -> None:
        panels = self.pages[index][1]
        grid = self._grids.get(index)
        if not panels or grid is None:
            return
        columns = page_columns(panels, width, height)
        rows = pack(panels, columns)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_rows = " ".join(str(h) for h in row_heights(rows, max(height, 1)))
        for row in rows:
            for panel, span in row:
                if panel.styles.column_span != span:
                    panel.styles.column_span = span
                if panel.styles.row_span != 1:
                    panel.styles.row_span = 1

    # pages

    @property
    def page_index(self) -> int:
        return self._bar.active if self._bar is not None else 0

    def show_page(self, index: int) -> None:
        if not self.pages:
            return
        index %= len(self.pages)
        target = self._focus_target(index)
        ready = target is not None and target.is_mounted
        if not ready:
            # Let go of the old page's panel first: a focused widget that is hidden makes
            # Textual pass the focus along the chain, racing the focus set once it mounts.
            self.set_focus(None)
        self.open_page(index)
        self._switch_to(index)
        # The pane's own layout request reaches the screen only after a frame of the old
        # page has been painted again: ask for the layout here, so the switch is one frame.
        self.refresh(repaint=False, layout=True)
        if ready and target is not None:
            self.set_focus(target)  # one focus change (each repaints the screen), not two
        else:
            self.focus_page_panel(index)

    def _focus_target(self, index: int) -> Panel | None:
        panels = self.pages[index][1]
        return self._last_focus.get(index) or (panels[0] if panels else None)

    def focus_page_panel(self, index: int) -> None:
        if not self.pages:
            return
        target = self._focus_target(index)
        if target is not None:
            self.call_after_refresh(self._focus_if_shown, index, target)

    def _focus_if_shown(self, index: int, panel: Panel) -> None:
        # Focusing a panel on a hidden tab would switch back to that tab: a late focus
        # from a page the user already left must not.
        if self.page_index != index:
            return
        if panel.is_mounted:
            self.set_focus(panel)  # now: a deferred focus could land after a page switch
        else:
            panel.focus()

    def _switch_to(self, index: int) -> None:
        """Show page ``index``'s pane and mark its tab."""
        if self._bar is not None:
            self._bar.show(index)
            self.query_one(ContentSwitcher).current = f"page-{index}"

    def on_page_bar_clicked(self, event: PageBar.Clicked) -> None:
        if event.index != self.page_index:
            self.show_page(event.index)

    def on_descendant_focus(self) -> None:
        focused = self.focused
        if isinstance(focused, Panel) and (index := self._page_of.get(focused)) is not None:
            self._last_focus[index] = focused

    def action_next_page(self) -> None:
        self.show_page(self.page_index + 1)

    def action_prev_page(self) -> None:
        self.show_page(self.page_index - 1)

    def _show_picker_key(self, shown: bool) -> None:
        binding = next(iter(self._bindings.key_to_bindings.get("g", [])), None)
        if binding is not None and binding.show != shown:
            self._bindings.key_to_bindings["g"] = [dataclasses.replace(binding, show=shown)]
            self.refresh_bindings()

    def action_pick_page(self) -> None:
        """The page picker: every page, filtered as one types; Enter shows the one chosen."""
        pages = [page for page, _ in self.pages]
        picker = PagePicker(pages, self.page_index if self.pages else 0, self.ctx.lang)
        self.app.push_screen(picker, self._picked)

    def _picked(self, index: int | None) -> None:
        if index is not None:
            self.show_page(index)

    def action_page(self, index: int) -> None:
        if index < len(self.pages):
            self.show_page(index)

    def action_page_key(self, key: int) -> None:
        """A number key: 0 the overview, 1-9 the configured pages."""
        if key in self.page_keys:
            self.show_page(self.page_keys[key])

    def focus_panel(self, panel: Panel) -> None:
        index = self._page_of.get(panel)
        if index is not None:
            self._last_focus[index] = panel
            self.open_page(index)
            self._switch_to(index)
            self.call_after_refresh(self._focus_if_shown, index, panel)

    # panels

    def action_detail(self) -> None:
        # The focus follows a page switch one refresh later; Enter pressed in between means
        # the page on screen, never a panel left behind on a hidden one.
        shown = self.pages[self.page_index][1] if self.pages else []
        panel = self.focused if isinstance(self.focused, Panel) else None
        if panel not in shown:
            panel = self._last_focus.get(self.page_index) or (shown[0] if shown else None)
        if panel is not None:
            panel.action_detail()

    def action_move(self, dx: int, dy: int) -> None:
        self.move_focus(dx, dy)

    def move_focus(self, dx: int, dy: int) -> None:
        """Focus the nearest panel in a direction on the current page, by on-screen position."""
        panels = self.pages[self.page_index][1] if self.pages else []
        current = self.focused if isinstance(self.focused, Panel) else None
        if current is None or current not in panels:
            if panels:
                panels[0].focus()
            return
        here = current.virtual_region
        cx, cy = here.x + here.width / 2, here.y + here.height / 2
        best: tuple[tuple[int, float], Panel] | None = None
        for panel in panels:
            if panel is current:
                continue
            r = panel.virtual_region
            px, py = r.x + r.width / 2, r.y + r.height / 2
            along = (px - cx) * dx + (py - cy) * dy
            if along <= 0:
                continue
            # Panels level with this one (sharing rows for a sideways move, columns for an
            # up/down move) come first; then the nearest, sideways distance counting double.
            if dx:
                level = r.y < here.bottom and here.y < r.bottom
            else:
                level = r.x < here.right and here.x < r.right
            across = abs((px - cx) * dy) + abs((py - cy) * dx)
            score = (0 if level else 1, along + 2 * across)
            if best is None or score < best[0]:
                best = (score, panel)
        if best is not None:
            best[1].focus()
            best[1].scroll_visible(animate=False)


__all__ = [  # the layout arithmetic lives in page_layout; tests and callers find it here too
    "DashboardScreen",
    "dashboard_bindings",
    "dashboard_screen_class",
    "max_columns",
    "pack",
    "page_columns",
    "row_heights",
    "split_screenful",
]
