"""Plugins and sources: what loaded, what failed, and how each source's fetches are going."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from lishi_tui.app.formatting import literal
from lishi_tui.app.i18n import t
from lishi_tui.app.screens.detail import when
from lishi_tui.registry import PluginState

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp


def _attr(obj: object, *names: str) -> object:
    """The first attribute of a collector's source state that exists (its fields may grow)."""
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def plugins_bindings(lang: str) -> list[BindingType]:
    """The plugins screen's keys, described in the UI language (the footer shows them)."""
    return [
        Binding("escape", "app.pop_screen", t("binding.back", lang)),
        Binding("r", "app.refresh_now", t("binding.refresh", lang)),
        Binding("q", "app.quit", t("binding.quit", lang)),
    ]


@cache
def plugins_screen_class(lang: str) -> type[PluginsScreen]:
    """A PluginsScreen whose bindings speak ``lang`` (Textual binds at class level)."""
    return type(f"PluginsScreen_{lang}", (PluginsScreen,), {"BINDINGS": plugins_bindings(lang)})


class PluginsScreen(Screen[None]):
    """Two tables: plugins with their errors, sources with last success, error, latency, next run."""

    @property
    def lishi(self) -> LishiApp:
        from lishi_tui.app.app import LishiApp

        assert isinstance(self.app, LishiApp)
        return self.app

    def compose(self) -> ComposeResult:
        lang = self.lishi.lang
        yield Header(show_clock=False, icon="")
        with VerticalScroll(id="plugins"):
            yield Static(t("plugins.sources", lang), classes="section")
            yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
            yield Static(t("plugins.plugins", lang), classes="section")
            yield DataTable(id="plugins-table", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        lang = self.lishi.lang
        self.title = t("plugins.title", lang)
        sources = self.query_one("#sources-table", DataTable)
        for key in (
            "col.name",
            "col.type",
            "col.state",
            "col.last_success",
            "col.last_error",
            "col.latency",
            "col.next_run",
            "col.failures",
        ):
            sources.add_column(t(key, lang), key=key)
        plugins = self.query_one("#plugins-table", DataTable)
        for key in ("col.name", "col.state", "col.origin", "col.provides", "col.error"):
            plugins.add_column(t(key, lang), key=key)
        self.reload()
        self.set_interval(1.0, self.reload)

    def reload(self) -> None:
        app = self.lishi
        lang = app.lang
        sources = self.query_one("#sources-table", DataTable)
        sources.clear()
        health = app.store.health()
        states: Mapping[str, object] = app.collector.states() if app.collector is not None else {}
        ids = list(app.config.sources) + sorted(set(health) - set(app.config.sources))
        for sid in ids:
            cfg = app.config.sources.get(sid)
            h = health.get(sid)
            state = states.get(sid)
            last = h.last_run if h else None
            if cfg is not None and not cfg.enabled:
                status = Text(t("state.disabled", lang), "dim")
            elif last is None:
                status = Text(t("state.never", lang), "dim")
            elif last.ok:
                status = Text(t("state.ok", lang), "green")
            else:
                status = Text(t("state.failing", lang), "bold reverse yellow")
            last_error = next((r for r in app.store.fetch_log(sid, limit=20) if not r.ok), None)
            latency = _attr(state, "last_latency", "latency") if state is not None else None
            if latency is None and last is not None:
                latency = last.duration_s
            if isinstance(latency, timedelta):
                latency = latency.total_seconds()
            next_run = _attr(state, "next_run") if state is not None else None
            sources.add_row(
                literal(sid),
                literal(cfg.type if cfg else _attr(state, "type") or ""),
                status,
                Text(when(h.last_success if h else None, lang)),
                literal(
                    f"{when(last_error.started_at, lang)} {last_error.error}"
                    if last_error
                    else t("none", lang),
                    "yellow" if last_error else "",
                ),
                Text(
                    f"{latency * 1000:.0f} ms"
                    if isinstance(latency, float | int)
                    else t("none", lang)
                ),
                Text(when(next_run, lang) if isinstance(next_run, datetime) else t("none", lang)),
                Text(str(h.consecutive_failures if h else 0)),
            )
        plugins = self.query_one("#plugins-table", DataTable)
        plugins.clear()
        for record in app.registry.plugins:
            provides = ", ".join(record.source_types + record.indicators)
            state_style = {PluginState.LOADED: "green", PluginState.FAILED: "bold reverse red"}.get(
                record.state, "dim"
            )
            plugins.add_row(
                literal(record.name),
                Text(record.state.value, state_style),
                literal(f"{record.origin.value}: {record.location}"),
                literal(provides),
                literal(record.error or "", "red"),
            )
