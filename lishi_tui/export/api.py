"""What an export-format plugin provides (ExportFormat) and receives (ExportData, ExportRow).

A format is registered through ``lishi_register_export_formats`` (see
``lishi_tui.hookspecs``) and chosen by ``lishi-tui export --format NAME``. It gets the
latest figure of each indicator as an ``ExportRow``, every row with its provenance
(source, origin, fetch time, the publisher's flag) and ``demo`` set on invented figures,
and writes them as text. Like ``lishi_tui.sources.api`` this module imports neither
Textual nor httpx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TextIO

FORMAT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One indicator's latest figure, with where it came from.

    ``value`` is None where the store has no figure (``obs_status`` is then
    ``"missing"``). ``demo`` is True for an invented figure: a format must say so on the
    row (the built-in ones write a ``demo`` column and mark the figure).
    """

    indicator: str
    name: str  # in the export's language
    name_zh: str
    name_en: str
    value: float | None
    qualifier: str | None  # "at_least", "at_most", "about", or None/"exact"
    unit: str
    decimals: int
    period: str | None  # the period's key, e.g. "2021-10"
    period_label: str | None  # the period as people read it, in the export's language
    status: str  # RAG: "green", "amber", "red" or "none"
    obs_status: str  # the publisher's flag: normal, provisional, estimated, break, missing
    freshness: str
    target: float | None
    source: str | None  # the configured source id
    origin: str | None  # the URL or file the figure was read from (secrets redacted)
    url: str | None  # the address fetched, after redirects (secrets redacted)
    fetched_at: str | None  # ISO 8601, UTC
    revision: int | None
    demo: bool
    note: str | None

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The field names, in order: the header of a tabular format."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> ExportRow:
        values: dict[str, Any] = {name: row.get(name) for name in cls.columns()}
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.columns()}


@dataclass(frozen=True, slots=True)
class ExportData:
    """What a format writes: the rows, in the order asked for, and when they were read."""

    rows: tuple[ExportRow, ...]
    lang: str  # "zh" or "en": the language of names and period labels
    generated_at: datetime  # UTC

    @property
    def any_demo(self) -> bool:
        return any(r.demo for r in self.rows)


ExportWriter = Callable[[ExportData, TextIO], None]


@dataclass(frozen=True)
class ExportFormat:
    """An export format: its ``--format`` name and the function that writes it.

    ``write(data, out)`` writes ``data`` to the text stream ``out`` (a file opened for
    writing, or standard output); raising is reported as the format's error and leaves no
    half-written file. ``extension`` (without the dot) is what a file of this format ends in.
    """

    name: str
    write: ExportWriter
    extension: str = ""
    description: str = ""


def validate_export_format(item: Any) -> None:
    """Raise TypeError/ValueError if a registered object is not a usable ExportFormat."""
    if not isinstance(item, ExportFormat):
        raise TypeError(f"expected an ExportFormat, got {type(item).__name__}: {item!r:.80}")
    if not isinstance(item.name, str) or not FORMAT_NAME.match(item.name):
        raise ValueError(
            f"export format name {item.name!r} must be lower-case letters, digits and _,"
            " starting with a letter"
        )
    if not callable(item.write):
        raise TypeError(f"export format {item.name!r}: write is not callable")


def figure_text(row: ExportRow) -> str:
    """The figure as a person reads it: qualifier, number with the indicator's decimals, unit."""
    if row.value is None:
        return "—"
    symbol = {"at_least": "≥", "at_most": "≤", "about": "≈"}.get(row.qualifier or "", "")
    return f"{symbol}{row.value:,.{row.decimals}f} {row.unit}".strip()
