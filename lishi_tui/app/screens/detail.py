"""One indicator in full: chart, every revision, provenance, target and pace in words, source errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from lishi_tui.app.data import AppData
from lishi_tui.app.formatting import (
    append_status_mark,
    clean,
    literal,
    no_projection_text,
    number,
    period_text,
    qualifier_words,
    ratio_text,
    status_mark,
    unit,
    value_text,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView, read_view
from lishi_tui.app.widgets.bucket_chart import DETAIL_BUCKETS, bucket_chart_spec
from lishi_tui.app.widgets.chart import PlotChart
from lishi_tui.app.widgets.chart_spec import chart_spec
from lishi_tui.app.widgets.config_notes import ConfigNotes
from lishi_tui.app.widgets.header import SteadyHeader
from lishi_tui.app.widgets.keyline import KeyLine
from lishi_tui.app.widgets.panels.render import RAG_STYLE, rag_words, status_line
from lishi_tui.app.widgets.prose import Prose
from lishi_tui.domain.model import Direction, Observation, SourceRunOutcome
from lishi_tui.domain.periods import CHINA_TZ, PeriodKind
from lishi_tui.store.base import Bucket

# Revisions read at a time into the history table, and how close to the end of what is
# loaded the cursor comes before the next page is read.
HISTORY_PAGE = 100
PAGE_AHEAD = 10

HISTORY_COLUMNS = (
    "col.period",
    "col.value",
    "col.revision",
    "col.source",
    "col.fetched",
    "col.status",
    "col.demo",
)


def when(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return t("none", lang)
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def pace_sentence(view: IndicatorView, lang: str) -> Text:
    """ "需每月新增 X 万亩方能按期完成" or why no pace can be given."""
    indicator = view.indicator
    p = view.projection
    if p is None:
        value = view.latest.value if view.latest is not None else None
        return Text(no_projection_text(indicator, value, lang), "dim")
    u = unit(indicator, lang)
    out = Text()
    if p.remaining <= 0:
        out.append(t("detail.pace.done", lang), "green")
    elif p.pace_per_month is None:
        out.append(t("detail.pace.past", lang), "red")
    else:
        verb_key = "higher" if indicator.direction is Direction.HIGHER else "lower"
        pace = f"{number(indicator, p.pace_per_month, decimals=max(indicator.decimals, 1))} {u}".strip()
        out.append(
            t("detail.pace", lang, verb=t(f"detail.pace.verb.{verb_key}", lang), pace=pace), "bold"
        )
    out.append("  ")
    gap = f"{number(indicator, abs(p.gap))} {u}".strip()
    if p.on_track:
        out.append(t("detail.on_track", lang, gap=f"+{gap}"), "green")
    else:
        out.append(t("detail.off_track", lang, gap=gap), "red")
    return out


def detail_bindings(lang: str) -> list[BindingType]:
    """The detail screen's keys, described in the UI language (the footer shows them)."""
    return [
        Binding("escape", "app.pop_screen", t("binding.back", lang)),
        Binding("q", "app.quit", t("binding.quit", lang)),
        # Operators only: check_action hides it from a viewer (lishi_tui.app.screens.edit_target).
        Binding("e", "edit_target", "编辑目标" if lang == "zh" else "Edit target"),
        Binding("n", "annotate", t("binding.annotate", lang)),  # operators only, like "e"
    ]


@cache
def detail_screen_class(lang: str) -> type[DetailScreen]:
    """A DetailScreen whose bindings speak ``lang`` (Textual binds at class level)."""
    return type(f"DetailScreen_{lang}", (DetailScreen,), {"BINDINGS": detail_bindings(lang)})


@dataclass(frozen=True)
class DetailRead:
    """One read of the store for the detail screen (done on a worker thread)."""

    view: IndicatorView
    runs: list[SourceRunOutcome]
    revisions: list[Observation]  # the first page, newest first
    total: int  # every stored revision of the indicator
    buckets: list[Bucket] | None = None  # a long instant series, aggregated by the store


