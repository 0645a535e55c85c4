"""The ``sdmx_json`` source type: SDMX-JSON data messages (OECD, IMF, ECB, Eurostat style).

SDMX-JSON 2.0 (``data.structures`` + ``data.dataSets``) is the target; 1.0 messages
(``data.structure`` or top-level ``structure``/``dataSets``) are read the same way. Both the
series form (``dataSets[].series["0:1:0"].observations["3"]``) and the flat
``dimensionAtObservation=AllDimensions`` form (``dataSets[].observations["0:1:0:3"]``)
are understood.

Unit multiplier: a series' ``UNIT_MULT`` says its figures are in units of 10^UNIT_MULT.
Readings are given in units of 10^``unit_mult`` (the option, default 0: base units), so a
value is multiplied by 10^(UNIT_MULT − unit_mult). Set ``unit_mult = 8`` for an indicator
kept in 亿 (1e8), ``6`` for millions. ``DECIMALS`` is the precision the publisher vouches
for: the published value is rounded to it before scaling, which removes float noise such
as ``5.2000000001`` without inventing digits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lishi_tui import hookimpl
from lishi_tui.domain.model import ObservationStatus, Reading
from lishi_tui.domain.periods import PeriodError
from lishi_tui.hookspecs import RegisterSourceType
from lishi_tui.sources.api import FetchContext, FetchError, Option, OptionKind, SourceType
from lishi_tui.sources.parsing import (
    NumberError,
    excerpt,
    load_json,
    parse_number,
    parse_period,
    strip_control,
)

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
    "headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers"),
}

# SDMX code list CL_OBS_STATUS, folded onto the four statuses a panel can show.
STATUS_MAP: dict[str, ObservationStatus] = {
    "A": ObservationStatus.NORMAL,
    "P": ObservationStatus.PROVISIONAL,
    "E": ObservationStatus.ESTIMATED,
    "F": ObservationStatus.ESTIMATED,  # forecast
    "I": ObservationStatus.ESTIMATED,  # imputed
    "M": ObservationStatus.MISSING,  # data cannot exist
    "L": ObservationStatus.MISSING,  # data exist but were not collected
    "O": ObservationStatus.MISSING,
    "Q": ObservationStatus.MISSING,  # suppressed (confidential)
    "H": ObservationStatus.MISSING,  # holiday or weekend
}


@dataclass(frozen=True)
class _Dimension:
    id: str
    codes: tuple[str, ...]


def _dimensions(nodes: Any, where: str, what: str) -> list[_Dimension]:
    if not isinstance(nodes, list):
        raise FetchError(f"structure {what} dimensions should be a list", where=where)
    dims = []
    for node in nodes:
        if not isinstance(node, Mapping) or not isinstance(node.get("values"), list):
            raise FetchError(
                f"a {what} dimension has no 'values': {excerpt(node, 80)}", where=where
            )
        codes = tuple(
            str(v.get("id", "")) if isinstance(v, Mapping) else str(v) for v in node["values"]
        )
        dims.append(_Dimension(str(node.get("id", "?")), codes))
    return dims


def _attribute_defs(structure: Mapping[str, Any], level: str) -> list[Mapping[str, Any]]:
    attrs = structure.get("attributes") or {}
    defs = attrs.get(level) if isinstance(attrs, Mapping) else None
    return [d for d in defs if isinstance(d, Mapping)] if isinstance(defs, list) else []


def _attribute_values(defs: list[Mapping[str, Any]], indexes: Any) -> dict[str, str]:
    """``{attribute id: code}`` from a list of indexes into each attribute's ``values``."""
    out: dict[str, str] = {}
    if not isinstance(indexes, list):
        return out
    for definition, index in zip(defs, indexes, strict=False):
        values = definition.get("values") or []
        if (
            isinstance(index, int)
            and 0 <= index < len(values)
            and isinstance(values[index], Mapping)
        ):
            out[str(definition.get("id"))] = str(values[index].get("id", ""))
    return out


def _error_reply(document: Any) -> str | None:
    if isinstance(document, Mapping) and isinstance(document.get("errors"), list):
        texts = []
        for e in document["errors"]:
            if isinstance(e, Mapping):
                texts.append(f"{e.get('code', '')} {e.get('title') or e.get('detail') or ''}")
            else:
                texts.append(str(e))
        return strip_control("; ".join(t.strip() for t in texts)) or "an error without text"
    return None


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


