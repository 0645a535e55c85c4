"""The built-in export formats (csv, json, markdown) and the ``formats`` command that lists them.

Registered through ``lishi_register_export_formats`` and ``lishi_register_commands``, the
same hooks a third-party plugin uses. Every format keeps each row's provenance (source,
origin, fetch time, the publisher's flag) and marks demo figures.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from lishi_tui.plugin import (
    CommandContext,
    ExportData,
    ExportFormat,
    ExportRow,
    PluginCommand,
    RegisterCommand,
    RegisterExportFormat,
    figure_text,
    hookimpl,
    strip_control,
)

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(data: ExportData, out: TextIO) -> None:
    """One header row (the ExportRow fields), then a row per indicator; ``demo`` is true/false."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ExportRow.columns())
    for row in data.rows:
        writer.writerow([_csv_cell(v) for v in row.as_dict().values()])


def write_json(data: ExportData, out: TextIO) -> None:
    """An object: when it was read, the language, how many rows are demo, and the rows."""
    document = {
        "generated_at": data.generated_at.isoformat(),
        "language": data.lang,
        "demo_rows": sum(r.demo for r in data.rows),
        "rows": [r.as_dict() for r in data.rows],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


_MD_HEAD = {
    "zh": ("指标", "数值", "期间", "状态", "数据标记", "来源", "出处", "采集时间 (UTC)"),
    "en": ("Indicator", "Figure", "Period", "Status", "Flag", "Source", "Origin", "Fetched (UTC)"),
}
_MD_DEMO = {"zh": "演示数据", "en": "demo"}
_MD_NOTE = {
    "zh": "标有“演示数据”的数值为演示用的模拟数据，不是公布的数字。",
    "en": "Figures marked “demo” are invented for the demonstration, not published figures.",
}
_MD_TITLE = {"zh": "最新指标", "en": "Latest figures"}


def _md_cell(value: object) -> str:
    text = strip_control("" if value is None else str(value)).replace("\n", " ")
    return text.replace("\\", "\\\\").replace("|", "\\|") or "—"


def write_markdown(data: ExportData, out: TextIO) -> None:
    """A table a person reads; a demo figure says so in its own cell, and a note says why."""
    lang = data.lang if data.lang in _MD_HEAD else "zh"
    head = _MD_HEAD[lang]
    out.write(f"# {_MD_TITLE[lang]} ({data.generated_at.strftime('%Y-%m-%d %H:%M')} UTC)\n\n")
    out.write("| " + " | ".join(head) + " |\n")
    out.write("|" + "---|" * len(head) + "\n")
    for row in data.rows:
        figure = figure_text(row)
        if row.demo:
            figure = f"{figure} **{_MD_DEMO[lang]}**"
        cells = (
            row.name,
            figure,
            row.period_label or row.period,
            row.status,
            row.obs_status,
            row.source,
            row.origin,
            (row.fetched_at or "")[:16].replace("T", " "),  # to the minute, UTC
        )
        out.write("| " + " | ".join(_md_cell(c) for c in cells) + " |\n")
    if data.any_demo:
        out.write(f"\n{_MD_NOTE[lang]}\n")


FORMATS = (
    ExportFormat("csv", write_csv, "csv", "comma-separated, a header row, one row per indicator"),
    ExportFormat("json", write_json, "json", "an object with the rows and when they were read"),
    ExportFormat("markdown", write_markdown, "md", "a table for a report, demo figures marked"),
)


def list_formats(ctx: CommandContext) -> int:
    """``lishi-tui formats``: what ``export --format`` and a panel's ``kind`` may name."""
    registry = ctx.registry
    print("export formats (lishi-tui export --format NAME):", file=ctx.out)
    for name, fmt in sorted(registry.export_formats.items()):
        owner = registry.export_format_owner.get(name, "")
        print(f"  {name:<12} {owner:<16} {strip_control(fmt.description)}", file=ctx.out)
    print("panel kinds ([[pages.<id>.panels]] kind = NAME):", file=ctx.out)
    for name, kind in sorted(registry.panel_types.items()):
        owner = registry.panel_type_owner.get(name, "")
        print(f"  {name:<12} {owner:<16} {strip_control(kind.description)}", file=ctx.out)
    return 0


@hookimpl
def lishi_register_export_formats(register: RegisterExportFormat) -> None:
    for fmt in FORMATS:
        register(fmt)


@hookimpl
def lishi_register_commands(register: RegisterCommand) -> None:
    register(PluginCommand("formats", "list the export formats and panel kinds", list_formats))
