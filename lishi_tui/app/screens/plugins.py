"""Plugins and sources: what loaded, what failed, and how each source's fetches are going."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from lishi_tui.app.data import AppData
from lishi_tui.app.formatting import literal
from lishi_tui.app.i18n import t
from lishi_tui.app.screens.channels import (
    CHANNEL_COLUMNS,
    CHANNEL_COLUMNS_NARROW,
    channel_rows,
    read_channel_health,
)
from lishi_tui.app.widgets.header import SteadyHeader
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.notify.api import ChannelHealth
from lishi_tui.notify.config import configured_notifiers
from lishi_tui.registry import PluginRecord, PluginState, Registry
from lishi_tui.store.base import SourceHealth


@dataclass(frozen=True)
class SourcesRead:
    """One read of the store for the plugins screen (done on a worker thread)."""

    health: Mapping[str, SourceHealth]
    last_errors: dict[str, SourceRunOutcome | None]  # by source id, in display order
    channels: Mapping[str, ChannelHealth] = field(default_factory=dict)  # by notifier id


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


# Columns per table: all of them from this width up; below it the narrow set, with the
# rest (and every error in full) in the line under the table for the highlighted row.
WIDE_FROM = 120
SOURCE_COLUMNS = (
    "col.name",
    "col.type",
    "col.state",
    "col.last_success",
    "col.last_error",
    "col.latency",
    "col.next_run",
    "col.failures",
)
SOURCE_COLUMNS_NARROW = (
    "col.name",
    "col.state",
    "col.last_success",
    "col.next_run",
    "col.failures",
)
PLUGIN_COLUMNS = ("col.name", "col.state", "col.origin", "col.provides", "col.error")
PLUGIN_COLUMNS_NARROW = ("col.name", "col.state", "col.provides")
NARROW_CAP = {"col.name": 20, "col.provides": 28}  # cells; the detail line has the rest


def short_when(moment: datetime | None, lang: str) -> str:
    """ "11-29 18:35" in Beijing time: the year is rarely news on this screen."""
    if moment is None:
        return t("none", lang)
    return moment.astimezone(CHINA_TZ).strftime("%m-%d %H:%M")


class PluginsScreen(Screen[None]):
    """Sources with last success, error, latency, next run; plugins with their errors.

    Keyboard: Tab moves between the two tables, up/down picks a row, left/right scroll a
    table sideways; the line under each table shows the picked row in full, error included.
    """

    def __init__(self, data: AppData) -> None:
        super().__init__()
        self.data = data
        self.lang = data.lang
        self.reads = 0  # store reads shown (tests wait on it)
        self._narrow: bool | None = None
        self._source_details: dict[str, Text] = {}
        self._plugin_details: dict[str, Text] = {}
        self._channel_details: dict[str, Text] = {}
        self._notifiers = configured_notifiers(data.config)  # no section when there are none

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield SteadyHeader()
        with VerticalScroll(id="plugins"):
            yield Static(Text(t("plugins.keys", lang), "dim"), id="plugins-keys")
            failures = failure_text(self.data.registry, lang)
            if failures.plain:  # first, wrapped: readable at 80 columns without a key
                yield Static(t("plugins.failures", lang), classes="section")
                yield Static(failures, id="plugins-failures", classes="row-detail")
            yield Static(t("plugins.sources", lang), classes="section")
            yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="sources-detail", classes="row-detail")
            yield Static(t("plugins.plugins", lang), classes="section")
            yield DataTable(id="plugins-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="plugins-detail", classes="row-detail")
            if self._notifiers:
                yield Static(t("plugins.channels", lang), classes="section")
                yield DataTable(id="channels-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="channels-detail", classes="row-detail")
        yield KeyLine()

    def on_mount(self) -> None:
        self.title = t("plugins.title", self.lang)
        self.reload()
        # Not scrolled to: what failed to load, above the sources, stays on the first screen.
        self.query_one("#sources-table", DataTable).focus(scroll_visible=False)
        self.set_interval(1.0, self.reload)

    def on_resize(self) -> None:
        self.reload()

    def _set_columns(self, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        lang = self.lang
        for table_id, keys in (
            ("#sources-table", SOURCE_COLUMNS_NARROW if narrow else SOURCE_COLUMNS),
            ("#plugins-table", PLUGIN_COLUMNS_NARROW if narrow else PLUGIN_COLUMNS),
            ("#channels-table", CHANNEL_COLUMNS_NARROW if narrow else CHANNEL_COLUMNS),
        ):
            if not self.query(table_id):
                continue
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            for key in keys:
                table.add_column(
                    t(key, lang), key=key, width=NARROW_CAP.get(key) if narrow else None
                )

    def reload(self) -> None:
        """Read the store again (on a worker thread); the cursor and scroll position stay put."""
        self._read()

    @work(thread=True, exclusive=True, group="plugins-read", exit_on_error=False)
    def _read(self) -> None:
        store, config = self.data.store, self.data.config
        health = store.health()
        ids = list(config.sources) + sorted(set(health) - set(config.sources))
        last_errors = {
            sid: next((r for r in store.fetch_log(sid, limit=20) if not r.ok), None) for sid in ids
        }
        channels = read_channel_health(store) if self._notifiers else {}
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, SourcesRead(health, last_errors, channels))

    def _show(self, read: SourcesRead) -> None:
        if not self.is_mounted:
            return
        self._set_columns(self.size.width < WIDE_FROM)
        sources, self._source_details = self.source_rows(read)
        plugins, self._plugin_details = self.plugin_rows()
        fill(self.query_one("#sources-table", DataTable), sources)
        fill(self.query_one("#plugins-table", DataTable), plugins)
        self.show_detail("#sources-table")
        self.show_detail("#plugins-table")
        if self._notifiers:
            channels, self._channel_details = channel_rows(
                self._notifiers, read.channels, self.lang
            )
            fill(self.query_one("#channels-table", DataTable), channels)
            self.show_detail("#channels-table")
        self.reads += 1

    def source_rows(self, read: SourcesRead) -> tuple[dict[str, dict[str, Text]], dict[str, Text]]:
        config = self.data.config
        lang = self.lang
        health = read.health
        states: Mapping[str, object] = self.data.collector_states()
        rows: dict[str, dict[str, Text]] = {}
        details: dict[str, Text] = {}
        for sid, last_error in read.last_errors.items():
            cfg = config.sources.get(sid)
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
            latency = _attr(state, "last_latency_s") if state is not None else None
            if latency is None and last is not None:
                latency = last.duration_s
            if isinstance(latency, timedelta):
                latency = latency.total_seconds()
            next_run = _attr(state, "next_run") if state is not None else None
            kind = literal(cfg.type if cfg else _attr(state, "type") or "")
            error_text = (
                literal(f"{short_when(last_error.started_at, lang)} {last_error.error}", "yellow")
                if last_error
                else Text(t("none", lang))
            )
            latency_text = Text(
                f"{latency * 1000:.0f} ms" if isinstance(latency, float | int) else t("none", lang)
            )
            rows[sid] = {
                "col.name": literal(sid),
                "col.type": kind,
                "col.state": status,
                "col.last_success": Text(short_when(h.last_success if h else None, lang)),
                "col.last_error": error_text,
                "col.latency": latency_text,
                "col.next_run": Text(
                    short_when(next_run, lang)
                    if isinstance(next_run, datetime)
                    else t("none", lang)
                ),
                "col.failures": Text(str(h.consecutive_failures if h else 0)),
            }
            details[sid] = detail_line(
                lang,
                literal(sid, "bold"),
                [
                    ("col.type", kind),
                    ("col.latency", latency_text),
                    ("col.last_error", error_text),
                ],
            )
        return rows, details

    def plugin_rows(self) -> tuple[dict[str, dict[str, Text]], dict[str, Text]]:
        lang = self.lang
        rows: dict[str, dict[str, Text]] = {}
        details: dict[str, Text] = {}
        for record in plugins_in_order(self.data.registry):
            provides = literal(
                ", ".join(
                    record.source_types
                    + record.notifiers
                    + record.panel_kinds
                    + record.export_formats
                    + record.commands
                    + record.indicators
                )
            )
            state_style = {PluginState.LOADED: "green", PluginState.FAILED: "bold reverse red"}.get(
                record.state, "dim"
            )
            origin = literal(
                f"{t(f'plugin.origin.{record.origin.value}', lang)}: {record.location}"
            )
            error = literal(record.error or "", "red")
            rows[record.name] = {
                "col.name": literal(record.name),
                "col.state": Text(t(f"plugin.state.{record.state.value}", lang), state_style),
                "col.origin": origin,
                "col.provides": provides,
                "col.error": error,
            }
            details[record.name] = detail_line(
                lang,
                literal(record.name, "bold"),
                [
                    ("col.origin", origin),
                    ("col.provides", provides),
                    ("col.error", error if record.error else Text(t("none", lang))),
                ],
            )
        return rows, details

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id:
            self.show_detail(f"#{event.data_table.id}")

    def show_detail(self, table_id: str) -> None:
        table = self.query_one(table_id, DataTable)
        details = {
            "#sources-table": self._source_details,
            "#plugins-table": self._plugin_details,
            "#channels-table": self._channel_details,
        }[table_id]
        target = table_id.replace("-table", "-detail")
        text = Text()
        if table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
            text = details.get(key or "", Text())
        self.query_one(target, Static).update(text)


def plugins_in_order(registry: Registry) -> list[PluginRecord]:
    """Failed plugins first (what needs a look), then the others in load order."""
    return sorted(registry.plugins, key=lambda p: p.state is not PluginState.FAILED)


def failure_notice(registry: Registry, lang: str) -> str | None:
    """The one-line notice at start when plugins failed (stderr is wiped by the dashboard)."""
    failed = [p.name for p in registry.plugins if p.state is PluginState.FAILED]
    if not failed:
        return None
    names = literal(("、" if lang == "zh" else ", ").join(failed)).plain
    return t("plugins.failed_notice", lang, n=len(failed), names=names)


def failure_text(registry: Registry, lang: str) -> Text:
    """Every failed plugin with its whole error, one paragraph each (the screen wraps them)."""
    out = Text()
    for record in plugins_in_order(registry):
        if record.state is not PluginState.FAILED:
            continue
        if out.plain:
            out.append("\n")
        out.append("✗ ", "bold red")
        out.append_text(literal(record.name, "bold"))
        out.append(f"  {t(f'plugin.origin.{record.origin.value}', lang)}: ", "dim")
        out.append_text(literal(record.location))
        out.append("\n  ")
        out.append_text(literal(record.error or t("none", lang), "red"))
    return out


def detail_line(lang: str, name: Text, fields: list[tuple[str, Text]]) -> Text:
    """The highlighted row in full, wrapped: what the narrow columns leave out."""
    out = Text("▸ ")
    out.append_text(name)
    for key, value in fields:
        out.append(f"  {t(key, lang)}: ", "dim")
        out.append_text(value)
    return out


def fill(table: DataTable[Text], rows: dict[str, dict[str, Text]]) -> None:
    """Put ``rows`` (by key, then column key) in the table without losing cursor or scroll."""
    columns = [str(c.value) for c in table.columns]
    same_rows = [str(r.value) for r in table.rows] == list(rows)
    if same_rows:
        # In place: clear() would send the cursor and the sideways scroll back to the start
        # every second, and the user could never read the far columns.
        for key, cells in rows.items():
            for column in columns:
                table.update_cell(key, column, cells[column])
        return
    cursor_key: str | None = None
    if table.row_count:
        cursor_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
    scroll_x = table.scroll_x
    table.clear()
    for key, cells in rows.items():
        table.add_row(*(cells[c] for c in columns), key=key)
    if cursor_key in rows:
        table.move_cursor(row=list(rows).index(cursor_key), animate=False)
    table.scroll_x = scroll_x