def parse_sdmx_json(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """The readings of the one series ``options["series"]`` picks."""
    document = load_json(content, origin)
    if (message := _error_reply(document)) is not None:
        raise FetchError(f"SDMX service error: {message}", where=origin)
    datasets, structures = _parts(document, origin)
    wanted = {str(k): str(v) for k, v in dict(options.get("series") or {}).items()}
    unit_mult = int(options.get("unit_mult", 0))
    found: list[tuple[str, list[Reading]]] = []
    for d, dataset in enumerate(datasets):
        if not isinstance(dataset, Mapping):
            continue
        s_index = dataset.get("structure", 0)
        if not isinstance(s_index, int) or not 0 <= s_index < len(structures):
            raise FetchError(f"dataSets[{d}] names structure {s_index!r}, absent", where=origin)
        found += _dataset_series(
            dataset, structures[s_index], wanted, unit_mult, indicator, f"{origin} dataSets[{d}]"
        )
    if not found:
        raise FetchError(
            f"no series matches series = {wanted}; {_codes_hint(structures)}", where=origin
        )
    if len(found) > 1:
        keys = ", ".join(k for k, _ in found[:6])
        raise FetchError(
            f"{len(found)} series match series = {wanted} ({keys}); "
            "name more dimensions in `series`",
            where=origin,
        )
    key, readings = found[0]
    if not readings:
        raise FetchError(f"series {key} has no observations: the series is empty", where=origin)
    return [replace(r, origin=origin) for r in readings]


def _codes_hint(structures: Sequence[Any]) -> str:
    try:
        dims = structures[0]["dimensions"]["series"]
        parts = [
            f"{dim['id']}: {', '.join(str(v['id']) for v in dim['values'][:8])}" for dim in dims
        ]
        return "the codes are " + "; ".join(parts)
    except (KeyError, IndexError, TypeError):
        return "the message lists no series dimensions"


def _dataset_series(
    dataset: Mapping[str, Any],
    structure: Any,
    wanted: Mapping[str, str],
    unit_mult: int,
    indicator: str,
    where: str,
) -> list[tuple[str, list[Reading]]]:
    if not isinstance(structure, Mapping) or not isinstance(structure.get("dimensions"), Mapping):
        raise FetchError(
            f"path 'structures[].dimensions' did not match; got: {excerpt(structure)}",
            where=where,
        )
    dims = structure["dimensions"]
    series_dims = _dimensions(dims.get("series", []), where, "series")
    obs_dims = _dimensions(dims.get("observation", []), where, "observation")
    known = {d.id for d in series_dims + obs_dims}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise FetchError(
            f"series names dimension(s) {unknown} that the message does not have; "
            f"it has {sorted(known)}",
            where=where,
        )
    ds_attrs = _attribute_values(_attribute_defs(structure, "dataSet"), dataset.get("attributes"))
    series_defs = _attribute_defs(structure, "series")
    obs_defs = _attribute_defs(structure, "observation")
    time_pos = next(
        (i for i, d in enumerate(obs_dims) if d.id in ("TIME_PERIOD", "TIME")), len(obs_dims) - 1
    )
    groups: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}
    if isinstance(dataset.get("series"), Mapping):
        for key, series in dataset["series"].items():
            if not isinstance(series, Mapping):
                continue
            codes = _decode_key(key, series_dims, where)
            attrs = ds_attrs | _attribute_values(series_defs, series.get("attributes"))
            observations = series.get("observations") or {}
            groups[key] = (codes, {"attrs": attrs, "obs": observations})
    elif isinstance(dataset.get("observations"), Mapping):
        # AllDimensions: every key names every dimension; the time dimension is split off.
        all_dims = series_dims + obs_dims
        for key, obs in dataset["observations"].items():
            _decode_key(key, all_dims, where)
            positions = key.split(":")
            series_key = ":".join(positions[: len(series_dims)])
            codes = _decode_key(series_key, series_dims, where)
            group = groups.setdefault(series_key, (codes, {"attrs": ds_attrs, "obs": {}}))
            group[1]["obs"][positions[len(series_dims) + time_pos]] = obs
    else:
        raise FetchError(
            f"dataset has neither 'series' nor 'observations'; got: {excerpt(dataset)}",
            where=where,
        )
    out = []
    for key, (codes, body) in groups.items():
        if any(codes.get(dim) != code for dim, code in wanted.items() if dim in codes):
            continue
        readings = _observations(
            body["obs"],
            obs_dims[time_pos] if obs_dims else None,
            obs_defs,
            body["attrs"],
            unit_mult,
            indicator,
            f"{where} series {key}",
        )
        out.append((key, readings))
    return out


