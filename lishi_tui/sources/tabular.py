"""Tables as statistics offices publish them (CSV, Excel), read into readings: one code for both.

A reader (the ``csv`` or ``excel`` source type) turns its file into :class:`Cells` rows;
:func:`table_from_rows` finds the header (skipping titles, joining multi-row headers)
and drops footnotes; :func:`readings_from_table` applies the options both types share:
``layout`` (long or wide), ``period_column``, ``value_column``, ``filter`` and ``scale``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period, PeriodError, PeriodKind
from lishi_tui.domain.units import parse_unit, rescaled
from lishi_tui.sources.api import HTTP_OPTIONS, FetchError, Option, OptionKind
from lishi_tui.sources.parsing import (
    NumberError,
    excerpt,
    find_column,
    join_year_period,
    normalise_header,
    parse_period,
    parse_quantity,
    scale_exact,
    split_unit,
)
from lishi_tui.sources.stated_units import (
    cell,
    header_unit,
    label_unit,
    labelled_unit,
    unit_column,
)

# Footnote rows under Chinese statistical tables ("注：…", "数据来源：…") carry text in the
# first cell only; they are skipped instead of being read as a bad period.
NOTE_PREFIXES = ("注", "说明", "备注", "资料来源", "数据来源", "来源", "note", "source")


# Period kinds a `frequency` option may keep, and the words an indicator's `frequency`
# uses for the same kinds (so either spelling works).
FREQUENCIES: dict[str, PeriodKind] = {
    "year": PeriodKind.YEAR,
    "half": PeriodKind.HALF,
    "quarter": PeriodKind.QUARTER,
    "month": PeriodKind.MONTH,
    "week": PeriodKind.WEEK,
    "day": PeriodKind.DAY,
    "yearly": PeriodKind.YEAR,
    "quarterly": PeriodKind.QUARTER,
    "monthly": PeriodKind.MONTH,
    "daily": PeriodKind.DAY,
}
FREQUENCY_OPTION = Option(
    OptionKind.STR,
    choices=tuple(FREQUENCIES),
    help="keep only the periods of one kind (year, half, quarter, month, week, day) when "
    "the source stacks several, as ONS time-series downloads do; without it a series of "
    "mixed kinds is refused",
)


def table_options(what: str, *, value_help: str, skip_help: str) -> dict[str, Option]:
    """The options every table type takes (``what`` names its file in the help texts)."""
    return {
        "path": Option(OptionKind.PATH, help=f"the {what} (relative to the config file); or `url`"),
        "url": Option(OptionKind.URL, help=f"the {what}'s URL; or `path`"),
        "layout": Option(
            OptionKind.STR,
            default="long",
            choices=("long", "wide"),
            help="long: one row per period; wide: one column per period, one row picked by "
            "`filter`",
        ),
        "period_column": Option(
            OptionKind.STR_OR_INT,
            help="long layout: the column holding periods (name or 0-based index)",
        ),
        "year_column": Option(
            OptionKind.STR_OR_INT,
            help="long layout: the column holding the year when `period_column` holds only "
            "a BLS period code (M01 … M12, M13 annual average, Q01 … Q04, S01, S02, A01)",
        ),
        "frequency": FREQUENCY_OPTION,
        "value_column": Option(OptionKind.STR_OR_INT, help=value_help),
        "filter": Option(
            OptionKind.TABLE, default={}, help="{ column = value }: keep only rows where all match"
        ),
        "skip_rows": Option(OptionKind.INT, default=0, help=skip_help),
        "scale": Option(
            OptionKind.FLOAT, default=1.0, help="multiply every value, e.g. 0.0001 万→亿"
        ),
    } | HTTP_OPTIONS  # `headers`, sent with `url`


@dataclass(frozen=True)
class Cells:
    """One row of a table: where it is (``file:line`` or ``file sheet!A5``) and its cells.

    ``spans`` gives, for a cell that a merged range starts in, how many rows and columns
    the range covers (Excel only); the reader has already copied the merged value into
    every cell of the range.
    """

    where: str
    cells: list[str]
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Columns whose cell is a number with a fractional part (Excel only): no period.
    fractional: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Table:
    """A table's header (one text per column, and its levels) and its data rows."""

    headers: list[str]
    levels: list[tuple[str, ...]]
    where: str  # where the header is
    rows: list[Cells]
    headerless: bool = False  # header_rows = 0: columns are named by index only
    fractional: frozenset[int] = frozenset()  # columns with a fractional number in the header


