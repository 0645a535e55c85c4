"""The ``worldbank`` source type: the World Bank Indicators API v2, every page, as periods."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from lishi_tui.plugin import (
    HTTP_OPTIONS,
    FetchContext,
    FetchError,
    NumberError,
    ObservationStatus,
    Option,
    OptionKind,
    PeriodError,
    Reading,
    SourceType,
    excerpt,
    load_json,
    parse_number,
    parse_period,
    source_types_hook,
    status_from_code,
    strip_control,
)

OPTIONS: dict[str, Option] = {
    "url": Option(
        OptionKind.URL,
        required=True,
        help="the indicator URL, e.g. https://…/v2/country/CHN/indicator/NY.GDP.MKTP.KD.ZG",
    ),
    "per_page": Option(OptionKind.INT, default=1000, help="records asked for per page"),
    "date": Option(OptionKind.STR, help='a year or range the API filters on, e.g. "2000:2023"'),
    "country": Option(
        OptionKind.STR, help="keep one country's records (ISO3 or ISO2) when the URL names several"
    ),
    "max_pages": Option(OptionKind.INT, default=50, help="stop following pages after this many"),
} | HTTP_OPTIONS

_XML_MESSAGE = re.compile(r"<wb:message[^>]*>(.*?)</wb:message>", re.S)


@dataclass(frozen=True)
class Page:
    """One page of a World Bank reply: its readings and where it sits in the whole."""

    readings: list[Reading]
    page: int
    pages: int
    total: int
    countries: frozenset[str] = frozenset()  # ISO3 codes of the records read
    records: int = 0  # records on the page
    matched: int = 0  # records of the `country` asked for (all of them without one)
    held: tuple[str, ...] = ()  # the countries of the page's records: "MEX/MX (Mexico)"


def _count(info: Mapping[str, Any], key: str, where: str) -> int:
    # The API has sent these as numbers and, in older versions, as strings ("pages": "2").
    raw = info.get(key)
    try:
        value = parse_number(raw)
    except NumberError:
        value = None
    if value is None or value != int(value) or value < 0:
        raise FetchError(
            f"page information has no usable {key!r} ({excerpt(raw, 20)}); got: {excerpt(info)}",
            where=where,
        )
    return int(value)


def _api_error(document: Any) -> str | None:
    """The text of the ``[{"message": [...]}]`` reply the API sends, with HTTP 200, on errors."""
    if not (isinstance(document, list) and document and isinstance(document[0], Mapping)):
        return None
    messages = document[0].get("message")
    if messages is None:
        return None
    parts = []
    for m in messages if isinstance(messages, list) else [messages]:
        if isinstance(m, Mapping):
            code, key, text = m.get("id", ""), m.get("key", ""), m.get("value", "")
            parts.append(f"{code} {key}: {text}".strip(" :"))
        else:
            parts.append(str(m))
    return strip_control("; ".join(parts)) or "an error without text"


def parse_worldbank_page(
    content: bytes, *, indicator: str, origin: str, country: str | None = None
) -> Page:
    """One page of an indicator reply: ``[page-info, records]``; null values are skipped.

    A record's ``obs_status`` letter (E estimated, F forecast, P provisional, B break…)
    becomes the reading's status and is kept in its note.
    """
    if content.lstrip().startswith(b"<"):
        text = content.decode("utf-8", errors="replace")
        if m := _XML_MESSAGE.search(text):
            raise FetchError(f"World Bank API error: {excerpt(m[1], 200)}", where=origin)
    document = load_json(content, origin)
    if (message := _api_error(document)) is not None:
        raise FetchError(f"World Bank API error: {message}", where=origin)
    if not (isinstance(document, list) and len(document) == 2 and isinstance(document[0], Mapping)):
        raise FetchError(
            f"expected [page information, records] (a two-element list); got: {excerpt(document)}",
            where=origin,
        )
    info, records = document
    page, pages = _count(info, "page", origin), _count(info, "pages", origin)
    total = _count(info, "total", origin) if "total" in info else 0
    if records is None:
        records = []  # how the API says "no data" for a valid query
    if not isinstance(records, list):
        raise FetchError(
            f"path '[1]' should be the list of records, found {excerpt(records, 80)}", where=origin
        )
    wanted = country.upper() if country else None
    readings: list[Reading] = []
    codes: set[str] = set()
    held: dict[str, None] = {}  # insertion-ordered set
    matched = 0
    for i, record in enumerate(records):
        at = f"{origin} [1][{i}]"
        if not isinstance(record, Mapping):
            raise FetchError(f"a record should be an object, found {excerpt(record, 80)}", where=at)
        held.setdefault(_country_label(record))
        if wanted and wanted not in _country_codes(record):
            continue
        matched += 1
        if "date" not in record or "value" not in record:
            raise FetchError(
                f"record has no 'date' or 'value'; record: {excerpt(record, 120)}", where=at
            )
        try:
            value = parse_number(record["value"])
            if value is None:
                continue
            period = parse_period(str(record["date"]))
        except (NumberError, PeriodError) as exc:
            raise FetchError(f"{exc}; record: {excerpt(record, 120)}", where=at) from None
        if record.get("countryiso3code"):
            codes.add(str(record["countryiso3code"]).upper())
        code = str(record.get("obs_status") or "").strip()
        status = status_from_code(code)
        if status is ObservationStatus.MISSING:
            continue  # flagged as no figure: skipped like a null value
        note = f"obs_status {code}" if code else ""
        readings.append(
            Reading(
                indicator,
                period,
                value,
                status=status,
                origin=origin,
                note=note,
                unit=_stated_unit(record),
            )
        )
    return Page(readings, page, pages, total, frozenset(codes), len(records), matched, tuple(held))


def _stated_unit(record: Mapping[str, Any]) -> str:
    """The record's ``unit`` when the API fills it (it seldom does), else "%" when the
    indicator's name says its figures are percentages: "GDP growth (annual %)", "(% of
    GDP)". Currency names ("current US$") are not units the collector can compare."""
    if unit := str(record.get("unit") or "").strip():
        return unit
    name = record.get("indicator")
    text = str(name.get("value") or "") if isinstance(name, Mapping) else ""
    bracket = text[text.rfind("(") + 1 : text.rfind(")")] if text.endswith(")") else ""
    return "%" if "%" in bracket.split() else ""


