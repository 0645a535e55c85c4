"""Text every panel draws with: RAG marks, bars, sparklines, the status line, one-row fitting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from rich.text import Text

from lishi_tui.app.formatting import (
    age_text,
    clean,
    literal,
)
from lishi_tui.app.i18n import t
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.domain.model import Rag

SPARK = "▁▂▃▄▅▆▇█"
RAG_STYLE = {
    Rag.GREEN: "bold green",
    Rag.AMBER: "bold yellow",
    Rag.RED: "bold red",
    Rag.NONE: "bold",
}
RAG_MARK = {Rag.GREEN: "●", Rag.AMBER: "▲", Rag.RED: "■", Rag.NONE: ""}


def sparkline(values: Sequence[float], width: int) -> str:
    vals = list(values)[-width:] if width > 0 else []
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    span = hi - lo
    if span == 0:
        return SPARK[3] * len(vals)
    return "".join(SPARK[min(int((v - lo) / span * len(SPARK)), len(SPARK) - 1)] for v in vals)


def bar(fraction: float | None, width: int) -> Text:
    """A progress bar; beyond-target fills it, going backwards leaves it empty."""
    width = max(width, 1)
    f = 0.0 if fraction is None else min(max(fraction, 0.0), 1.0)
    full = round(f * width)
    return Text("█" * full, style="green" if f >= 1 else "cyan") + Text("░" * (width - full), "dim")


def rag_words(view: IndicatorView, lang: str) -> Text:
    if view.rag is Rag.NONE:
        return Text("")
    return Text(
        f"{RAG_MARK[view.rag]} {t('panel.rag.' + view.rag.value, lang)}", RAG_STYLE[view.rag]
    )


def status_line(view: IndicatorView, ctx: PanelContext) -> Text:
    """Two facts never run together: whether the source answers (and when it last did), and
    whether the figure it has is overdue (a newer period should have been published by now).

    "核实于刚刚 ⏱ 已过期" read as a contradiction; a stale figure from a healthy source reads
    "⏱ 本期数据逾期未发布 · 数据源正常（核实于刚刚）". Neither must look like a red figure.
    """
    lang = ctx.lang
    line = Text()
    failing = view.failing and view.health is not None and view.health.last_run is not None
    if view.stale:  # first: on a narrow panel the ellipsis takes the source's words, not these
        line.append(t("panel.overdue", lang), "italic magenta")
    if view.latest is not None:
        # The observation's fetched_at is when this value was first stored: an unchanged
        # figure keeps it for months. What an official needs is when the source last
        # confirmed it, i.e. the source's last successful run.
        checked = view.health.last_success if view.health is not None else None
        line.append(" · " if line else "", "dim")
        if checked is not None:
            age = age_text(max(ctx.clock() - checked, timedelta(0)), lang)
            # "Source answered" only when it did last time: a failing one says when it last did.
            key = "panel.source_ok" if view.stale and not failing else "panel.checked"
            line.append(t(key, lang, age=age), "dim")
        else:
            line.append(t("panel.unchecked", lang), "dim")
    if failing:
        assert view.health is not None and view.health.last_run is not None
        line.append("  " if line else "")
        line.append(t("panel.failing", lang), "bold reverse yellow")
        error = clean(view.health.last_run.error)
        if error:
            line.append(" ")
            line.append(literal(error, "yellow"))
    return line


def fit(lines: list[Text]) -> list[Text]:
    """One row per line, cut with an ellipsis: panel text never wraps into its neighbour."""
    for line in lines:
        line.no_wrap = True
        line.overflow = "ellipsis"
    return lines
