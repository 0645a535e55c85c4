"""Alert words in Chinese and English (states, severities) and the one-line summary of an event.

Kept apart from ``lishi_tui.app.i18n`` because the collector, which has no Textual,
writes these lines too.
"""

from __future__ import annotations

from lishi_tui.text import clean

WORDS: dict[str, tuple[str, str]] = {
    # (zh, en)
    "state.normal": ("正常", "normal"),
    "state.pending": ("待定", "pending"),
    "state.firing": ("告警中", "firing"),
    "state.recovering": ("恢复中", "recovering"),
    "state.resolved": ("已恢复", "resolved"),
    "state.nodata": ("无数据", "no data"),
    "state.error": ("评估出错", "error"),
    "severity.critical": ("严重", "critical"),
    "severity.warning": ("警告", "warning"),
    "severity.info": ("提示", "info"),
    "demo": ("演示", "demo"),
    "repeat": ("仍在告警", "still firing"),
    "source": ("来源", "source"),
    "acked": ("已确认", "acknowledged"),
    "silenced": ("已静默", "silenced"),
}


def word(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return en if lang == "en" else zh


def summary(
    *,
    lang: str,
    state: str,
    severity: str,
    subject: str,
    value: str | None,
    period_label: str | None,
    source: str | None,
    detail: str,
    demo: bool,
    repeat: bool,
) -> str:
    """ "[演示] 严重 告警中：地区生产总值增速 6.1 %（2024年第3季度，来源 nbs）status red" """
    head = f"[{word('demo', lang)}] " if demo else ""
    status = word("repeat", lang) if repeat and state == "firing" else word(f"state.{state}", lang)
    head += f"{word(f'severity.{severity}', lang)} {status}"
    body = subject
    if value is not None:
        body += f" {value}"
    where = [p for p in (period_label, f"{word('source', lang)} {source}" if source else None) if p]
    if where:
        body += f"（{'，'.join(where)}）" if lang == "zh" else f" ({', '.join(where)})"
    colon = "：" if lang == "zh" else ": "
    tail = f" {detail}" if detail else ""
    return clean(f"{head}{colon}{body}{tail}", single_line=True, limit=300)
