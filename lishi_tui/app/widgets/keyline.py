"""The screens' footer: their keys on one line, drawn by one widget.

Textual's ``Footer`` is a scrolling container with a widget per key, each styled, laid
out and rendered on its own, and recomposed whenever the focus moves. ``KeyLine`` draws
the same line (the same theme variables, the same padding, disabled keys dim, the key
under the pointer lit) as one strip, and on a change of keys only repaints itself: the
first frame and each page switch are spared a dozen widgets' style, layout and render.

A click on a key presses it (a disabled one rings the bell), as Textual's does; a key's
tooltip shows while the pointer is over it. Keys that share an action show once, the
first; binding groups are shown as separate keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class ShownKey:
    """One key as the footer shows it, and the columns it takes."""

    key: str  # the key pressed when it is clicked
    display: str  # how it is written: "q", "⏎", "Tab"
    description: str
    action: str
    enabled: bool
    tooltip: str
    start: int  # the first column it takes
    end: int  # the column after its last


def key_parts(display: str, description: str) -> tuple[str, str]:
    """How a key is written, padded as Textual's footer pads it: the key, its description."""
    return (f" {display} ", f"{description} ") if description else (display, "")


def shown_keys(screen: Screen[object]) -> tuple[ShownKey, ...]:
    """The keys ``screen`` shows in its footer now, left to right, with their columns."""
    keys: list[ShownKey] = []
    actions: set[str] = set()
    column = 0
    for _, binding, enabled, tooltip in screen.active_bindings.values():
        if not binding.show or binding.action in actions:
            continue  # several keys for one action: the first is shown (as Textual does)
        actions.add(binding.action)
        display = screen.app.get_key_display(binding)
        end = column + cell_len("".join(key_parts(display, binding.description)))
        keys.append(
            ShownKey(
                binding.key,
                display,
                binding.description,
                binding.action,
                enabled,
                tooltip or binding.tooltip,
                column,
                end,
            )
        )
        column = end
    return tuple(keys)


class KeyLine(Widget, can_focus=False):
    """The keys of the screen it is on, on its bottom row."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keyline--key",
        "keyline--description",
        "keyline--hover",
    }
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .keyline--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keyline--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .keyline--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[ShownKey, ...] | None = None  # read at the first paint
        self._hover: ShownKey | None = None

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        """The keys shown (read from the screen's bindings if not read yet)."""
        if self._keys is None:
            self._keys = shown_keys(self.screen)
        return self._keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Repaint if the keys shown have changed (a focus that moves mostly keeps them)."""
        # While the app is not focused (the terminal lost it) no widget is focused and the
        # keys would thin out: Textual's footer keeps them too.
        if not screen.app.app_focus or screen is not self.screen:
            return
        keys = shown_keys(screen)
        if keys != self._keys:
            self._keys = keys
            self._hover = None
            self.refresh()

    def key_at(self, x: int) -> ShownKey | None:
        """The key drawn at column ``x``, if any."""
        return next((k for k in self.keys if k.start <= x < k.end), None)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        key_style = self.get_component_rich_style("keyline--key")
        text_style = self.get_component_rich_style("keyline--description")
        lit = Style(bgcolor=self.get_component_rich_style("keyline--hover").bgcolor)
        segments: list[Segment] = []
        for key in self.keys:
            styles = (key_style, text_style)
            if key is self._hover:
                styles = (key_style + lit, text_style + lit)
            if not key.enabled:
                styles = (styles[0] + Style(dim=True), styles[1] + Style(dim=True))
            written, described = key_parts(key.display, key.description)
            segments.append(Segment(written, styles[0]))
            if described:
                segments.append(Segment(described, styles[1]))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._light(self.key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._light(None)

    def _light(self, key: ShownKey | None) -> None:
        if key is not self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key and key.tooltip else None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
