"""The screens' header: Textual's header line, drawn by one widget.

Textual's ``Header`` is four widgets (the header, an icon, the title and a clock's space),
each styled, laid out and rendered as a screen starts; and it looks up its title child
whenever a title changes, which raised ``NoMatches`` (and ended the app) when a change came
while a recompose had removed that child. ``SteadyHeader`` draws the same line (the title
centred between the icon's 8 columns and the clock's 10, cut with an ellipsis, the
sub-title dim after " — ") from the title itself, and has no child to lose.

As on Textual's, a click on the icon's columns opens the command palette and a click
elsewhere makes the header three rows tall (and back).
"""

from __future__ import annotations

from textual.content import Content
from textual.events import Click
from textual.widget import Widget

ICON_COLUMNS = 8  # Textual's header icon: docked left, 8 wide
CLOCK_COLUMNS = 10  # and its clock's space: docked right, 10 wide


class SteadyHeader(Widget):
    """The title and sub-title of the screen (or else the app), on the top row."""

    DEFAULT_CSS = f"""
    SteadyHeader {{
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 {CLOCK_COLUMNS} 0 {ICON_COLUMNS};
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }}
    SteadyHeader.-tall {{
        height: 3;
    }}
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            # At once, in the change's own tick: the sub-title (the collector's state, the
            # alerts badge) is not otherwise drawn until the screen repaints whole.
            self.watch(node, "title", self._retitled, init=False)
            self.watch(node, "sub_title", self._retitled, init=False)

    def _retitled(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)

    async def _on_click(self, event: Click) -> None:
        if event.x < ICON_COLUMNS:
            if self.app.ENABLE_COMMAND_PALETTE:
                await self.run_action("app.command_palette")
        else:
            self.toggle_class("-tall")
