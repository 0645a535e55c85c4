"""A batch of alert events as one message in the UI language: title, lines, plain text, markdown.

Every figure keeps its unit, period and source; a demo figure says so (演示 / DEMO) on its
own line and in the title, so that nobody mistakes it for a published number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.notify.api import AlertEvent

MAX_EVENTS = 20  # more than this in one batch: the rest are counted, not listed

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "app": "lishi-tui 告警",
        "firing": "告警中",
        "resolved": "已恢复",
        "nodata": "无数据",
        "error": "评估出错",
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "demo": "演示",
        "demo_note": "演示数据，并非公布数字",
        "repeat": "仍在告警",
        "value": "数值",
        "target": "目标",
        "pace": "进度",
        "source": "来源",
        "since": "起始",
        "rule": "规则",
        "more": "另有 {n} 条未列出",
        "sep": "：",
        "count": "{n} 条{state}",
        "join": "，",
    },
    "en": {
        "app": "lishi-tui alert",
        "firing": "firing",
        "resolved": "resolved",
        "nodata": "no data",
        "error": "evaluation error",
        "info": "info",
        "warning": "warning",
        "critical": "critical",
        "demo": "DEMO",
        "demo_note": "demo data, not a published figure",
        "repeat": "still firing",
        "value": "Value",
        "target": "Target",
        "pace": "Pace",
        "source": "Source",
        "since": "Since",
        "rule": "Rule",
        "more": "{n} more not listed",
        "sep": ": ",
        "count": "{n} {state}",
        "join": ", ",
    },
}


def words(lang: str) -> dict[str, str]:
    """The message vocabulary for ``lang`` (Chinese unless "en")."""
    return _WORDS["en" if lang == "en" else "zh"]


@dataclass(frozen=True)
class EventText:
    """One event as text: a headline and its detail lines."""

    headline: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class Message:
    """One message for a whole batch."""

    title: str
    events: tuple[EventText, ...]
    omitted: int  # events beyond MAX_EVENTS, counted in ``footer``
    footer: str
    demo: bool

    @property
    def text(self) -> str:
        """Plain text: the title, then each event's headline and indented details."""
        out = [self.title]
        for event in self.events:
            out.append("")
            out.append(event.headline)
            out.extend(f"  {line}" for line in event.details)
        if self.footer:
            out += ["", self.footer]
        return "\n".join(out)

    @property
    def markdown(self) -> str:
        """The same as markdown (headings, bold headlines, quoted details)."""
        out = [f"### {_md(self.title)}"]
        for event in self.events:
            out.append(f"**{_md(event.headline)}**")
            out.extend(f"> {_md(line)}" for line in event.details)
            out.append("")
        if self.footer:
            out.append(_md(self.footer))
        return "\n".join(out).rstrip()


def _md(text: str) -> str:
    # Text from sources and configs is data: markup characters are shown, not obeyed.
    for ch in "\\*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def number(value: float) -> str:
    """A figure as written in a message: thousands separators, no float noise."""
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text


def when(moment: datetime) -> str:
    """A timestamp with its offset, e.g. ``2026-12-01 23:10 UTC`` or ``… UTC+08:00``."""
    offset = moment.utcoffset()
    stamp = moment.strftime("%Y-%m-%d %H:%M")
    if offset is None:
        return stamp
    if offset == timedelta(0):
        return f"{stamp} UTC"
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{stamp} UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _one(text: object, limit: int = 200) -> str:
    return clean(text, single_line=True, limit=limit)


def event_text(event: AlertEvent, lang: str) -> EventText:
    """An event's headline (state, severity, indicator) and details (figure, target, …)."""
    w = words(lang)
    state = w["repeat"] if event.repeat and event.state == "firing" else w.get(event.state, "")
    state = state or _one(event.state, 20)
    severity = w.get(event.severity) or _one(event.severity, 20)
    subject = _one(event.indicator_name or event.indicator_id or event.rule_id, 80)
    demo = f"【{w['demo']}】" if lang != "en" else f"[{w['demo']}] "
    headline = f"{demo if event.demo else ''}[{severity}] {state}{w['sep']}{subject}"
    details: list[str] = []
    if event.summary:
        details.append(_one(event.summary))
    if event.value is not None:
        figure = number(event.value)
        if event.unit:
            figure += f" {_one(event.unit, 20)}"
        period = event.period_label or event.period
        if period:
            figure += f" ({_one(period, 40)})"
        details.append(f"{w['value']}{w['sep']}{figure}")
    if event.target is not None:
        target = number(event.target)
        if event.unit:
            target += f" {_one(event.unit, 20)}"
        details.append(f"{w['target']}{w['sep']}{target}")
    if event.pace:
        details.append(f"{w['pace']}{w['sep']}{_one(event.pace)}")
    if event.source:
        details.append(f"{w['source']}{w['sep']}{_one(event.source, 80)}")
    details.append(f"{w['since']}{w['sep']}{when(event.since)}")
    details.append(f"{w['rule']}{w['sep']}{_one(event.rule_id, 80)}")
    if event.demo:
        details.append(f"{w['demo']}{w['sep']}{w['demo_note']}")
    return EventText(headline, tuple(details))


def title(events: Sequence[AlertEvent], lang: str) -> str:
    """``lishi-tui 告警：2 条告警中，1 条已恢复`` (demo batches say so first)."""
    w = words(lang)
    counts: dict[str, int] = {}
    for event in events:
        counts[event.state] = counts.get(event.state, 0) + 1
    parts = [
        w["count"].format(n=n, state=w.get(state) or _one(state, 20))
        for state, n in sorted(counts.items(), key=lambda kv: _STATE_ORDER.get(kv[0], 9))
    ]
    head = w["app"]
    if any(e.demo for e in events):
        head = f"【{w['demo']}】{head}" if lang != "en" else f"[{w['demo']}] {head}"
    return f"{head}{w['sep']}{w['join'].join(parts)}"


_STATE_ORDER = {"firing": 0, "error": 1, "nodata": 2, "resolved": 3}


def render(events: Sequence[AlertEvent], lang: str) -> Message:
    """The whole batch as one message; events past MAX_EVENTS are counted, not listed."""
    w = words(lang)
    shown = tuple(event_text(e, lang) for e in events[:MAX_EVENTS])
    omitted = max(0, len(events) - MAX_EVENTS)
    footer = w["more"].format(n=omitted) if omitted else ""
    return Message(
        title=title(events, lang),
        events=shown,
        omitted=omitted,
        footer=footer,
        demo=any(e.demo for e in events),
    )
