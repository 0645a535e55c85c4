"""The data-file format of published figures: a document and its figures, each with provenance.

Shared by the ``published`` source type (which turns figures into readings) and the
``demo`` source type (which must never invent a value for a period a published figure
covers). A file looks like::

    [document]
    title = "..."            # required: what the figures were published in
    publisher = ""           # who published it; empty when the document does not say
    kind = "newspaper report"
    describes = "2021"       # the period the document reports on
    note = "..."

    [[figures]]
    indicator = "requests_done"
    period = "2021-10"       # "2021", "2021-10", "2021Q3", "2021-10-31"
    numerator = 1581         # or value = 88.47
    denominator = 1787
    qualifier = "exact"      # exact, at_least, at_most, about
    status = "normal"        # normal, provisional, estimated
    quote = "办结全区各级接收实事 1787 件中的 1581件，办结率 88%。"
    note = "截至2021年10月底"  # shown in the Chinese UI (and in English without note_en)
    note_en = "as of the end of October 2021"  # shown in the English UI
    unit = "%"               # the unit the document states for the value (亿元, 万人, %),
                             # checked against the indicator's; optional

Every error names the file, the record (``figures[3]``, with its indicator when known)
and the key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lishi_tui.domain.model import ObservationStatus, Qualifier
from lishi_tui.domain.periods import Period, PeriodError


class PublishedFormatError(ValueError):
    """A published-figures file that cannot be read; ``where`` is file, record and key."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Document:
    """What the figures were published in, as far as the document itself says."""

    title: str
    publisher: str = ""
    kind: str = ""
    describes: str = ""
    note: str = ""


@dataclass(frozen=True)
class PublishedFigure:
    """One figure as published, with the sentence it comes from."""

    indicator: str
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    qualifier: Qualifier
    status: ObservationStatus
    quote: str
    note: str
    note_en: str
    record: str  # "figures[3]", for messages
    unit: str = ""  # the unit the document states for the value


@dataclass(frozen=True)
class PublishedFile:
    """A parsed data file."""

    path: Path
    document: Document
    figures: tuple[PublishedFigure, ...]


_DOCUMENT_KEYS = {"title", "publisher", "kind", "describes", "note"}
_FIGURE_KEYS = {
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
    "qualifier",
    "status",
    "quote",
    "note",
    "note_en",
    "unit",
}


def _text(table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise PublishedFormatError(f"key {key!r} must be a string, got {value!r}", where)
    if required and not value.strip():
        raise PublishedFormatError(f"key {key!r} is required", where)
    return value


def _number(table: Mapping[str, Any], key: str, where: str) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PublishedFormatError(f"key {key!r} must be a finite number, got {value!r}", where)
    return float(value)


def _unknown_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise PublishedFormatError(
                f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", where
            )


def _figure(raw: Any, index: int, path: Path) -> PublishedFigure:
    record = f"figures[{index}]"
    where = f"{path}: {record}"
    if not isinstance(raw, dict):
        raise PublishedFormatError("each [[figures]] entry must be a table", where)
    indicator = raw.get("indicator")
    if isinstance(indicator, str) and indicator.strip():
        record = f"figures[{index}] ({indicator})"
        where = f"{path}: {record}"
    _unknown_keys(raw, _FIGURE_KEYS, where)
    indicator = _text(raw, "indicator", where, required=True)
    period_text = raw.get("period")
    if not isinstance(period_text, str | int) or isinstance(period_text, bool):
        raise PublishedFormatError(
            'key \'period\' is required and must be a string such as "2021" or "2021-10"', where
        )
    try:
        period = Period.parse(str(period_text))
    except PeriodError as exc:
        raise PublishedFormatError(f"key 'period': {exc}", where) from exc
    value = _number(raw, "value", where)
    numerator = _number(raw, "numerator", where)
    denominator = _number(raw, "denominator", where)
    if (numerator is None) != (denominator is None):
        raise PublishedFormatError("give both 'numerator' and 'denominator', or neither", where)
    if denominator == 0:
        raise PublishedFormatError("key 'denominator' must not be zero", where)
    if value is None and numerator is None:
        raise PublishedFormatError("a figure needs 'value' or 'numerator' and 'denominator'", where)
    try:
        qualifier = Qualifier(raw.get("qualifier", "exact"))
    except ValueError:
        raise PublishedFormatError(
            f"key 'qualifier' must be one of {', '.join(q.value for q in Qualifier)}, "
            f"got {raw.get('qualifier')!r}",
            where,
        ) from None
    try:
        status = ObservationStatus(raw.get("status", "normal"))
    except ValueError:
        raise PublishedFormatError(
            f"key 'status' must be one of {', '.join(s.value for s in ObservationStatus)}, "
            f"got {raw.get('status')!r}",
            where,
        ) from None
    return PublishedFigure(
        indicator=indicator,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        qualifier=qualifier,
        status=status,
        quote=_text(raw, "quote", where),
        note=_text(raw, "note", where),
        note_en=_text(raw, "note_en", where),
        record=record,
        unit=_text(raw, "unit", where),
    )


def load_published(path: Path) -> PublishedFile:
    """Read and check a published-figures file; raises PublishedFormatError with a location."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PublishedFormatError(f"cannot read: {exc.strerror or exc}", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise PublishedFormatError(f"not UTF-8 text: {exc}", str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PublishedFormatError(f"not valid TOML: {exc}", str(path)) from exc
    _unknown_keys(data, {"document", "figures"}, str(path))
    doc_raw = data.get("document")
    if not isinstance(doc_raw, dict):
        raise PublishedFormatError("a [document] table is required", str(path))
    doc_where = f"{path}: [document]"
    _unknown_keys(doc_raw, _DOCUMENT_KEYS, doc_where)
    document = Document(
        title=_text(doc_raw, "title", doc_where, required=True),
        publisher=_text(doc_raw, "publisher", doc_where),
        kind=_text(doc_raw, "kind", doc_where),
        describes=_text(doc_raw, "describes", doc_where),
        note=_text(doc_raw, "note", doc_where),
    )
    figures_raw = data.get("figures", [])
    if not isinstance(figures_raw, list):
        raise PublishedFormatError("'figures' must be an array of tables ([[figures]])", str(path))
    figures = tuple(_figure(raw, i, path) for i, raw in enumerate(figures_raw))
    seen: dict[tuple[str, str], str] = {}
    for fig in figures:
        key = (fig.indicator, fig.period.key)
        if key in seen:
            raise PublishedFormatError(
                f"duplicate figure for {fig.indicator} {fig.period.key} (also {seen[key]})",
                f"{path}: {fig.record}",
            )
        seen[key] = fig.record
    return PublishedFile(path=path, document=document, figures=figures)


def covers(published: Period, other: Period) -> bool:
    """Whether two periods overlap, so that a value for ``other`` would compete with
    ``published`` (an instant overlaps the period it falls in)."""
    if other.start == other.end:  # an instant
        if published.start == published.end:
            return published.start == other.start
        return published.start <= other.start < published.end
    if published.start == published.end:
        return other.start <= published.start < other.end
    return other.start < published.end and published.start < other.end
