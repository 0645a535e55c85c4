"""Where a statistics table states the unit of its figures, for ``Reading.unit``.

Offices state it in a few places, and the table reader looks in each:

- a ``单位`` (计量单位, unit) column: one unit per row, as NBS exports and most
  hand-made tables have;
- the value column's header: ``社会消费品零售总额(万元)``, ``同比增长(%)``; in a multi-row
  header, the lowest level that holds one;
- in the wide layout, the row's label: ``人口出生率(‰)``, when the row's other cells state
  one unit only;
- in a table without a header (ONS's downloads), the ``Unit`` label row above the data,
  else a unit in brackets in the value column's label rows.

What a unit means, and when it contradicts an indicator's, is :mod:`lishi_tui.domain.units`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lishi_tui.domain.units import UNIT_LABELS
from lishi_tui.sources.parsing import normalise_header, split_unit


def unit_column(headers: Sequence[str]) -> int | None:
    """The index of the table's unit column, if it has one."""
    for i, header in enumerate(headers):
        if normalise_header(header).lower() in UNIT_LABELS:
            return i
    return None


def header_unit(parts: Iterable[str]) -> str:
    """The unit a header states in brackets, from its lowest level that states one."""
    found = ""
    for part in parts:
        if unit := split_unit(part)[1]:
            found = unit
    return found


def cell(cells: Sequence[str], idx: int | None) -> str:
    return normalise_header(cells[idx]) if idx is not None and idx < len(cells) else ""


def label_unit(cells: Sequence[str], skip: Iterable[int]) -> str:
    """The one unit a wide row's label cells state in brackets (``人口出生率(‰)``), else ""."""
    skipped = set(skip)
    units = {
        unit for i, text in enumerate(cells) if i not in skipped and (unit := split_unit(text)[1])
    }
    return units.pop() if len(units) == 1 else ""


def labelled_unit(rows: Iterable[Sequence[str]], label_col: int, value_col: int) -> str:
    """In a headerless table's label rows, the cell beside a ``Unit`` label (ONS:
    ``"Unit","%"``), else the unit the value column's labels state (``累计(亿元)``)."""
    beside = bracketed = ""
    for cells in rows:
        if cell(cells, label_col).lower() in UNIT_LABELS:
            beside = beside or cell(cells, value_col)
        elif unit := split_unit(cell(cells, value_col))[1]:
            bracketed = unit
    return beside or bracketed
