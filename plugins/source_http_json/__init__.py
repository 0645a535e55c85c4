"""The ``http_json`` source type: any JSON API, read with dotted paths to records, periods and values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lishi_tui.plugin import (
    FREQUENCY_OPTION,
    HTTP_OPTIONS,
    FetchError,
    NumberError,
    Option,
    OptionKind,
    PathError,
    PeriodError,
    Reading,
    excerpt,
    http_source_type,
    join_year_period,
    load_json,
    normalise_header,
    one_frequency,
    parse_period,
    parse_quantity,
    rescaled,
    resolve_or_fail,
    resolve_path,
    scale_exact,
    source_types_hook,
    strip_control,
)

OPTIONS: dict[str, Option] = {
    "url": Option(OptionKind.URL, required=True, help="the JSON endpoint"),
    "records": Option(
        OptionKind.STR, default="", help='dotted path to the list of records ("" = the top level)'
    ),
    "period": Option(OptionKind.STR, required=True, help="dotted path to the period in a record"),
    "year": Option(
        OptionKind.STR,
        help="dotted path to the year when `period` leads to a BLS period code "
        '(BLS: year = "year", period = "period"; M13, the annual average, is the year)',
    ),
    "value": Option(OptionKind.STR, required=True, help="dotted path to the value in a record"),
    "filter": Option(
        OptionKind.TABLE, default={}, help="{ path = value }: keep records where all match"
    ),
    "params": Option(OptionKind.TABLE, default={}, help="query parameters added to `url`"),
    "scale": Option(OptionKind.FLOAT, default=1.0, help="multiply every value"),
    "unit": Option(
        OptionKind.STR,
        help="dotted path to the unit the publisher states in a record (万元, %); checked "
        "against the indicator's unit after `scale`, and the run refused on a mismatch",
    ),
    "frequency": FREQUENCY_OPTION,
} | HTTP_OPTIONS


def _same(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return actual is wanted
    if isinstance(actual, int | float) and isinstance(wanted, int | float):
        return float(actual) == float(wanted)
    return normalise_header(str(actual)) == normalise_header(str(wanted))


def parse_http_json(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """Readings for ``indicator`` from a JSON body; errors name the path that did not match."""
    document = load_json(content, origin)
    records_path = str(options.get("records", ""))
    records = resolve_or_fail(document, records_path, origin)
    if isinstance(records, Mapping):
        records = [records]  # an endpoint answering with one object is one record
    if not isinstance(records, list):
        raise FetchError(
            f"path {records_path or '(top level)'!r} should lead to a list of records, "
            f"found {excerpt(records, 80)}",
            where=origin,
        )
    filters = dict(options.get("filter") or {})
    scale = float(options.get("scale", 1.0))
    readings: list[Reading] = []
    seen: set[str] = set()
    period_path, value_path = str(options["period"]), str(options["value"])
    year_path = options.get("year")
    unit_path = options.get("unit")
    for i, record in enumerate(records):
        try:
            if filters and not all(_same(resolve_path(record, p), v) for p, v in filters.items()):
                continue
        except PathError:
            continue  # a record without the filtered field is not one of ours
        raw_period = _field(record, period_path, origin, i)
        raw_value = _field(record, value_path, origin, i)
        try:
            if year_path is None:
                period = parse_period(raw_period)
            else:
                period = join_year_period(_field(record, str(year_path), origin, i), raw_period)
            quantity = parse_quantity(raw_value)
        except (PeriodError, NumberError) as exc:
            raise FetchError(
                f"{exc}; record: {excerpt(record, 100)}", where=_record(origin, i)
            ) from None
        if period.key in seen:
            raise FetchError(
                f"period {period.key} appears in more than one record; add a `filter`",
                where=_record(origin, i),
            )
        seen.add(period.key)
        # scaled in decimal (0.07 × 100 is 7, not 7.000000000000001); a flag after the
        # figure ("12.3（初步）") is kept as the observation status, as in tables
        value = None if quantity.value is None else scale_exact(quantity.value, scale)
        readings.append(
            Reading(
                indicator,
                period,
                value,
                status=quantity.status,
                qualifier=quantity.qualifier,
                origin=origin,
                unit=_unit(record, unit_path, scale, origin, i)
                or rescaled("%" if quantity.percent else "", scale),
            )
        )
    if not readings:
        why = " after `filter`" if filters and records else ""
        raise FetchError(
            f"no records{why}: the series is empty; got: {excerpt(document)}", where=origin
        )
    # an API answering with a year beside its months (BLS's M13) is one indicator per kind
    return one_frequency(readings, origin, options.get("frequency"))


def _record(origin: str, index: int) -> str:
    return f"{origin} record [{index}]"


def _unit(record: Any, path: str | None, scale: float, origin: str, index: int) -> str:
    if path is None:
        return ""
    stated = _field(record, path, origin, index)
    return rescaled(strip_control(str(stated)).strip(), scale) if stated is not None else ""


def _field(record: Any, path: str, origin: str, index: int) -> Any:
    try:
        return resolve_path(record, path)
    except PathError as exc:
        raise FetchError(
            f"{exc}; record: {excerpt(record, 100)}", where=_record(origin, index)
        ) from None


# One GET of `url` (with `params` and `headers`); on a 304 the shared client hands back
# the body it remembered; a body unchanged since the last run is not parsed again.
SOURCE_TYPE = http_source_type(
    "http_json",
    parse_http_json,
    OPTIONS,
    description="Any JSON API: dotted paths to the records, their periods and values",
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
