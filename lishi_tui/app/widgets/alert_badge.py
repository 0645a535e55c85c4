"""The dashboard's view of alerts: read off the UI thread, a header badge, marked panels.

The collector evaluates and stores alerts; a dashboard only reads them (on the store
watcher's thread, after a commit: ``lishi_tui.app.polling``) and, when they changed,
shows them: counts by severity in the header of every screen, a heavy border on panels
whose indicator has an alert firing, and the rows of the alerts screen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.message import Message

from lishi_tui.app.i18n import t
from lishi_tui.store.base import Store
from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.alerts.records import AlertRecord
    from lishi_tui.alerts.stored import StoreRepository
    from lishi_tui.app.app import LishiApp

ALERTING_CLASS = "-alerting"


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert as the dashboard shows it."""

    record: AlertRecord
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_reason: str | None = None
    silenced_until: datetime | None = None

    @property
    def firing(self) -> bool:
        # The alerts modules are imported by the worker that reads alerts, not by the app's
        # first frame.
        from lishi_tui.alerts.state import outward

        return outward(self.record.state) is not None

    @property
    def acknowledged(self) -> bool:
        return self.acked_by is not None


@dataclass
class AlertsRead(Message):
    """The alerts were read from the store (in a worker thread)."""

    rows: tuple[AlertRow, ...]


def read_rows(store: Store, now: datetime) -> tuple[AlertRow, ...]:
    """Active alerts (not Normal), most severe first; none before any collector made the tables."""
    from lishi_tui.alerts.records import acknowledged
    from lishi_tui.alerts.rules import Severity
    from lishi_tui.alerts.stored import StoreRepository, tables_exist

    if not tables_exist(store):
        return ()  # a read-only viewer never creates tables
    repo = StoreRepository(store, create=False)
    acks = repo.acks()
    silences = repo.silences(now)
    order = {s.value: n for n, s in enumerate(Severity)}
    rows: list[AlertRow] = []
    for rec in repo.alerts().values():
        if not rec.active:
            continue
        ack = acks.get(rec.id)
        ok = acknowledged(rec, ack)
        until = max((s.until for s in silences if s.covers(rec, now)), default=None)
        rows.append(
            AlertRow(
                rec,
                acked_by=ack.by if ok and ack else None,
                acked_at=ack.at if ok and ack else None,
                ack_reason=ack.reason if ok and ack else None,
                silenced_until=until,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.firing,
            order.get(r.record.severity, 9),
            r.record.instance.since or now,
        )
    )
    return tuple(rows)


def badge_text(rows: Sequence[AlertRow], lang: str) -> str:
    """ "⚠ 严重 1 · 警告 2" for the alerts firing (NoData and Error count too); "" for none."""
    counts: dict[str, int] = {}
    demo = 0
    for row in rows:
        if row.firing:
            counts[row.record.severity] = counts.get(row.record.severity, 0) + 1
            demo += row.record.demo
    if not counts:
        return ""
    from lishi_tui.alerts.rules import Severity
    from lishi_tui.alerts.wording import word

    parts = [
        f"{word(f'severity.{s.value}', lang)} {counts[s.value]}"
        for s in Severity
        if s.value in counts
    ]
    text = "⚠ " + " · ".join(parts)
    if demo:
        text += f" ({word('demo', lang)} {demo})"
    return text


class AlertWatch:
    """Keeps the app's alert rows, badge and panel marks in step with the store."""

    def __init__(self, app: LishiApp, base_subtitle: str) -> None:
        self.app = app
        self.base_subtitle = base_subtitle
        self.rows: tuple[AlertRow, ...] = ()
        self.reads = 0  # completed reads (tests wait on it)

    def _read(self) -> None:
        try:
            rows = read_rows(self.app.store, self.app.clock())
        except Exception as exc:  # a store hiccup: keep what is shown, try at the next commit
            self.app.log.error(f"reading alerts failed: {exc!r}")
            return
        self.app.post_message(AlertsRead(rows))

    def set_base_subtitle(self, subtitle: str) -> None:
        """The header's words before the badge changed (the collector's state)."""
        self.base_subtitle = subtitle
        self._show_badge()

    def _show_badge(self) -> None:
        badge = badge_text(self.rows, self.app.lang)
        subtitle = f"{self.base_subtitle} · {badge}" if badge else self.base_subtitle
        if subtitle != self.app.sub_title:
            self.app.sub_title = subtitle

    def apply(self, message: AlertsRead) -> None:
        self.rows = message.rows
        self.reads += 1
        self._show_badge()
        firing = {r.record.indicator_id for r in self.rows if r.firing and r.record.indicator_id}
        for panel in self.app.dashboard.panels:
            panel.set_class(bool(firing & set(panel.indicator_ids)), ALERTING_CLASS)
        # The alerts screen's module imports this one, and DataTable and Input: not loaded
        # yet, no alerts screen is open (nor imported on the loop after the first frame).
        screens = sys.modules.get("lishi_tui.app.screens.alerts")
        if screens is None:
            return
        for screen in self.app.screen_stack:
            if isinstance(screen, screens.AlertsScreen):
                screen.show(self.rows)

    def open_screen(self) -> None:
        """Show the alerts screen (once; it follows later reads by itself)."""
        from lishi_tui.app.screens.alerts import AlertsScreen, alerts_screen_class

        if not isinstance(self.app.screen, AlertsScreen):
            self.app.push_screen(
                alerts_screen_class(self.app.lang)(self.app.data, self.rows, self.app)
            )

    def acknowledge(self, alert_id: str, reason: str) -> None:
        """Record an ack with this session's account, in a thread worker, then re-read."""
        from lishi_tui.alerts.records import Ack

        now = self.app.clock()
        ack = Ack(alert_id, now, self.app.account, clean(reason, single_line=True, limit=500))
        self._write(
            lambda repo: repo.add_ack(ack), t("alerts.acked", self.app.lang, alert=clean(alert_id))
        )

    def silence(self, target: str, duration: timedelta, reason: str) -> None:
        """Record a silence with this session's account, in a thread worker, then re-read."""
        from lishi_tui.alerts.records import Silence

        now = self.app.clock()
        silence = Silence(
            target,
            now,
            now + duration,
            self.app.account,
            clean(reason, single_line=True, limit=500),
        )
        self._write(
            lambda repo: repo.add_silence(silence),
            t("alerts.silenced", self.app.lang, alert=clean(target)),
        )

    def _write(self, change: Callable[[StoreRepository], None], done: str) -> None:
        if not self.app.allowed("acknowledge"):
            return

        def write() -> None:
            from lishi_tui.alerts.stored import StoreRepository

            try:
                change(StoreRepository(self.app.store))
            except Exception as exc:
                self.app.call_from_thread(
                    self.app.notify, clean(f"alerts: {exc}"), severity="error", markup=False
                )
                return
            self.app.call_from_thread(self.app.notify, done, markup=False)
            self._read()

        self.app.run_worker(write, thread=True, group="alerts-write", exit_on_error=False)
