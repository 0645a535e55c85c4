"""SDMX-JSON 2.0 dimension group attributes (``dataSets[].dimensionGroupAttributes``).

A row's key has one position per dimension of the message, in the order the message
lists them (data set, series, then observation level: in the specification's
constructed sample ``"0::0::0:"`` names FREQ, EXR_TYPE and CURRENCY, the dimensions its
attribute UNIT_MEAS is related to); an empty position matches any value. Its value is
one entry per ``structure.attributes.dimensionGroup`` attribute, ``null`` or omitted at
the end for none. An attribute whose ``relationship.dimensions`` is given is read only
from rows that name exactly those dimensions (a row can carry cells for attributes of
other relationships); when no row names them, the keys cannot be matched to the
attribute and the message is refused rather than a unit or multiplier guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from lishi_tui.plugin import FetchError, Repeated

if TYPE_CHECKING:
    from . import _Attribute, _Dimension

Row = tuple[dict[str, str], list[Any]]


def group_rows(rows: Any, dims: Sequence[_Dimension], where: str) -> list[Row]:
    """``[(constraint {dimension id: code}, cells)]`` of a ``dimensionGroupAttributes`` object."""
    if rows is None:
        return []
    if not isinstance(rows, Mapping):
        raise FetchError("'dimensionGroupAttributes' should be an object", where=where)
    out: list[Row] = []
    for key, value in rows.items():
        for cells in value if isinstance(value, Repeated) else [value]:
            positions = str(key).split(":")
            if len(positions) != len(dims):
                raise FetchError(
                    f"dimensionGroupAttributes key {key!r} has {len(positions)} positions, "
                    f"the message {len(dims)} dimensions ({', '.join(d.id for d in dims)})",
                    where=where,
                )
            constraint: dict[str, str] = {}
            for dim, pos in zip(dims, positions, strict=True):
                if pos == "":
                    continue
                if not pos.isdigit() or int(pos) >= len(dim.codes):
                    raise FetchError(
                        f"dimensionGroupAttributes key {key!r}: {pos!r} is not a {dim.id} "
                        "value index",
                        where=where,
                    )
                constraint[dim.id] = dim.codes[int(pos)]
            out.append((constraint, cells if isinstance(cells, list) else []))
    return out


def is_value_index(index: object, definition: _Attribute) -> TypeGuard[int]:
    """Whether ``index`` (from a message) points into ``definition``'s values."""
    return (
        isinstance(index, int)
        and not isinstance(index, bool)
        and 0 <= index < len(definition.values)
    )


def _cell(definition: _Attribute, cells: list[Any], i: int) -> str | None:
    index = cells[i] if i < len(cells) else None
    if is_value_index(index, definition):
        return definition.values[index]  # a null entry: no value
    return None


def check_groups(defs: Sequence[_Attribute], rows: Sequence[Row], where: str) -> None:
    """Refuse rows that give an attribute values no row's key can attach to it."""
    for i, definition in enumerate(defs):
        if definition.relationship is None:
            continue
        given = [c for c, cells in rows if _cell(definition, cells, i) is not None]
        if given and not any(set(c) == definition.relationship for c, _ in rows):
            raise FetchError(
                f"dimension group attribute {definition.id} is related to "
                f"{sorted(definition.relationship)}, but the dimensionGroupAttributes keys "
                f"that give it name {sorted(given[0])}: cannot tell which series it applies to",
                where=where,
            )


def group_values(
    defs: Sequence[_Attribute], rows: Sequence[Row], codes: Mapping[str, str], where: str
) -> dict[str, str]:
    """``{concept or id: code}`` of the group attributes for an observation's full key."""
    out: dict[str, str] = {}
    for i, definition in enumerate(defs):
        value: str | None = None
        for constraint, cells in rows:
            if definition.relationship is not None and set(constraint) != definition.relationship:
                continue
            if any(codes.get(dim) != code for dim, code in constraint.items()):
                continue
            got = _cell(definition, cells, i)
            if got is not None and value is not None and got != value:
                raise FetchError(
                    f"dimension group attribute {definition.id} is given both {value!r} and "
                    f"{got!r} for the series {dict(codes)}; refusing to pick one",
                    where=where,
                )
            value = got if got is not None else value
        if value is None:
            value = definition.default
        if value is not None:
            out[definition.key(value)] = value
    return out