def _decode_key(key: str, dims: Sequence[_Dimension], where: str) -> dict[str, str]:
    positions = key.split(":") if key else []
    if len(positions) != len(dims):
        raise FetchError(
            f"key {key!r} has {len(positions)} positions, the structure {len(dims)} dimensions",
            where=where,
        )
    codes = {}
    for dim, pos in zip(dims, positions, strict=True):
        if not pos.isdigit() or int(pos) >= len(dim.codes):
            raise FetchError(f"key {key!r}: {pos!r} is not a {dim.id} value index", where=where)
        codes[dim.id] = dim.codes[int(pos)]
    return codes


def _observations(
    observations: Any,
    time_dim: _Dimension | None,
    obs_defs: list[Mapping[str, Any]],
    inherited: Mapping[str, str],
    unit_mult: int,
    indicator: str,
    where: str,
) -> list[Reading]:
    if not isinstance(observations, Mapping):
        raise FetchError(
            f"'observations' should be an object; got {excerpt(observations)}", where=where
        )
    if time_dim is None:
        raise FetchError("the structure has no observation (time) dimension", where=where)
    readings = []
    for index, obs in observations.items():
        at = f"{where} observation {index!r}"
        if not str(index).isdigit() or int(index) >= len(time_dim.codes):
            raise FetchError(f"{index!r} is not a {time_dim.id} value index", where=at)
        if not isinstance(obs, list) or not obs:
            raise FetchError(f"an observation should be [value, attributes…]: {obs!r}", where=at)
        attrs = dict(inherited) | _attribute_values(obs_defs, obs[1:])
        try:
            period = parse_period(time_dim.codes[int(index)])
            value = parse_number(obs[0])
        except (PeriodError, NumberError) as exc:
            raise FetchError(str(exc), where=at) from None
        status = STATUS_MAP.get(attrs.get("OBS_STATUS", "A"), ObservationStatus.NORMAL)
        if status is ObservationStatus.MISSING:
            value = None
        if value is not None:
            value = _scaled(value, attrs, unit_mult, at)
        note = f"OBS_STATUS {attrs['OBS_STATUS']}" if attrs.get("OBS_STATUS", "A") != "A" else ""
        readings.append(Reading(indicator, period, value, status=status, note=note))
    return readings


def _scaled(value: float, attrs: Mapping[str, str], unit_mult: int, where: str) -> float:
    try:
        if (decimals := attrs.get("DECIMALS")) is not None and decimals != "":
            value = round(value, int(decimals))
        published_mult = int(attrs.get("UNIT_MULT") or 0)
    except ValueError:
        raise FetchError(
            f"UNIT_MULT / DECIMALS are not integers: {attrs.get('UNIT_MULT')!r}, "
            f"{attrs.get('DECIMALS')!r}",
            where=where,
        ) from None
    shift = published_mult - unit_mult
    # Scale by multiplying or dividing by an exact power of ten, which keeps 1.5 × 10^6
    # at 1500000.0 rather than 1500000.0000000002.
    factor = float(10 ** abs(shift))
    return value * factor if shift >= 0 else value / factor


async def fetch(ctx: FetchContext) -> list[Reading]:
    """GET the data query and pick the series."""
    url = str(ctx.options["url"])
    headers = {"Accept": str(ctx.options.get("accept") or "application/json")}
    headers |= {str(k): str(v) for k, v in dict(ctx.options.get("headers") or {}).items()}
    result = await ctx.http.get(url, headers=headers)
    # On a 304 the shared client hands back the body it remembered, so this always parses.
    return parse_sdmx_json(result.content, ctx.options, indicator=ctx.indicator, origin=result.url)


SOURCE_TYPE = SourceType(
    "sdmx_json",
    fetch,
    OPTIONS,
    description="SDMX-JSON data messages (OECD, IMF, ECB, Eurostat)",
)


@hookimpl
def lishi_register_source_types(register: RegisterSourceType) -> None:
    register(SOURCE_TYPE)
