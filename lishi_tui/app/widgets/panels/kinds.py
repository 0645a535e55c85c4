"""Panel kinds from the plugin registry: building a page's panel by its ``kind``, each one isolated.

Every kind, the built-in ones too, comes from ``lishi_register_panel_kinds``. A panel is built
as a subclass of the plugin's widget whose own code (building, ``body``, taking new figures,
``compose``, ``natural_height``) runs inside a guard: what it raises becomes a readable error
in the panel's frame, and the plugin's record (the plugins screen, ``lishi-tui plugins``)
names it. The rest of the dashboard goes on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.widget import Widget

from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.panels.base import Panel
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.config.schema import PanelConfig
from lishi_tui.domain.model import Indicator
from lishi_tui.panel_api import PanelType
from lishi_tui.registry import PluginRecord, PluginState, Registry
from lishi_tui.text import clean

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """``ValueError: bad (panel.py:12)``: the type, the message and the innermost frame."""
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        text += f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})"
    return clean(text, single_line=True, limit=300)


class PanelFailed(Panel):
    """A panel whose kind could not be built: its frame, title and what went wrong."""

    def __init__(
        self,
        config: PanelConfig,
        indicators: Sequence[Indicator],
        ctx: PanelContext,
        *,
        error: str,
    ) -> None:
        super().__init__(config, indicators, ctx)
        self.error = error
        self.add_class("-failing", "-plugin-error")

    def body(self, width: int) -> RenderableType:
        return error_text(self.config.kind, self.error, self.ctx.lang)


def error_text(kind: str, error: str, lang: str) -> Text:
    text = Text(t("panel.plugin_error", lang).format(kind=clean(kind)), "bold red")
    text.append("\n")
    text.append(error)  # Text.append: the message is shown literally, never read as markup
    return text


class GuardedPanel:
    """What a guarded panel adds: its failure, its plugin's record, and ``fail``.

    Not a widget: ``guarded_class`` puts it after the plugin's class, because Textual takes
    a widget's CSS type names and default CSS from its first base only (so ``ChartPanel``
    rules still match the guarded chart).
    """

    plugin_record: PluginRecord | None = None  # whose kind this is (set by make_panel)
    failure: str | None = None

    def fail(self, exc: BaseException, during: str) -> None:
        """Show ``exc`` in this panel's frame from now on, and record it on the plugin."""
        panel: Any = self
        if self.failure is not None:
            return
        self.failure = f"{during}: {describe(exc)}"
        log.warning("panel kind %r failed %s", panel.config.kind, self.failure)
        record = self.plugin_record
        if record is not None:
            message = f"panel kind {panel.config.kind!r} {self.failure}"
            if message not in record.errors:
                record.errors.append(message)
            record.state = PluginState.FAILED
        panel.add_class("-failing", "-plugin-error")
        panel._shown = None
        if panel.is_mounted:
            for child in list(panel.children):
                child.remove()
            panel.refresh(layout=True)


def _renderable(value: object) -> bool:
    return (
        isinstance(value, Text) or hasattr(value, "__rich_console__") or hasattr(value, "__rich__")
    )


@cache
def guarded_class(cls: type[Panel]) -> type[Panel]:
    """``cls`` with its own code guarded: a subclass built once per widget class."""
    if issubclass(cls, GuardedPanel):
        return cls

    class Guarded(cls, GuardedPanel):  # type: ignore[valid-type, misc]
        def render(self) -> RenderResult:
            if self.failure is None:
                try:
                    return super().render()  # type: ignore[no-any-return]
                except Exception as exc:
                    self.fail(exc, "drawing")
            return error_text(self.config.kind, self.failure or "", self.ctx.lang)

        def body(self, width: int) -> RenderableType | None:
            if self.failure is not None:
                return error_text(self.config.kind, self.failure, self.ctx.lang)
            body = super().body(width)
            if isinstance(body, str):
                return Text(body)  # a plugin's string is text, never markup
            if body is not None and not _renderable(body):
                raise TypeError(f"body() returned {type(body).__name__}, not text or a renderable")
            return body  # type: ignore[no-any-return]

        def update_views(self, views: dict[str, IndicatorView]) -> None:
            if self.failure is not None:
                return
            try:
                super().update_views(views)
            except Exception as exc:
                self.fail(exc, "taking new figures")

        def natural_height(self) -> int:
            if self.failure is None:
                try:
                    height = super().natural_height()
                    if isinstance(height, int) and height > 0:
                        return height
                    raise TypeError(f"natural_height() returned {height!r}, not a positive int")
                except Exception as exc:
                    self.fail(exc, "sizing")
            return Panel.NATURAL_HEIGHT

        def compose(self) -> ComposeResult:
            try:
                children: list[Widget] = list(super().compose())
            except Exception as exc:
                self.fail(exc, "composing")
                children = []
            yield from children

    Guarded.__name__ = cls.__name__
    Guarded.__qualname__ = cls.__qualname__
    Guarded.__module__ = cls.__module__
    Guarded._css_type_name = cls._css_type_name  # CSS and snapshots see the plugin's class
    return Guarded


def make_panel(
    config: PanelConfig,
    indicators: Sequence[Indicator],
    ctx: PanelContext,
    kinds: Mapping[str, PanelType],
    registry: Registry | None = None,
) -> Panel:
    """The panel ``config.kind`` names, showing ``indicators``; a ``PanelFailed`` panel saying
    why if the kind is unknown or its plugin's widget cannot be built."""
    panel_type = kinds.get(config.kind)
    if panel_type is None:
        known = ", ".join(sorted(kinds)) or "—"
        error = f"unknown panel kind {config.kind!r} (registered: {known})"
        return PanelFailed(config, indicators, ctx, error=error)
    record = _record(registry, config.kind)
    try:
        cls = guarded_class(panel_type.widget_class())
        panel = cls(config, indicators, ctx)
    except Exception as exc:
        error = f"building: {describe(exc)}"
        if record is not None and error not in record.errors:
            record.errors.append(f"panel kind {config.kind!r} {error}")
            record.state = PluginState.FAILED
        return PanelFailed(config, indicators, ctx, error=error)
    if isinstance(panel, GuardedPanel):
        panel.plugin_record = record
    return panel


def _record(registry: Registry | None, kind: str) -> PluginRecord | None:
    if registry is None:
        return None
    owner = registry.panel_type_owner.get(kind)
    return registry.plugin(owner) if owner else None
