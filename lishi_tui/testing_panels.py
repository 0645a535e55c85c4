"""Drawing one panel kind in a real Textual app, for a panel plugin's tests (``lishi_plugin.panel``).

The panel is built by the same ``make_panel`` the dashboard uses, from a registry the harness
loaded, handed an ``IndicatorView`` of the given readings as the dashboard would hand it, and
drawn under ``App.run_test``. What comes back is the screen as text, one line per row.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from lishi_tui.config.schema import PanelConfig
from lishi_tui.domain.model import Indicator, Observation, Reading
from lishi_tui.registry import Registry


def render_panel(
    registry: Registry,
    kind: str,
    indicator: Indicator,
    readings: Sequence[Reading],
    *,
    size: tuple[int, int] = (60, 10),
    lang: str = "zh",
    now: datetime | None = None,
    title: str = "",
) -> str:
    """The screen, as text, of an app showing one ``kind`` panel of ``indicator``'s ``readings``."""
    if kind not in registry.panel_types:
        raise KeyError(f"no panel kind {kind!r}; have {sorted(registry.panel_types)}")
    clock = now or datetime.now(UTC)

    def draw() -> str:  # a loop of its own: the caller may be inside one (an async test)
        return asyncio.run(_draw(registry, kind, indicator, readings, size, lang, clock, title))

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(draw).result()


async def _draw(
    registry: Registry,
    kind: str,
    indicator: Indicator,
    readings: Sequence[Reading],
    size: tuple[int, int],
    lang: str,
    now: datetime,
    title: str,
) -> str:
    from rich.console import Console
    from textual.app import App, ComposeResult

    from lishi_tui.app.snapshot import _with_status
    from lishi_tui.app.widgets.panels import PanelContext, make_panel

    ctx = PanelContext(lang, True, lambda: now)
    config = PanelConfig(kind, (indicator.id,), title=title)
    panel = make_panel(config, [indicator], ctx, registry.panel_types, registry)
    observations = sorted(
        (Observation(r, source="test", fetched_at=now) for r in readings),
        key=lambda o: o.period.start,
    )
    latest = next((o for o in reversed(observations) if o.value is not None), None)
    earlier = [
        o for o in observations if latest is not None and o.period.start < latest.period.start
    ]
    view = _with_status(
        indicator, latest, earlier[-1] if earlier else None, tuple(observations), now, {}, 1
    )

    class OnePanel(App[None]):
        CSS = "Screen { layout: vertical; } .panel { border: round $primary; height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield panel

        def on_mount(self) -> None:
            panel.update_views({indicator.id: view})

    app = OnePanel()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        width, height = app.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(app.screen._compositor.render_update(full=True))
        return console.export_text()
