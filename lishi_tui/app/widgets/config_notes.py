"""The detail screen's config sections: an indicator's annotations (text, author, time) and
its config history (the audit trail's rows for it, read on a worker thread)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import get_current_worker

from lishi_tui.app.data import AppData
from lishi_tui.app.formatting import literal
from lishi_tui.app.i18n import t
from lishi_tui.config import audit
from lishi_tui.config.lines import format_key_path
from lishi_tui.domain.model import Annotation
from lishi_tui.domain.periods import CHINA_TZ

# Audit rows shown; the CLI prints all of them.
HISTORY_ROWS = 30


def moment(at: datetime) -> str:
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def annotations_text(annotations: tuple[Annotation, ...], lang: str) -> Text:
    """Newest first: time, author, then the text (shown literally)."""
    if not annotations:
        return Text(t("detail.no_annotations", lang), "dim")
    out = Text()
    for a in reversed(annotations):
        out.append(f"{moment(a.at)}  ", "dim")
        out.append_text(literal(a.author, "bold"))
        out.append("  ")
        out.append_text(literal(a.text))
        out.append("\n")
    out.rstrip()
    return out


def history_text(entries: list[audit.AuditEntry], prefix: str, lang: str) -> Text:
    """One line per change: when, who, from where, key (under the indicator), old → new."""
    if not entries:
        return Text(t("detail.no_config_history", lang), "dim")
    unset = t("config.unset", lang)
    out = Text()
    for e in entries:
        key = e.key.removeprefix(prefix + ".") if e.key != prefix else e.key
        out.append(f"{moment(e.at)}  ", "dim")
        out.append_text(literal(e.who, "bold"))
        out.append(f"  {t('origin.' + e.origin.value, lang)}  ", "dim")
        out.append_text(literal(key, "cyan"))
        out.append(": ")
        out.append_text(literal(e.old if e.old is not None else unset, "dim"))
        out.append(" → ")
        out.append_text(literal(e.new if e.new is not None else unset))
        out.append("\n")
    if len(entries) >= HISTORY_ROWS:
        out.append(t("detail.config_history.more", lang, count=HISTORY_ROWS, prefix=prefix), "dim")
    out.rstrip()
    return out


class ConfigNotes(Vertical):
    """Annotations from the config in force and the audit rows of one indicator."""

    def __init__(self, indicator_id: str, data: AppData) -> None:
        super().__init__(id="detail-config")
        self.indicator_id = indicator_id
        self.data = data
        self.prefix = format_key_path(("indicators", indicator_id))
        self.history_reads = 0  # audit reads shown (tests wait on it)
        self.entries: list[audit.AuditEntry] = []

    def compose(self) -> ComposeResult:
        lang = self.data.lang
        yield Static(t("detail.annotations", lang), classes="section")
        yield Static(id="detail-annotations")
        yield Static(t("detail.config_history", lang), classes="section")
        yield Static(id="detail-config-history")

    def on_mount(self) -> None:
        self.show(self.data)

    def show(self, data: AppData) -> None:
        """Show the annotations of ``data``'s config and read the history again."""
        self.data = data
        indicator = data.config.indicators.get(self.indicator_id)
        annotations = indicator.annotations if indicator is not None else ()
        self.query_one("#detail-annotations", Static).update(
            annotations_text(annotations, data.lang)
        )
        self._read_history()

    @work(thread=True, exclusive=True, group="detail-audit", exit_on_error=False)
    def _read_history(self) -> None:
        # create=False: a viewer's screen never creates the table (nor writes anything).
        try:
            entries = audit.history(
                self.data.store, key_prefix=self.prefix, limit=HISTORY_ROWS, create=False
            )
        except Exception as exc:  # a store fault: said in the section, the screen goes on
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_failure, str(exc))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_history, entries)

    def _show_history(self, entries: list[audit.AuditEntry]) -> None:
        if not self.is_mounted:
            return
        self.entries = entries
        self.query_one("#detail-config-history", Static).update(
            history_text(entries, self.prefix, self.data.lang)
        )
        self.history_reads += 1

    def _show_failure(self, error: str) -> None:
        if self.is_mounted:
            text = t("detail.config_history.failed", self.data.lang, error=error)
            self.query_one("#detail-config-history", Static).update(literal(text, "yellow"))
            self.history_reads += 1


__all__ = ["ConfigNotes", "annotations_text", "history_text"]