def is_note(cells: Sequence[str]) -> bool:
    """Blank rows and footnotes: text in one cell only that is not a period.

    A footnote's continuation lines start with ideographic spaces (U+3000) or hold text
    in the first cell only; a row holding only a period (``2021年11月,,``) is data: that
    period has no figure yet.
    """
    filled = [c for c in cells if c.strip()]
    if not filled:
        return True
    if len(filled) > 1:
        return False
    text = filled[0]
    if text[:1].isspace() or normalise_header(text).lower().startswith(NOTE_PREFIXES):
        return True
    try:
        parse_period(text)
    except PeriodError:
        return True
    return False


def _filled(row: Cells) -> int:
    return sum(1 for c in row.cells if c.strip())


def _header_height(row: Cells, rows_below: int) -> int:
    """How many rows the header starting at ``row`` takes: merged cells say it.

    A header cell merged down over two rows, or one merged across columns (a group
    heading such as ``2021年1-10月`` over ``绝对量 | 同比增长(%)``), means a second header
    row follows.
    """
    height = 1
    for rowspan, colspan in row.spans.values():
        height = max(height, rowspan)
        if colspan > 1:
            height = max(height, 2)
    return min(height, 1 + rows_below)


def table_from_rows(
    rows: Sequence[Cells], *, skip_rows: int, header_rows: int | None, origin: str
) -> Table:
    """The header and data rows of a sheet or file.

    ``skip_rows`` rows are dropped first; then title rows (one filled cell, such as a
    merged title across the table, or NBS's ``数据库：年度数据``) are skipped; the next row
    starts the header, ``header_rows`` rows high (default: as its merged cells say).
    Header levels are joined with a space per column (``2021年1-10月 同比增长(%)``).

    ``header_rows = 0`` reads a table without a header (ONS's time-series downloads: a
    block of ``Title``, ``CDID``, ``Unit`` … rows, then ``"2024 JAN","4.0"``): columns are
    named by their 0-based index, and the long layout skips the label rows above the first
    period (see :func:`readings_from_table`).
    """
    body = list(rows[skip_rows:])
    if header_rows == 0:
        data = [r for r in body if not is_note(r.cells)]
        if not data:
            raise FetchError("the file has no data rows", where=origin)
        width = max(len(r.cells) for r in data)
        names = [str(i) for i in range(width)]
        return Table(names, [(n,) for n in names], data[0].where, data, headerless=True)
    while body and _filled(body[0]) <= 1:
        body = body[1:]
    if not body:
        raise FetchError("the file has no header row and no data", where=origin)
    height = header_rows or _header_height(body[0], len(body) - 1)
    head, data = body[:height], body[height:]
    width = max(len(r.cells) for r in head)
    levels: list[tuple[str, ...]] = []
    for col in range(width):
        parts: list[str] = []
        for r in head:
            text = normalise_header(r.cells[col]) if col < len(r.cells) else ""
            if text and text not in parts:
                parts.append(text)
        levels.append(tuple(parts))
    headers = [" ".join(parts) for parts in levels]
    fractional = frozenset(c for r in head for c in r.fractional)
    data = [r for r in data if not is_note(r.cells)]
    return Table(headers, levels, head[0].where, data, fractional=fractional)


def _bare(text: str) -> str:
    return split_unit(text)[0] or normalise_header(text)


def column(table: Table, wanted: Any, option: str) -> int:
    """The column ``wanted`` names: an index, a header (with or without its unit), or one
    level of a multi-row header that only one column has."""
    if isinstance(wanted, str) and wanted.isdigit() and wanted not in table.headers:
        wanted = int(wanted)  # a TOML key is always a string: "0" in a filter is an index
    try:
        return find_column(table.headers, wanted)
    except LookupError as exc:
        if isinstance(wanted, str):
            target = normalise_header(wanted)
            hits = [
                i
                for i, parts in enumerate(table.levels)
                if any(p == target or _bare(p) == _bare(target) for p in parts)
            ]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                shown = ", ".join(repr(table.headers[i]) for i in hits)
                raise FetchError(
                    f"{option}: {wanted!r} is in several headers ({shown}); name one in full",
                    where=table.where,
                ) from None
        raise FetchError(f"{option}: {exc.args[0]}", where=table.where) from None


