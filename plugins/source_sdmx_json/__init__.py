"""The ``sdmx_json`` source type: SDMX-JSON data messages (ECB, OECD, IMF, ABS, .Stat Suite style).

SDMX-JSON 2.0 (``data.structures`` + ``data.dataSets``) and 1.0 (``data.structure`` or a
top-level ``structure``/``dataSets``) are read the same way, in every layout a service
answers with (its ``dimensionAtObservation``):

- time series (``dataSets[].series["0:1"].observations["3"]``, time at observation level);
- flat, ``AllDimensions`` (``dataSets[].observations["0:1:3"]``, every dimension in the key);
- cross-section (the time dimension at series level, another dimension per observation).

Every observation is decoded against all the message's dimensions: those fixed for the
whole data set (``structure.dimensions.dataSet``), the series key and the observation key.
``series = { DIMENSION = "CODE" }`` may name a dimension of any of these levels, and must
leave exactly one series (all dimensions but time fixed); otherwise the error names the
series that remain. A series key that the message repeats (some .Stat Suite servers send
one copy per observation) is merged; an observation sent twice with different values is
refused, never dropped.

Unit multiplier: ``UNIT_MULT`` says figures are in units of 10^UNIT_MULT. Readings are
given in units of 10^``unit_mult`` (the option, default 0: base units), so a value is
multiplied by 10^(UNIT_MULT − unit_mult), in decimal arithmetic: 5228.33 thousand is
5228330 exactly. ``DECIMALS`` is a display hint and never rounds the stored value.
``OBS_STATUS`` (and ``CONF_STATUS``) set the reading's status; they, the unit and its
multiplier are kept in the reading's note.

Attributes are found by their SDMX role (``"role"``, a string or in 2.0 a list) first,
then by id: the multiplier is role ``UNIT_MULT`` or id ``UNIT_MULT``/``POWERCODE`` (OECD.Stat),
or IMF's ``SCALE`` when its value is an integer code (otherwise ``SCALE`` is only noted);
the unit is role ``UNIT_MEASURE`` or id ``UNIT``/``UNIT_MEASURE``/``UNIT_MEAS``. A ``null``
entry in an attribute's ``values`` means no value: the attribute's default, if any.
Dimension group attributes (2.0) apply to the observations whose key their row matches
(see ``groups``); observation level beats series, group and data set level.
A ``detail=nodata`` (or ``measures=none``) reply, whose observations are attribute
indexes only, looks like data; it is refused when the query or the message says so (see
``nodata``: the body's shape alone cannot tell).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lishi_tui.plugin import (
    HTTP_OPTIONS,
    FetchError,
    NumberError,
    ObservationStatus,
    Option,
    OptionKind,
    PeriodError,
    Reading,
    Repeated,
    excerpt,
    http_source_type,
    load_json,
    parse_number,
    parse_period,
    scale_exact,
    source_types_hook,
    status_from_code,
    strip_control,
)

from .groups import check_groups, group_rows, group_values, is_value_index
from .nodata import no_values_reason

OPTIONS: dict[str, Option] = {
    "url": Option(OptionKind.URL, required=True, help="the SDMX REST data query URL"),
    "series": Option(
        OptionKind.TABLE,
        default={},
        help='{ DIMENSION = "CODE" }: picks the one series; dimensions with one value may be left out',
    ),
    "unit_mult": Option(
        OptionKind.INT, default=0, help="power of ten of the unit readings are given in"
    ),
    "accept": Option(
        OptionKind.STR,
        default="application/vnd.sdmx.data+json;version=2.0.0",
        help="the Accept header sent (some servers answer XML unless asked for JSON)",
    ),
} | HTTP_OPTIONS

# CL_CONF_STATUS codes under which no figure may be shown.
CONFIDENTIAL = frozenset({"C", "D", "N", "S"})
# Attributes worth keeping beside a figure, in the order the note lists them.
KEPT_ATTRIBUTES = ("OBS_STATUS", "CONF_STATUS", "UNIT_MEASURE", "UNIT_MULT", "SCALE", "DECIMALS")
TIME_IDS = frozenset({"TIME_PERIOD", "TIME"})
# The unit concept (an attribute, or a dimension) and the codes of it that are
# percentages: OECD and the SDMX codelists' PC and PT, ECB's PCPA and PCCH, IMF's PC_PA.
# Only these are stated as the reading's unit: currency and count codes (XDC, EUR,
# NUMBER) are nothing the collector could compare.
UNIT_IDS = ("UNIT_MEASURE", "UNIT", "UNIT_MEAS")
PERCENT_CODES = frozenset({"PC", "PT", "PCPA", "PC_PA", "PCCH"})


@dataclass(frozen=True)
class _Dimension:
    id: str
    codes: tuple[str, ...]
    time: bool


@dataclass(frozen=True)
class _Attribute:
    id: str
    values: tuple[str | None, ...]
    default: str | None
    concept: str | None  # the KEPT_ATTRIBUTES name it stands for, "SCALE", or None
    relationship: frozenset[str] | None = None  # dimensionGroup: the dimensions it hangs on

    def key(self, value: str) -> str:
        """The name ``value`` is kept under: its concept's, else the attribute's id."""
        if self.concept == "SCALE":  # IMF's multiplier, only when it is a power of ten
            return "UNIT_MULT" if _INTEGER.fullmatch(value.strip()) else "SCALE"
        return self.concept or self.id


# Concepts read here, found by the attribute's SDMX role first, then by its id.
_ROLES = {
    "UNIT_MULT": ("UNIT_MULT",),
    "UNIT_MEASURE": ("UNIT_MEASURE", "UNIT_MEAS"),
    "OBS_STATUS": ("OBS_STATUS",),
    "CONF_STATUS": ("CONF_STATUS",),
    "DECIMALS": ("DECIMALS",),
}
_IDS = {
    "UNIT_MULT": ("UNIT_MULT", "POWERCODE"),  # OECD.Stat: POWERCODE, role UNIT_MULT
    "UNIT_MEASURE": ("UNIT_MEASURE", "UNIT", "UNIT_MEAS"),
    "OBS_STATUS": ("OBS_STATUS",),
    "CONF_STATUS": ("CONF_STATUS",),
    "DECIMALS": ("DECIMALS",),
    "SCALE": ("SCALE",),  # IMF SDMX 3.0
}
_INTEGER = re.compile(r"[+-]?\d+")


def _concept(ident: str, roles: Any) -> str | None:
    # "role" is a string in 1.0 and may be a list of strings in 2.0 (or null).
    roles = [roles] if isinstance(roles, str) else roles if isinstance(roles, list) else []
    upper = {str(r).upper() for r in roles}
    for concept, names in _ROLES.items():
        if upper & set(names):
            return concept
    for concept, names in _IDS.items():
        if ident.upper() in names:
            return concept
    return None


def _code(value: Any) -> str | None:
    if value is None:  # SDMX-JSON 2.0: a null attribute value stands for "no value"
        return None
    if not isinstance(value, Mapping):
        return str(value)
    for key in ("id", "value", "name"):
        if value.get(key) not in (None, ""):
            return str(value[key])
    return ""


def _level(node: Mapping[str, Any], level: str) -> Any:
    # 1.0 drafts spell the data set level "dataset"; the standard spells it "dataSet".
    if level == "dataSet" and "dataSet" not in node:
        return node.get("dataset", [])
    return node.get(level, [])


def _dimensions(nodes: Any, where: str, level: str) -> list[_Dimension]:
    if not isinstance(nodes, list):
        raise FetchError(f"structure {level} dimensions should be a list", where=where)
    dims = []
    for node in nodes:
        if not isinstance(node, Mapping) or not isinstance(node.get("values"), list):
            raise FetchError(
                f"a {level} dimension has no 'values': {excerpt(node, 80)}", where=where
            )
        roles = node.get("roles", node.get("role", []))
        roles = [roles] if isinstance(roles, str) else roles
        ident = str(node.get("id", "?"))
        is_time = ident in TIME_IDS or "TIME_PERIOD" in (roles or [])
        codes = tuple(str(_code(v)) for v in node["values"])
        dims.append(_Dimension(ident, codes, is_time))
    return dims


def _attributes(structure: Mapping[str, Any], level: str) -> list[_Attribute]:
    attrs = structure.get("attributes") or {}
    defs = _level(attrs, level) if isinstance(attrs, Mapping) else None
    if not isinstance(defs, list):
        return []
    out = []
    for d in defs:
        if isinstance(d, Mapping):
            ident = str(d.get("id"))
            values = tuple(_code(v) for v in d.get("values") or [])
            default = d.get("default")
            relation = d.get("relationship")
            dims = relation.get("dimensions") if isinstance(relation, Mapping) else None
            out.append(
                _Attribute(
                    ident,
                    values,
                    None if default is None else str(default),
                    _concept(ident, d.get("roles", d.get("role"))),
                    frozenset(map(str, dims)) if isinstance(dims, list) else None,
                )
            )
    return out


def _attribute_value(definition: _Attribute, index: Any) -> str | None:
    """The code an index names; a null entry of ``values`` means no value (the default)."""
    if is_value_index(index, definition):
        value = definition.values[index]
        return definition.default if value is None else value
    return None


def _attribute_values(defs: Sequence[_Attribute], indexes: Any) -> dict[str, str]:
    """``{concept or attribute id: code}`` from a list of indexes into each attribute's values.

    A missing or null index falls back to the attribute's ``default``, and to its only
    value when it has exactly one (as data set level attributes are often sent).
    """
    given = indexes if isinstance(indexes, list) else []
    out: dict[str, str] = {}
    for i, definition in enumerate(defs):
        index = given[i] if i < len(given) else None
        value: str | None = None
        if index is not None:
            value = _attribute_value(definition, index)
        elif not isinstance(indexes, list) and len(definition.values) == 1:
            value = definition.values[0] or definition.default
        else:
            value = definition.default
        if value is not None:
            out[definition.key(value)] = value
    return out


def _error_reply(document: Any) -> str | None:
    """The text of a non-empty ``errors`` array (an empty one is normal .Stat Suite output)."""
    errors = document.get("errors") if isinstance(document, Mapping) else None
    if not isinstance(errors, list) or not errors:
        return None
    texts = []
    for e in errors:
        if isinstance(e, Mapping):
            texts.append(f"{e.get('code', '')} {e.get('title') or e.get('detail') or ''}")
        else:
            texts.append(str(e))
    return strip_control("; ".join(t.strip() for t in texts)) or "an error without text"


def _parts(document: Any, where: str) -> tuple[list[Any], list[Any]]:
    """(dataSets, structures) of a 2.0 or 1.0 message."""
    if not isinstance(document, Mapping):
        raise FetchError(f"expected an SDMX-JSON object; got: {excerpt(document)}", where=where)
    data = document.get("data", document)
    if not isinstance(data, Mapping) or "dataSets" not in data:
        raise FetchError(
            f"path 'data.dataSets' did not match: not an SDMX-JSON data message; "
            f"got: {excerpt(document)}",
            where=where,
        )
    if "structures" in data:
        structures = data["structures"]
    elif "structure" in data:
        structures = [data["structure"]]
    elif "structure" in document:
        structures = [document["structure"]]
    else:
        raise FetchError("path 'data.structures' did not match: no structure", where=where)
    datasets = data["dataSets"]
    if not isinstance(datasets, list) or not isinstance(structures, list):
        raise FetchError("'data.dataSets' and 'data.structures' should be lists", where=where)
    return datasets, structures


@dataclass(frozen=True)
class _Obs:
    """One observation decoded against every dimension, with the attributes that apply."""

    codes: dict[str, str]
    raw: Any
    attrs: dict[str, str]
    where: str


@dataclass(frozen=True)
class _Layout:
    dataset: list[_Dimension]
    series: list[_Dimension]
    observation: list[_Dimension]

    @property
    def all(self) -> list[_Dimension]:
        return self.dataset + self.series + self.observation

    @property
    def time(self) -> _Dimension | None:
        return next((d for d in self.all if d.time), None)


def _layout(structure: Any, where: str) -> _Layout:
    if not isinstance(structure, Mapping) or not isinstance(structure.get("dimensions"), Mapping):
        raise FetchError(
            f"path 'structures[].dimensions' did not match; got: {excerpt(structure)}",
            where=where,
        )
    dims = structure["dimensions"]
    return _Layout(
        _dimensions(_level(dims, "dataSet"), where, "dataSet"),
        _dimensions(dims.get("series", []), where, "series"),
        _dimensions(dims.get("observation", []), where, "observation"),
    )


def _entries(mapping: Any, what: str, where: str) -> Iterator[tuple[str, Any]]:
    """Items of a series or observations object, repeated keys given once per copy."""
    if not isinstance(mapping, Mapping):
        raise FetchError(f"'{what}' should be an object; got {excerpt(mapping)}", where=where)
    for key, value in mapping.items():
        for copy in value if isinstance(value, Repeated) else [value]:
            yield str(key), copy


def _decode_key(key: str, dims: Sequence[_Dimension], where: str) -> dict[str, str]:
    positions = key.split(":") if key else []
    if len(positions) != len(dims):
        raise FetchError(
            f"key {key!r} has {len(positions)} positions, the structure "
            f"{len(dims)} dimensions ({', '.join(d.id for d in dims) or 'none'})",
            where=where,
        )
    codes = {}
    for dim, pos in zip(dims, positions, strict=True):
        if not pos.isdigit() or int(pos) >= len(dim.codes):
            raise FetchError(f"key {key!r}: {pos!r} is not a {dim.id} value index", where=where)
        codes[dim.id] = dim.codes[int(pos)]
    return codes


def _observations(
    dataset: Mapping[str, Any],
    structure: Mapping[str, Any],
    layout: _Layout,
    where: str,
    empty: list[dict[str, str]],
) -> list[_Obs]:
    """Every observation of ``dataset``; series without any are added to ``empty``."""
    fixed: dict[str, str] = {}
    for dim in layout.dataset:
        if len(dim.codes) != 1:
            raise FetchError(
                f"data set level dimension {dim.id} has {len(dim.codes)} values; expected one",
                where=where,
            )
        fixed[dim.id] = dim.codes[0]
    ds_attrs = _attribute_values(_attributes(structure, "dataSet"), dataset.get("attributes"))
    series_defs = _attributes(structure, "series")
    obs_defs = _attributes(structure, "observation")
    group_defs = _attributes(structure, "dimensionGroup")
    rows = group_rows(dataset.get("dimensionGroupAttributes"), layout.all, where)
    check_groups(group_defs, rows, where)
    by_key: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    out: list[_Obs] = []

    def add(codes: dict[str, str], inherited: dict[str, str], key: str, obs: Any, at: str) -> None:
        # Observation level beats series level beats dimension group beats data set level.
        here = f"{at} observation {key!r}"
        if not isinstance(obs, list) or not obs:
            raise FetchError(f"an observation should be [value, attributes…]: {obs!r}", where=here)
        full = tuple(sorted(codes.items()))
        if full not in by_key:
            by_key[full] = group_values(group_defs, rows, codes, here) if group_defs else {}
        attrs = ds_attrs | by_key[full] | inherited | _attribute_values(obs_defs, obs[1:])
        out.append(_Obs(codes, obs[0], attrs, here))

    if "series" in dataset and dataset["series"] is not None:
        for key, series in _entries(dataset["series"], "series", where):
            at = f"{where} series {key!r}"
            if not isinstance(series, Mapping):
                raise FetchError(f"a series should be an object: {excerpt(series, 80)}", where=at)
            codes = fixed | _decode_key(key, layout.series, at)
            attrs = _attribute_values(series_defs, series.get("attributes"))
            if not series.get("observations"):
                empty.append(codes)
            for okey, obs in _entries(series.get("observations") or {}, "observations", at):
                add(codes | _decode_key(okey, layout.observation, at), attrs, okey, obs, at)
    elif isinstance(dataset.get("observations"), Mapping):
        # Flat (AllDimensions): every key names the series and observation dimensions.
        dims = layout.series + layout.observation
        for key, obs in _entries(dataset["observations"], "observations", where):
            add(fixed | _decode_key(key, dims, where), {}, key, obs, where)
    else:
        raise FetchError(
            f"dataset has neither 'series' nor 'observations'; got: {excerpt(dataset)}",
            where=where,
        )
    return out


def _series_name(codes: Mapping[str, str], varying: Sequence[str]) -> str:
    return ", ".join(f"{d}={codes[d]}" for d in varying) or "(one series)"


def parse_sdmx_json(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """The readings of the one series ``options["series"]`` picks."""
    document = load_json(content, origin, repeated="keep")
    if (message := _error_reply(document)) is not None:
        raise FetchError(f"SDMX service error: {message}", where=origin)
    datasets, structures = _parts(document, origin)
    if reason := no_values_reason(document, options, structures):
        raise FetchError(f"the reply has no observation values {reason}", where=origin)
    wanted = {str(k): str(v) for k, v in dict(options.get("series") or {}).items()}
    unit_mult = int(options.get("unit_mult", 0))
    observations: list[_Obs] = []
    empty: list[dict[str, str]] = []
    layout: _Layout | None = None
    for d, dataset in enumerate(datasets):
        where = f"{origin} dataSets[{d}]"
        if not isinstance(dataset, Mapping):
            continue
        if str(dataset.get("action", "Information")).lower() == "delete":
            raise FetchError(
                "the data set's action is Delete: it withdraws observations and carries no "
                "figures to store",
                where=where,
            )
        s_index = dataset.get("structure", 0)
        if not isinstance(s_index, int) or not 0 <= s_index < len(structures):
            raise FetchError(f"dataSets[{d}] names structure {s_index!r}, absent", where=origin)
        layout = _layout(structures[s_index], where)
        _check_names(wanted, layout, where)
        observations += _observations(dataset, structures[s_index], layout, where, empty)
    if layout is None:
        raise FetchError("the message has no data sets: the series is empty", where=origin)
    time = layout.time
    if time is None:
        raise FetchError(
            "the message has no time dimension (its dimensions are "
            f"{', '.join(d.id for d in layout.all)}), so its figures have no period; "
            "query a data flow that has TIME_PERIOD",
            where=origin,
        )
    return _pick(observations, empty, wanted, layout, time, unit_mult, indicator, origin)


def _check_names(wanted: Mapping[str, str], layout: _Layout, where: str) -> None:
    known = [d.id for d in layout.all if not d.time]
    time = sorted(d.id for d in layout.all if d.time and d.id in wanted)
    if time:
        raise FetchError(
            f"series names {time[0]}, the time dimension: every period of the series is read, "
            f"so leave it out; the other dimensions are {known}",
            where=where,
        )
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise FetchError(
            f"series names dimension(s) {unknown} that the message does not have; it has {known}",
            where=where,
        )


def _pick(
    observations: list[_Obs],
    empty: list[dict[str, str]],
    wanted: Mapping[str, str],
    layout: _Layout,
    time: _Dimension,
    unit_mult: int,
    indicator: str,
    origin: str,
) -> list[Reading]:
    keyed = [d.id for d in layout.all if not d.time]
    groups: dict[tuple[str, ...], list[_Obs]] = {}
    for obs in observations:
        if all(obs.codes.get(dim) == code for dim, code in wanted.items()):
            groups.setdefault(tuple(obs.codes[d] for d in keyed), []).append(obs)
    if not groups and any(
        all(codes.get(dim) == code for dim, code in wanted.items()) for codes in empty
    ):
        raise FetchError(
            f"the series that series = {wanted} picks has no observations: the series is empty",
            where=origin,
        )
    if not groups:
        hint = "; ".join(
            f"{d.id}: {', '.join(d.codes[:8])}{', …' if len(d.codes) > 8 else ''}"
            for d in layout.all
            if not d.time
        )
        raise FetchError(
            f"no series matches series = {wanted}; the codes are {hint or 'none'}", where=origin
        )
    if len(groups) > 1:
        varying = [d for i, d in enumerate(keyed) if len({k[i] for k in groups}) > 1]
        names = "; ".join(
            _series_name(dict(zip(keyed, k, strict=True)), varying) for k in list(groups)[:6]
        )
        raise FetchError(
            f"{len(groups)} series match series = {wanted} ({names}); "
            f"name {', '.join(varying)} in `series`",
            where=origin,
        )
    (chosen,) = groups.values()
    readings: dict[str, tuple[_Obs, Reading]] = {}
    for obs in chosen:
        reading = _reading(obs, time, unit_mult, indicator, origin)
        key = reading.period.key
        if key in readings:
            first, earlier = readings[key]
            if (earlier.value, earlier.status) != (reading.value, reading.status):
                raise FetchError(
                    f"period {key} is sent twice with different values ({first.raw!r} at "
                    f"{first.where}, {obs.raw!r}); refusing to pick one",
                    where=obs.where,
                )
            continue  # the same observation repeated with its series key: merged
        readings[key] = (obs, reading)
    if not readings:
        raise FetchError("the series has no observations: the series is empty", where=origin)
    return sorted((r for _, r in readings.values()), key=lambda r: r.period)


def _reading(obs: _Obs, time: _Dimension, unit_mult: int, indicator: str, origin: str) -> Reading:
    attrs = obs.attrs
    try:
        period = parse_period(obs.codes[time.id])
        value = parse_number(obs.raw)
    except (PeriodError, NumberError) as exc:
        raise FetchError(str(exc), where=obs.where) from None
    status = status_from_code(attrs.get("OBS_STATUS"))
    if attrs.get("CONF_STATUS") in CONFIDENTIAL:
        status = ObservationStatus.MISSING
    if status is ObservationStatus.MISSING:
        value = None
    power = 0  # the power of ten the value is read at; a stated unit holds only at 0
    if value is not None:
        power = _power(attrs, unit_mult, obs.where)
        value = scale_exact(value, power_of_ten=power)
    note = "; ".join(
        f"{name} {attrs[name]}"
        for name in KEPT_ATTRIBUTES
        if attrs.get(name) and not (name == "OBS_STATUS" and attrs[name] == "A")
    )
    return Reading(
        indicator,
        period,
        value,
        status=status,
        origin=origin,
        note=note,
        unit=_unit(obs) if power == 0 else "",
    )


def _unit(obs: _Obs) -> str:
    """ "%" when the observation's unit code is a percentage (its value read unscaled)."""
    for concept in UNIT_IDS:
        if code := obs.attrs.get(concept) or obs.codes.get(concept):
            return "%" if code.upper() in PERCENT_CODES else ""
    return ""


def _power(attrs: Mapping[str, str], unit_mult: int, where: str) -> int:
    """The power of ten a value is multiplied by: its UNIT_MULT less the `unit_mult` asked."""
    try:
        published_mult = int(attrs.get("UNIT_MULT") or 0)
    except ValueError:
        raise FetchError(
            f"UNIT_MULT is not an integer: {attrs.get('UNIT_MULT')!r}", where=where
        ) from None
    return published_mult - unit_mult


def _accept(options: Mapping[str, Any]) -> dict[str, str]:
    """The Accept header asked for; a configured `headers` entry overrides it."""
    return {"Accept": str(options.get("accept") or "application/json")}


SOURCE_TYPE = http_source_type(
    "sdmx_json",
    parse_sdmx_json,
    OPTIONS,
    description="SDMX-JSON data messages (ECB, OECD, IMF, ABS, .Stat Suite)",
    headers=_accept,
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