def _country_codes(record: Mapping[str, Any]) -> set[str]:
    codes = {str(record.get("countryiso3code", "")).upper()}
    country = record.get("country")
    if isinstance(country, Mapping):
        codes.add(str(country.get("id", "")).upper())
    return codes - {""}


def _country_label(record: Mapping[str, Any]) -> str:
    """How a record's country is shown in an error: ``MEX/MX (Mexico)``, ``XX (Not classified)``."""
    country = record.get("country")
    iso2 = name = ""
    if isinstance(country, Mapping):
        iso2, name = str(country.get("id") or ""), str(country.get("value") or "")
    iso3 = str(record.get("countryiso3code") or "")
    code = "/".join(dict.fromkeys(c for c in (iso3, iso2) if c)) or "no code"
    return strip_control(f"{code} ({name})" if name else code)


def nothing_read(pages: list[Page], options: Mapping[str, Any]) -> str:
    """Why every page together gave no reading, naming the option that left nothing."""
    country, date = options.get("country"), options.get("date")
    dates = f" for date = {str(date)!r}" if date else ""
    records = sum(p.records for p in pages)
    if not records:
        return (
            f"the reply has no records{dates} (check the URL's country and indicator codes): "
            "the series is empty"
        )
    if country and not any(p.matched for p in pages):
        held = list(dict.fromkeys(c for p in pages for c in p.held))
        shown = ", ".join(held[:8]) + (f" and {len(held) - 8} more" if len(held) > 8 else "")
        return (
            f"no record is of country = {str(country)!r} (matched on the ISO3 or ISO2 code); "
            f"the reply's {records} record(s) are of {shown}: the series is empty"
        )
    matched = sum(p.matched for p in pages)
    of = f" of country = {str(country)!r}" if country else ""
    return (
        f"every value of the {matched} record(s){of}{dates} is null or flagged as no "
        "figure: the series is empty"
    )


def page_params(url: str, options: Mapping[str, Any], page: int) -> tuple[str, dict[str, str]]:
    """The URL without its query and the query to send: the URL's own, plus format and paging."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update(format="json", per_page=str(options.get("per_page", 1000)), page=str(page))
    if options.get("date"):
        params["date"] = str(options["date"])
    return urlunsplit(parts._replace(query="")), params


async def fetch(ctx: FetchContext) -> list[Reading]:
    """Every page of the indicator, following ``page`` until ``pages``."""
    url = str(ctx.options["url"])
    country = ctx.options.get("country")
    max_pages = int(ctx.options.get("max_pages", 50))
    readings: list[Reading] = []
    pages_seen: list[Page] = []
    page_no, pages = 1, 1
    while page_no <= pages:
        base, params = page_params(url, ctx.options, page_no)
        # On a 304 the shared client hands back the body it remembered for that page.
        result = await ctx.get(base, params=params)
        page = parse_worldbank_page(
            result.content,
            indicator=ctx.indicator,
            origin=result.url,
            country=str(country) if country else None,
        )
        readings += page.readings
        pages_seen.append(page)
        pages = page.pages
        if pages > max_pages:
            raise FetchError(
                f"the reply has {pages} pages, more than max_pages = {max_pages}; "
                "raise per_page or narrow `date`",
                where=result.url,
            )
        page_no += 1
    if not readings:
        raise FetchError(nothing_read(pages_seen, ctx.options), where=url)
    seen: set[str] = set()
    for r in readings:
        if r.period.key in seen:
            countries = sorted({c for p in pages_seen for c in p.countries})
            raise FetchError(
                f"period {r.period.key} appears twice: the URL names several countries "
                f"({', '.join(countries) or 'codes not given'}); set `country` to one of them",
                where=url,
            )
        seen.add(r.period.key)
    return readings


SOURCE_TYPE = SourceType(
    "worldbank",
    fetch,
    OPTIONS,
    description="World Bank Indicators API v2 (JSON, all pages)",
)
lishi_register_source_types = source_types_hook(SOURCE_TYPE)