def _cell(row: Cells, idx: int) -> str:
    return row.cells[idx] if idx < len(row.cells) else ""  # short rows: blank cells


def _matches(row: Cells, wanted: Mapping[int, str]) -> bool:
    for idx, value in wanted.items():
        cell = normalise_header(_cell(row, idx))
        if cell != value and _bare(cell) != _bare(value):
            return False
    return True


def _filter_hint(table: Table, filters: Mapping[int, str]) -> str:
    parts = []
    for idx in filters:
        seen: list[str] = []
        for row in table.rows:
            text = normalise_header(_cell(row, idx))
            if text and text not in seen:
                seen.append(text)
        shown = ", ".join(repr(s) for s in seen[:12]) + (", …" if len(seen) > 12 else "")
        parts.append(f"{table.headers[idx]!r} has {shown or 'nothing'}")
    return "; ".join(parts)


def reading(
    cell: str,
    period_text: str | tuple[str, str],
    *,
    indicator: str,
    where: str,
    origin: str,
    scale: float,
    unit: str = "",
) -> Reading:
    """One reading from a period spelling (or a year and a BLS period code) and a cell;
    ``scale`` applied exactly, to the value and to the ``unit`` the publisher states."""
    try:
        if isinstance(period_text, tuple):
            period = join_year_period(*period_text)
        else:
            period = parse_period(period_text)
    except PeriodError as exc:
        raise FetchError(str(exc), where=where) from None
    try:
        q = parse_quantity(cell)
    except NumberError as exc:
        raise FetchError(str(exc), where=where) from None
    if q.percent and unit and parse_unit(unit).amount:
        raise FetchError(
            f"the cell {cell.strip()!r} is a percentage, but the table states its unit as"
            f" {unit!r}: the column or the unit is not what it seems",
            where=where,
        )
    value = None if q.value is None else scale_exact(q.value, scale)
    return Reading(
        indicator,
        period,
        value,
        status=q.status,
        qualifier=q.qualifier,
        origin=origin,
        # A cell written "15.2%" states its unit as much as a header does.
        unit=rescaled(unit or ("%" if q.percent else ""), scale),
    )


