"""The alerts screen: state, since, figure, rule and acknowledgement; Enter opens the indicator,
``a`` acknowledges with a reason (operators only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from lishi_tui.alerts.config import MAX_DURATION
from lishi_tui.alerts.wording import word
from lishi_tui.app.data import AppData
from lishi_tui.app.formatting import clean
from lishi_tui.app.i18n import t
from lishi_tui.app.screens.plugins import short_when
from lishi_tui.app.widgets.alert_badge import AlertRow
from lishi_tui.app.widgets.header import SteadyHeader
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.config.durations import parse_duration


class AlertActions(Protocol):
    """What the screen asks of the app (the app is one)."""

    def open_detail(self, indicator_id: str) -> None: ...

    def acknowledge(self, alert_id: str, reason: str) -> None: ...

    def silence(self, alert_id: str, duration: timedelta, reason: str) -> None: ...

    def allowed(self, permission: str) -> bool: ...


# At 80 columns every column but the rule fits; the rule is in full on the line below.
COLUMNS = (
    "alerts.col.severity",
    "alerts.col.state",
    "alerts.col.subject",
    "alerts.col.figure",
    "alerts.col.since",
    "alerts.col.ack",
    "alerts.col.rule",
)
CAPS = {"alerts.col.subject": 16, "alerts.col.figure": 14, "alerts.col.rule": 14}
_Answer = TypeVar("_Answer")
STATE_MARK = {"firing": "●", "recovering": "◐", "pending": "○", "nodata": "?", "error": "✕"}


def alerts_bindings(lang: str) -> list[BindingType]:
    return [
        Binding("escape", "app.pop_screen", t("binding.back", lang)),
        Binding("enter", "open", t("binding.detail", lang)),
        Binding("a", "ack", t("alerts.binding.ack", lang)),
        Binding("s", "silence", t("alerts.binding.silence", lang)),
        Binding("q", "app.quit", t("binding.quit", lang)),
    ]


@cache
def alerts_screen_class(lang: str) -> type[AlertsScreen]:
    """An AlertsScreen whose bindings speak ``lang`` (Textual binds at class level)."""
    return type(f"AlertsScreen_{lang}", (AlertsScreen,), {"BINDINGS": alerts_bindings(lang)})


class AlertsScreen(Screen[None]):
    """Every alert not back to normal, most severe first; the line below shows one in full."""

    def __init__(self, data: AppData, rows: Sequence[AlertRow], actions: AlertActions) -> None:
        super().__init__()
        self.data = data
        self.actions = actions
        self.rows: tuple[AlertRow, ...] = tuple(rows)
        self._ready = False  # columns added (show() before on_mount only keeps the rows)

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        with Vertical(id="alerts"):
            yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="alerts-detail", classes="row-detail")
        yield KeyLine()

    def on_mount(self) -> None:
        lang = self.data.lang
        self.title = t("alerts.title", lang)
        table = self.query_one("#alerts-table", DataTable)
        for key in COLUMNS:
            table.add_column(t(key, lang), key=key, width=CAPS.get(key))
        self._ready = True
        self.show(self.rows)
        table.focus()

    def show(self, rows: Sequence[AlertRow]) -> None:
        """Redraw with ``rows``, keeping the highlighted alert where it still exists."""
        self.rows = tuple(rows)
        if not self._ready:
            return
        lang = self.data.lang
        table = self.query_one("#alerts-table", DataTable)
        keep = self.selected()
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row, lang), key=row.record.id)
        if keep is not None:
            ids = [r.record.id for r in self.rows]
            if keep.record.id in ids:
                table.move_cursor(row=ids.index(keep.record.id))
        self._describe()

    def _cells(self, row: AlertRow, lang: str) -> list[Text]:
        rec = row.record
        state = rec.state.value
        severity = Text(word(f"severity.{rec.severity}", lang))
        if rec.severity == "critical":
            severity.stylize("bold red")
        shown_state = f"{STATE_MARK.get(state, '')} {word(f'state.{state}', lang)}"
        ind = self.data.config.indicators.get(rec.indicator_id or "")
        subject = ind.name(lang) if ind else rec.subject
        if rec.demo:
            subject = f"[{word('demo', lang)}] {subject}"
        figure = "—"
        if rec.value is not None:
            unit = ind.unit_label(lang) if ind else ""
            figure = f"{rec.value:g}{' ' + unit if unit else ''} {rec.period_label or ''}".strip()
        ack = word("acked", lang) if row.acknowledged else ""
        if row.silenced_until is not None:
            ack = (ack + " " if ack else "") + word("silenced", lang)
        return [
            severity,
            Text(shown_state),
            Text(clean(subject)),
            Text(clean(figure)),
            Text(short_when(rec.instance.since, lang)),
            Text(ack),
            Text(clean(rec.rule_id)),
        ]

    def selected(self) -> AlertRow | None:
        if not self.rows:
            return None
        table = self.query_one("#alerts-table", DataTable)
        index = table.cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._describe()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open()  # Enter on a row

    def _describe(self) -> None:
        lang = self.data.lang
        detail = self.query_one("#alerts-detail", Static)
        row = self.selected()
        if row is None:
            detail.update(Text(t("alerts.none", lang)))
            return
        rec = row.record
        parts = [rec.rule_text, rec.detail]
        if rec.source:
            parts.append(f"{word('source', lang)} {rec.source}")
        if row.acknowledged:
            parts.append(
                t(
                    "alerts.acked_by",
                    lang,
                    who=row.acked_by,
                    when=short_when(row.acked_at, lang),
                    reason=row.ack_reason or "",
                )
            )
        if row.silenced_until is not None:
            parts.append(
                t("alerts.silenced_until", lang, when=short_when(row.silenced_until, lang))
            )
        detail.update(Text(clean(" · ".join(p for p in parts if p))))

    def action_open(self) -> None:
        row = self.selected()
        if row is not None and row.record.indicator_id:
            self.actions.open_detail(row.record.indicator_id)

    def action_ack(self) -> None:
        row = self.selected()
        if row is None or not self.actions.allowed("acknowledge"):
            return
        alert_id = row.record.id

        def done(reason: str | None) -> None:
            if reason:
                self.actions.acknowledge(alert_id, reason)

        self.app.push_screen(AckScreen(alert_id, self.data.lang), done)

    def action_silence(self) -> None:
        row = self.selected()
        if row is None or not self.actions.allowed("acknowledge"):
            return
        alert_id = row.record.id

        def done(answer: tuple[timedelta, str] | None) -> None:
            if answer is not None:
                self.actions.silence(alert_id, *answer)

        self.app.push_screen(SilenceScreen(alert_id, self.data.lang), done)


class _AlertBox(ModalScreen[_Answer | None], Generic[_Answer]):
    """A small box about one alert; Escape leaves it with nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, alert_id: str, lang: str) -> None:
        super().__init__()
        self.alert_id = alert_id
        self.lang = lang

    def action_cancel(self) -> None:
        self.dismiss(None)