class DetailScreen(Screen[None]):
    """Everything known about one indicator; Escape goes back."""

    def __init__(self, indicator_id: str, data: AppData) -> None:
        super().__init__()
        self.indicator_id = indicator_id
        self.data = data
        self.lang = data.lang
        self.view: IndicatorView | None = None
        self.reads = 0  # store reads shown (tests wait on it)
        self.total = 0  # revisions stored; the table holds the newest pages of them
        self._paging = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_target", "annotate"):
            permissions = getattr(self.app, "permissions", None)
            return permissions is not None and permissions.edit_config  # False: hidden
        return True

    def action_edit_target(self) -> None:
        from lishi_tui.app.screens.edit_target import open_editor

        open_editor(self.app, self.indicator_id)  # type: ignore[arg-type]  # a LishiApp

    def action_annotate(self) -> None:
        from lishi_tui.app.screens.annotate import open_annotator

        open_annotator(self.app, self.indicator_id)  # type: ignore[arg-type]  # a LishiApp

    def use_data(self, data: AppData) -> None:
        """A new config is in force (hot reload, an edit from here): show it."""
        if self.indicator_id not in data.config.indicators:
            return
        self.data = data
        if self.is_mounted:
            self.query_one(ConfigNotes).show(data)
            self.reload()

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield SteadyHeader()
        with VerticalScroll(id="detail"):
            yield Static(id="detail-summary")
            yield PlotChart(colour=self.data.colour, id="detail-chart")
            yield Static(t("detail.errors", lang), classes="section")
            yield Static(id="detail-errors")
            yield Static(t("detail.history", lang), classes="section", id="detail-history-title")
            yield DataTable(id="detail-history", cursor_type="row", zebra_stripes=True)
            yield ConfigNotes(self.indicator_id, self.data)
        yield KeyLine()

    def on_mount(self) -> None:
        lang = self.lang
        indicator = self.data.config.indicators[self.indicator_id]
        self.title = clean(indicator.name(lang))
        self.sub_title = t("detail.title", lang)
        table = self.query_one("#detail-history", DataTable)
        for key in HISTORY_COLUMNS:
            table.add_column(t(key, lang), key=key)
        self.reload()

    def reload(self) -> None:
        """Read the indicator again from the store (on a worker thread) and redraw."""
        self._read()

    @work(thread=True, exclusive=True, group="detail-read", exit_on_error=False)
    def _read(self) -> None:
        data = self.data
        view = read_view(
            data.store,
            data.config.indicators[self.indicator_id],
            data.ctx.clock(),
            dict(data.health()),
            include_demo=data.config.app.demo,
        )
        source = view.source_id
        runs = data.store.fetch_log(source, limit=20) if source else []
        # Bounded whatever the history's length: a page of revisions, the summary's counts,
        # and a long instant series aggregated in SQL to the chart's resolution.
        summary = data.store.summary([self.indicator_id]).get(self.indicator_id)
        revisions = data.store.revisions(self.indicator_id, limit=HISTORY_PAGE)
        buckets = None
        newest = summary.latest if summary is not None else None
        if (
            summary is not None
            and newest is not None
            and newest.period.kind is PeriodKind.INSTANT
            and summary.latest_rows > len(view.history)
        ):
            buckets = data.store.series(
                self.indicator_id,
                start=summary.first_period_start,
                end=summary.last_period_start + timedelta(seconds=1),
                buckets=DETAIL_BUCKETS,
                include_demo=data.config.app.demo,
            )
        total = summary.stored_rows if summary is not None else len(revisions)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, DetailRead(view, runs, revisions, total, buckets))

    @work(thread=True, exclusive=True, group="detail-page", exit_on_error=False)
    def _read_page(self, offset: int) -> None:
        page = self.data.store.revisions(self.indicator_id, limit=HISTORY_PAGE, offset=offset)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._append_page, offset, page)

    def _show(self, read: DetailRead) -> None:
        if not self.is_mounted:
            return
        lang = self.lang
        view = read.view
        self.view = view
        indicator = view.indicator
        self.query_one("#detail-summary", Static).update(Prose(self.summary(view)))
        title = clean(indicator.name(lang))  # the chart's legend gives the unit it draws in
        chart = self.query_one("#detail-chart", PlotChart)
        if read.buckets:
            count = sum(b.count for b in read.buckets)
            note = t("detail.chart.buckets", lang, count=f"{count:,}", slices=len(read.buckets))
            spec = bucket_chart_spec(indicator, read.buckets, title=title, note=note, lang=lang)
        else:
            spec = chart_spec(view, lang, title=title)
        chart.set_spec(spec)
        chart.display = chart.spec is not None
        self.query_one("#detail-errors", Static).update(self.errors(read.runs))
        self.total = read.total
        self._fill_history(read.revisions)
        self.reads += 1

    # The history table: every stored revision, newest period first as the store gives them.

    def _fill_history(self, revisions: list[Observation]) -> None:
        table = self.query_one("#detail-history", DataTable)
        table.clear()
        self._paging = False
        for obs in revisions:
            table.add_row(*self.revision_row(obs))
        self._count_rows()

    def _append_page(self, offset: int, page: list[Observation]) -> None:
        table = self.query_one("#detail-history", DataTable)
        self._paging = False
        if not self.is_mounted or offset != table.row_count:
            return  # the table was refilled meanwhile
        for obs in page:
            table.add_row(*self.revision_row(obs))
        self._count_rows()

    def _count_rows(self) -> None:
        shown = self.query_one("#detail-history", DataTable).row_count
        title = t("detail.history", self.lang)
        if self.total > shown:
            count = t(
                "detail.history.count", self.lang, shown=f"{shown:,}", total=f"{self.total:,}"
            )
            title = f"{title}  {count}"
        self.query_one("#detail-history-title", Static).update(title)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Near the end of what is loaded, fetch the next page (older revisions)."""
        table = event.data_table
        loaded = table.row_count
        if self._paging or loaded >= self.total or event.cursor_row < loaded - PAGE_AHEAD:
            return
        self._paging = True
        self._read_page(loaded)

    def revision_row(self, obs: Observation) -> list[Text]:
        lang = self.lang
        indicator = (
            self.view.indicator if self.view else self.data.config.indicators[self.indicator_id]
        )
        flags = [status_mark(obs, lang)] if status_mark(obs, lang) else []
        if obs.reading.qualifier.value != "exact":
            flags.append(qualifier_words(obs.reading.qualifier, lang))
        return [
            Text(obs.period.key),
            Text(value_text(indicator, obs, lang)),
            Text(str(obs.revision)),
            literal(obs.source),
            Text(when(obs.fetched_at, lang)),
            literal(", ".join(flags)),
            Text(t("panel.demo", lang), "reverse") if obs.demo else Text(""),
        ]

    def summary(self, view: IndicatorView) -> Text:
        lang = self.lang
        indicator = view.indicator
        latest = view.latest
        out = Text()
        out.append(clean(indicator.name_zh), "bold")
        out.append(" / ")
        out.append(clean(indicator.name_en), "bold")
        out.append("\n")
        if view.demo:
            out.append(t("detail.demo_warning", lang), "bold reverse")
            out.append("\n")

        def row(label_key: str, value: Text | str) -> None:
            out.append(f"{t(label_key, lang)}: ", "dim")
            out.append_text(value if isinstance(value, Text) else literal(value))
            out.append("\n")

        value = Text(value_text(indicator, latest, lang), RAG_STYLE[view.rag])
        append_status_mark(value, latest, lang)
        parts = ratio_text(indicator, latest)
        if parts:
            value.append(f"  ({parts})")
        value.append("  ")
        value.append_text(rag_words(view, lang))
        row("detail.value", value)
        if latest is not None and latest.reading.qualifier.value != "exact":
            row("detail.qualifier", qualifier_words(latest.reading.qualifier, lang))
        row("detail.period", period_text(indicator, latest, lang) or t("none", lang))
        source = view.source_id
        source_type = (
            self.data.config.sources[source].type if source in self.data.config.sources else ""
        )
        row(
            "detail.source",
            f"{source} ({source_type})" if source_type else source or t("none", lang),
        )
        if latest is not None:
            row("detail.origin", latest.reading.origin or latest.fetch_url or t("none", lang))
            row("detail.fetched", when(latest.fetched_at, lang))
            checked = view.health.last_success if view.health is not None else None
            row("detail.checked", when(checked, lang))
            row("detail.revision", str(latest.revision))
            if latest.reading.note_text(lang):
                row("detail.note", latest.reading.note_text(lang))
        u = unit(indicator, lang)
        if indicator.target is not None:
            row(
                "detail.target",
                f"{number(indicator, indicator.target.value)} {u}".strip()
                + (f"  {clean(note)}" if (note := indicator.target.note_text(lang)) else ""),
            )
            if indicator.target.deadline is not None:
                row("detail.deadline", indicator.target.deadline.isoformat())
        if indicator.baseline is not None:
            row(
                "detail.baseline",
                f"{number(indicator, indicator.baseline.value)} {u} ({indicator.baseline.on.isoformat()})",
            )
        out.append_text(pace_sentence(view, lang))
        out.append("\n")
        status = status_line(view, self.data.ctx)
        if status.plain:
            row("detail.status", status)
        if indicator.description:
            row("detail.description", indicator.description)
        out.rstrip()
        return out

    def errors(self, runs: list[SourceRunOutcome]) -> Text:
        lang = self.lang
        failed = [r for r in runs if not r.ok]
        if not failed:
            return Text(t("detail.no_errors", lang), "dim")
        out = Text()
        for run in failed[:5]:
            out.append(when(run.started_at, lang) + "  ", "dim")
            out.append_text(literal(run.error or "?", "yellow"))
            out.append("\n")
        out.rstrip()
        return out