def readings_from_table(
    table: Table, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """Readings for ``indicator`` under the shared options; errors name the row or header."""
    filters = {
        column(table, key, f"filter.{key}"): normalise_header(str(value))
        for key, value in dict(options.get("filter") or {}).items()
    }
    selected = [r for r in table.rows if _matches(r, filters)]
    scale = float(options.get("scale", 1.0))
    if options.get("layout", "long") == "wide":
        if len(selected) != 1:
            hint = "change `filter`" if filters else "add `filter = { column = value }`"
            found = f" ({_filter_hint(table, filters)})" if filters and not selected else ""
            raise FetchError(
                f"the wide layout needs exactly one row; {len(selected)} rows match{found}: {hint}",
                where=table.where,
            )
        wide = _wide(table, selected[0], options, indicator, origin, scale)
        return one_frequency(wide, table.where, options.get("frequency"))
    if filters and not selected:
        raise FetchError(
            f"no data rows match `filter` ({_filter_hint(table, filters)}): the series is empty",
            where=table.where,
        )
    long = _long(table, selected, options, indicator, origin, scale)
    return one_frequency(long, table.where, options.get("frequency"))


def _kind(period: Period) -> PeriodKind:
    # Days and instants mix (a column of dates, some with a time of day).
    return PeriodKind.DAY if period.kind is PeriodKind.INSTANT else period.kind


def one_frequency(
    readings: list[Reading], where: str, frequency: str | None = None
) -> list[Reading]:
    """The readings of one period kind: those of ``frequency`` when it is given, else
    all of them, refused when they are of several kinds (a year among months).

    Statistics tables often stack an annual row, quarterly rows and monthly rows under
    one header (as ONS time-series downloads do), or a year's total beside its months.
    Stored as one indicator, the annual figure would be charted among the months and
    could be shown as the latest one: a silently wrong figure. ``frequency`` (a key of
    :data:`FREQUENCIES`: ``"month"``, ``"quarter"``, ``"year"`` …) keeps the rows of that
    kind and drops the others; a kind the series does not have is an error naming the
    kinds it has.
    """
    kinds: dict[PeriodKind, list[Reading]] = {}
    for r in readings:
        kinds.setdefault(_kind(r.period), []).append(r)

    def shown() -> str:  # only for an error: a series of one kind is the common case
        return "; ".join(
            f"{kind}: {', '.join(r.period.key for r in of_kind[:3])}"
            f"{', …' if len(of_kind) > 3 else ''}"
            for kind, of_kind in kinds.items()
        )

    if frequency is not None:
        wanted = FREQUENCIES.get(str(frequency))
        if wanted is None:
            raise FetchError(
                f"frequency {frequency!r} is not one of {', '.join(FREQUENCIES)}", where=where
            )
        kept = kinds.get(wanted, [])
        if not kept:
            raise FetchError(
                f"frequency = {frequency!r}: no {wanted.value} periods; the periods are {shown()}",
                where=where,
            )
        return kept
    if len(kinds) > 1:
        raise FetchError(
            f"the periods are of {len(kinds)} kinds ({shown()}): one indicator has one frequency; "
            'set `frequency` (e.g. frequency = "month") to keep one kind, `filter` on a column '
            "that tells the rows apart, or read a table of one frequency",
            where=where,
        )
    return readings


def _long(
    table: Table,
    rows: list[Cells],
    options: Mapping[str, Any],
    indicator: str,
    origin: str,
    scale: float,
) -> list[Reading]:
    for key in ("period_column", "value_column"):
        if options.get(key) is None:
            raise FetchError(f"the long layout needs `{key}`", where=table.where)
    p_col = column(table, options["period_column"], "period_column")
    v_col = column(table, options["value_column"], "value_column")
    y_col = None
    if options.get("year_column") is not None:
        y_col = column(table, options["year_column"], "year_column")
    unit_idx = None if table.headerless else unit_column(table.headers)
    if table.headerless:
        data = _after_labels(rows, p_col)
        labels = rows[: len(rows) - len(data)]
        stated, rows = labelled_unit((r.cells for r in labels), p_col, v_col), data
    else:
        stated = header_unit(table.levels[v_col])
    if not rows:
        raise FetchError("no data rows: the series is empty", where=table.where)
    readings: dict[str, tuple[str, Reading]] = {}
    for row in rows:
        period_cell = _cell(row, p_col)
        if p_col in row.fractional:
            raise FetchError(_fractional_period(period_cell, p_col), where=row.where)
        r = reading(
            _cell(row, v_col),
            period_cell if y_col is None else (_cell(row, y_col), period_cell),
            indicator=indicator,
            where=row.where,
            origin=origin,
            scale=scale,
            unit=cell(row.cells, unit_idx) or stated,
        )
        if r.period.key in readings:
            first = readings[r.period.key][0]
            raise FetchError(
                f"period {r.period.key} appears again (first at {first}); "
                "add a `filter` so one row remains per period",
                where=row.where,
            )
        readings[r.period.key] = (row.where, r)
    return [r for _, r in readings.values()]


def _column_letter(idx: int) -> str:
    letters = ""
    idx += 1
    while idx:
        idx, rest = divmod(idx - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fractional_period(text: str, idx: int) -> str:
    return (
        f"column {_column_letter(idx)}: the period is the number {text} with a fractional "
        "part, which is ambiguous (2024.10 typed as a number is stored as 2024.1 and would "
        "read as January); type the month as text (2024-10, 2024年10月) or as a date"
    )


def _after_labels(rows: list[Cells], p_col: int) -> list[Cells]:
    """A headerless table's rows from the first one whose period cell holds a digit.

    The rows above are the publisher's labels (ONS: ``Title``, ``CDID``, ``Source
    dataset ID``, ``Unit``, ``Release date`` …): words without a digit. A row with a
    digit is a period or a mistyped one, and is read (and refused if it is no period).
    """
    for i, row in enumerate(rows):
        if any(ch.isdigit() for ch in _cell(row, p_col)):
            return rows[i:]
    return []


def _period_of(parts: tuple[str, ...]) -> tuple[Period, str, tuple[str, ...]] | None:
    """The period a column's header names, its spelling, and the header's other levels."""
    for i, part in enumerate(parts):
        for text in (_bare(part), part):
            try:
                return parse_period(text), text, parts[:i] + parts[i + 1 :]
            except PeriodError:
                continue
    return None


# A header that starts with a year (1900-2099), names a part of a year (quarter, month,
# half, week, ten days) and is not a period is a period spelling this reader does not know:
# dropping its column would silently lose the figure (the newest quarter, say). A year-led
# header naming no part of a year ("2024年比上年增长") is not a period and is left out; a
# fiscal year (2012/13) is refused.
_YEAR_LIKE = re.compile(
    r"^(?:19|20)\d{2}(?!\d)(?:.*(?:季|月|半年|旬|周|[QqMmHhSsWw]\s*\d)|\s*/\s*\d)"
)


def _unread_period(parts: tuple[str, ...], target: str | None) -> str | None:
    """The level of a non-period header that starts with a year, if the column would be read."""
    for i, part in enumerate(parts):
        if _YEAR_LIKE.match(_bare(part)):
            others = parts[:i] + parts[i + 1 :]
            if target is None or any(o == target or _bare(o) == _bare(target) for o in others):
                return part
    return None


def _wide(
    table: Table,
    row: Cells,
    options: Mapping[str, Any],
    indicator: str,
    origin: str,
    scale: float,
) -> list[Reading]:
    wanted = options.get("value_column")
    target = normalise_header(str(wanted)) if isinstance(wanted, str) else None
    by_period: dict[str, list[tuple[int, str, str]]] = {}
    period_columns: set[int] = set()
    for idx, parts in enumerate(table.levels):
        found = _period_of(parts)
        if found is None:
            if (spelling := _unread_period(parts, target)) is not None:
                raise FetchError(
                    f"column {table.headers[idx]!r}: {spelling!r} starts with a year but is "
                    "not a period spelling this reader knows (e.g. 2021, 2021Q3, 2021年10月, "
                    "2021年一季度, 2021年上半年); it is refused rather than the column dropped",
                    where=table.where,
                )
            continue
        period, spelling, others = found
        period_columns.add(idx)
        if idx in table.fractional:
            raise FetchError(
                f"header {table.headers[idx]!r}: " + _fractional_period(spelling, idx),
                where=table.where,
            )
        if target is not None and not any(o == target or _bare(o) == _bare(target) for o in others):
            continue
        by_period.setdefault(period.key, []).append((idx, spelling, header_unit(others)))
    if not by_period:
        more = f" under {wanted!r}" if target is not None else ""
        raise FetchError(
            f"the wide layout needs period headers{more} (e.g. 2021, 2021Q3, 2021年10月); "
            f"the headers are: {excerpt(', '.join(table.headers), 160)}",
            where=table.where,
        )
    # The unit: the period column's own header (``2021年 同比增长(%)``), else the row's
    # 单位 cell, else the one unit its label cells state (``人口出生率(‰)``).
    row_unit = cell(row.cells, unit_column(table.headers)) or label_unit(row.cells, period_columns)
    out = []
    for key, columns in by_period.items():
        if len(columns) > 1:
            shown = ", ".join(repr(table.headers[i]) for i, _, _ in columns)
            raise FetchError(
                f"period {key} has {len(columns)} columns ({shown}); set `value_column` to "
                "the heading of the one to read",
                where=table.where,
            )
        idx, spelling, unit = columns[0]
        out.append(
            reading(
                _cell(row, idx),
                spelling,
                indicator=indicator,
                where=f"{row.where} column {table.headers[idx]!r}",
                origin=origin,
                scale=scale,
                unit=unit or row_unit,
            )
        )
    return out