class AckScreen(_AlertBox[str]):
    """Asks why an alert is acknowledged: Enter records it, Escape leaves it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="ack-box"):
            yield Static(Text(t("alerts.ack_prompt", self.lang, alert=clean(self.alert_id))))
            yield Input(placeholder=t("alerts.ack_placeholder", self.lang), id="ack-reason")
            yield Static(Text(t("alerts.ack_keys", self.lang), "dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if reason:
            self.dismiss(reason)


class SilenceScreen(_AlertBox[tuple[timedelta, str]]):
    """Asks how long to send nothing about an alert, and why: Enter in the reason records it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="ack-box"):
            yield Static(Text(t("alerts.silence_prompt", self.lang, alert=clean(self.alert_id))))
            yield Input(value="2h", id="silence-for")
            yield Input(placeholder=t("alerts.ack_placeholder", self.lang), id="silence-reason")
            yield Static(id="silence-error")
            yield Static(Text(t("alerts.silence_keys", self.lang), "dim"))

    def on_mount(self) -> None:
        self.query_one("#silence-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "silence-for":
            self.query_one("#silence-reason", Input).focus()
            return
        reason = event.value.strip()
        try:
            duration = parse_duration(self.query_one("#silence-for", Input).value)
        except ValueError as exc:
            self.query_one("#silence-error", Static).update(Text(clean(exc), "bold"))
            return
        if duration <= timedelta() or duration > MAX_DURATION:
            self.query_one("#silence-error", Static).update(
                Text(t("alerts.silence_range", self.lang), "bold")
            )
            return
        if reason:
            self.dismiss((duration, reason))
