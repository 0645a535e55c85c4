"""The screens' header: Textual's, made safe to recompose under a title change.

Textual's ``Header`` watches the app's and the screen's title and sub-title and, when one
changes, looks up its ``HeaderTitle`` child. A screen that recomposes (the dashboard on a
config reload) removes the old header's children while such a change may still be on its
way (the alerts badge sets the sub-title as figures arrive): the lookup then raised
``NoMatches`` and ended the app. Here a header whose title child has gone ignores it.
"""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class SteadyHeader(Header):
    """``Header(show_clock=False, icon="")`` that survives losing its title child."""

    def __init__(self) -> None:
        super().__init__(show_clock=False, icon="")

    def _on_mount(self, event: Mount) -> None:
        # Replaces Header's own handler (which would install the unguarded watchers);
        # Widget's (scrollbars) does not apply to a header.
        event.prevent_default()

        def set_title() -> None:
            # At once, in the change's own tick (an async watcher runs a message later, and
            # the sub-title is no longer drawn by a whole-screen repaint). Removed by a
            # recompose: the new header shows the title.
            with contextlib.suppress(NoScreen, NoMatches):
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
