"""The ``nbs`` source type: China's National Bureau of Statistics query endpoint (easyquery).

The reply is ``{"returncode": 200, "returndata": {"datanodes": [...], "wdnodes": [...]}}``.
Each data node carries ``wds`` (its indicator ``zb``, time ``sj`` and possibly region ``reg``
codes) and ``data`` (``data``, ``hasdata``, ``strdata``). A node with ``hasdata: false``
has ``data: 0`` in the reply; it becomes a missing reading, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lishi_tui.plugin import (
    HTTP_OPTIONS,
    FetchError,
    NumberError,
    Option,
    OptionKind,
    PeriodError,
    Reading,
    excerpt,
    http_source_type,
    load_json,
    parse_period,
    parse_quantity,
    resolve_or_fail,
    source_types_hook,
    strip_control,
)

OPTIONS: dict[str, Option] = {
    "url": Option(
        OptionKind.URL,
        required=True,
        help="the easyquery.htm?m=QueryData… URL, with its dbcode, rowcode, colcode, wds, dfwds",
    ),
    "code": Option(OptionKind.STR, required=True, help="the indicator (zb) code, e.g. A01010101"),
    "region": Option(
        OptionKind.STR, help="the region (reg) code in regional databases, e.g. 140000"
    ),
    "index_to_growth": Option(
        OptionKind.BOOL,
        default=False,
        help='turn an index with the previous year = 100 ("上年同月=100") into growth %: value − 100',
    ),
} | HTTP_OPTIONS


def _codes(node: Mapping[str, Any]) -> dict[str, str]:
    wds = node.get("wds")
    if not isinstance(wds, list):
        return {}
    return {
        str(w.get("wdcode")): str(w.get("valuecode"))
        for w in wds
        if isinstance(w, Mapping) and "wdcode" in w
    }


def _indicator_nodes(returndata: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """``{indicator code: (name, unit)}`` from ``wdnodes``: the unit NBS states ("亿元",
    "%", "" for an index) is the readings' ``unit``; the name is for messages."""
    nodes: dict[str, tuple[str, str]] = {}
    for dim in returndata.get("wdnodes") or []:
        if not isinstance(dim, Mapping) or dim.get("wdcode") != "zb":
            continue
        for node in dim.get("nodes") or []:
            if isinstance(node, Mapping):
                name = strip_control(str(node.get("cname") or node.get("name") or ""))
                unit = strip_control(str(node.get("unit") or "")).strip()
                nodes[str(node.get("code"))] = (name, unit)
    return nodes


def parse_nbs(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """Readings of indicator ``options["code"]`` (and ``region``) from an easyquery reply."""
    document = load_json(content, origin)
    if not isinstance(document, Mapping) or "returncode" not in document:
        raise FetchError(
            f"path 'returncode' did not match: not an NBS query reply; got: {excerpt(document)}",
            where=origin,
        )
    if document["returncode"] != 200:
        raise FetchError(
            f"NBS returncode {document['returncode']}: {excerpt(document.get('returndata'))}",
            where=origin,
        )
    datanodes = resolve_or_fail(document, "returndata.datanodes", origin)
    if not isinstance(datanodes, list):
        raise FetchError(
            f"'returndata.datanodes' should be a list; got: {excerpt(datanodes)}", where=origin
        )
    nodes = _indicator_nodes(document["returndata"])
    code, region = str(options["code"]), options.get("region")
    to_growth = bool(options.get("index_to_growth", False))
    # An index turned into growth is a percentage whatever unit the index had.
    unit = "%" if to_growth else nodes.get(code, ("", ""))[1]
    readings: dict[str, Reading] = {}
    seen_codes: set[str] = set()
    for i, node in enumerate(datanodes):
        at = f"{origin} returndata.datanodes[{i}]"
        if not isinstance(node, Mapping) or not isinstance(node.get("data"), Mapping):
            raise FetchError(f"a data node has no 'data' object: {excerpt(node, 120)}", where=at)
        codes = _codes(node)
        if "zb" not in codes or "sj" not in codes:
            raise FetchError(f"a data node's 'wds' lacks zb or sj: {excerpt(node, 120)}", where=at)
        seen_codes.add(codes["zb"])
        if codes["zb"] != code or (region is not None and codes.get("reg") != str(region)):
            continue
        reading = _reading(node["data"], codes["sj"], indicator, origin, to_growth, at, unit)
        if reading.period.key in readings:
            regions = sorted(
                {_codes(n).get("reg", "") for n in datanodes if isinstance(n, Mapping)} - {""}
            )
            raise FetchError(
                f"period {reading.period.key} appears twice for {code}: the reply has several "
                f"regions ({', '.join(regions[:12]) or 'no reg codes'}); set `region` to one",
                where=at,
            )
        readings[reading.period.key] = reading
    if not readings:
        if not datanodes:
            raise FetchError("the reply has no data nodes: the series is empty", where=origin)
        if code not in seen_codes:
            available = ", ".join(
                f"{c} {_shown(*nodes.get(c, ('', '')))}".strip() for c in sorted(seen_codes)
            )
            raise FetchError(
                f"no indicator {code!r} in the reply; it has: {available}",
                where=origin,
            )
        present = {_codes(n).get("reg") for n in datanodes if isinstance(n, Mapping)} - {None}
        if not present:
            # A national database (hgyd, hgjd, hgnd) answers a region asked of it with the
            # national figures and no `reg` codes: those must not be stored as the region's.
            raise FetchError(
                f"`region = {str(region)!r}` was given but the reply has no regions (no `reg` "
                "codes): the URL's database is national; use a regional one (dbcode=fsyd, "
                "fsjd, fsnd, csyd…) or remove `region`",
                where=origin,
            )
        raise FetchError(
            f"no data nodes for {code} in region {region}; the reply has regions "
            f"{', '.join(sorted(str(r) for r in present)[:12])}",
            where=origin,
        )
    return list(readings.values())


def _shown(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit else name


def _reading(
    data: Mapping[str, Any],
    period_code: str,
    indicator: str,
    origin: str,
    to_growth: bool,
    at: str,
    unit: str,
) -> Reading:
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise FetchError(str(exc), where=at) from None
    if data.get("hasdata") is not True:
        # The reply puts 0 in `data` when there is none; that 0 must never be shown.
        return Reading(indicator, period, None, origin=origin, note="hasdata: false", unit=unit)
    raw = data.get("strdata") if data.get("strdata") not in (None, "") else data.get("data")
    try:
        quantity = parse_quantity(raw)  # strdata may carry a mark: "6.1（初步）"
    except NumberError as exc:
        raise FetchError(str(exc), where=at) from None
    value = quantity.value
    if value is not None and to_growth:
        dotcount = data.get("dotcount")
        digits = dotcount if isinstance(dotcount, int) and 0 <= dotcount <= 10 else 6
        value = round(value - 100.0, digits)
    return Reading(indicator, period, value, status=quantity.status, origin=origin, unit=unit)


# One GET of the query URL; parse_nbs picks the indicator's nodes.
SOURCE_TYPE = http_source_type(
    "nbs",
    parse_nbs,
    OPTIONS,
    description="National Bureau of Statistics of China query endpoint (easyquery JSON)",
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
