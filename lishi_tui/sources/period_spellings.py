"""Period spellings the built-in sources meet, read into :class:`Period` in one place.

``Period.parse`` knows the canonical keys and the common spellings; :func:`parse_period`
adds publishers' own: NBS quarters, SDMX reporting periods and intervals, Chinese
cumulative months, ONS's ``2024 JAN``. :func:`join_year_period` reads the year and
period code that BLS keeps in two columns (``2024`` + ``M01``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from lishi_tui.domain.periods import Period, PeriodError, PeriodKind
from lishi_tui.text import excerpt, strip_control

_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# 2021年第三季度 and NBS's and offices' 2024年一季度 (no 第): the numeral becomes a digit.
_CN_QUARTER_NUMERAL = re.compile(r"(?<=年)(\s*第?)([一二三四])(?=\s*季度$)")
_CN_HALF = re.compile(r"^(\d{4})年\s*([上下])半年(?:度)?$")  # 2024年上半年, 2024年下半年
_NBS_QUARTER = re.compile(r"^(\d{4})([A-D])$")  # NBS easyquery: 2023A = Q1 … 2023D = Q4
_SDMX_MONTH = re.compile(r"^(\d{4})-M(\d{2})$")  # SDMX reporting periods: 2023-M01
_SDMX_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_SDMX_ANNUAL = re.compile(r"^(\d{4})-A1$")
_SDMX_DAY = re.compile(r"^(\d{4})-D(\d{3})$")  # reporting day: 2020-D015 is 15 January
_INTERVAL = re.compile(r"^(?P<start>[^/]+)/P(?P<n>\d+)(?P<unit>[YMWD])$")  # 2020-01-01/P1M
_CN_YTD_MONTH = re.compile(r"^(\d{4})年\s*1\s*[-–—~至]\s*(\d{1,2})\s*月(?:份)?$")  # 2021年1-10月
_CN_MONTH_FEN = re.compile(r"^(\d{4})年(\d{1,2})月份$")
# ONS time-series downloads: "2024 JAN" (the year, a space, the month's three letters).
_YEAR_MONTH_NAME = re.compile(r"^(\d{4})\s+([A-Za-z]+)\.?$")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# A BLS period code without its year (BLS keeps the year in a column of its own).
_BLS_CODE = re.compile(r"^([MQSA])(\d{2})$", re.IGNORECASE)


def parse_period(text: object) -> Period:
    """A period from any spelling the built-in sources meet.

    Adds to ``Period.parse``: NBS quarters (``2023A``…``2023D``), SDMX reporting periods
    ``2023-M01``, ``2023-A1`` and ``2023-D015`` (day of the year), ISO 8601 intervals that
    are exactly one calendar period (``2020-01-01/P1M``, ``2020-04-01/P3M``), Chinese
    numerals in quarters (``2021年第三季度``, and ``2024年一季度`` … ``四季度`` without 第, as
    NBS and offices write them), half-years (``2024年上半年``, ``2024年下半年``),
    ``2021年10月份`` and the cumulative
    ``2021年1-10月`` (read as the month it runs to; the indicator's measure says it is
    year-to-date), and ONS's ``2024 JAN`` (a month's three letters or its English name,
    any case).
    """
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise PeriodError(f"not a period: {excerpt(text, 40)}")
    return _period_from_text(text)


@lru_cache(maxsize=4096)
def _period_from_text(text: str) -> Period:
    # Cached: a source sends the same period spellings in every fetch (Period is frozen).
    raw = unicodedata.normalize("NFKC", strip_control(text)).strip()
    raw = _CN_QUARTER_NUMERAL.sub(lambda m: m[1] + _CN_DIGITS[m[2]], raw)
    if m := _CN_HALF.match(raw):
        return Period.span(PeriodKind.HALF, int(m[1]), 1 if m[2] == "上" else 2)
    if m := _NBS_QUARTER.match(raw):
        return Period.quarter(int(m[1]), "ABCD".index(m[2]) + 1)
    if m := _SDMX_MONTH.match(raw):
        return Period.month(int(m[1]), int(m[2]))
    if m := _SDMX_QUARTER.match(raw):
        return Period.quarter(int(m[1]), int(m[2]))
    if m := _SDMX_ANNUAL.match(raw):
        return Period.year(int(m[1]))
    if m := _SDMX_DAY.match(raw):
        return _day_of_year(int(m[1]), int(m[2]), raw)
    if m := _INTERVAL.match(raw):
        return _interval(m["start"], int(m["n"]), m["unit"], raw)
    if m := _CN_YTD_MONTH.match(raw) or _CN_MONTH_FEN.match(raw):
        return Period.month(int(m[1]), int(m[2]))
    if m := _YEAR_MONTH_NAME.match(raw):
        return Period.month(int(m[1]), _month_number(m[2], raw))
    if _BLS_CODE.match(raw):
        raise PeriodError(
            f"not a period: {raw!r} is a BLS period code without its year; name the year "
            "column too (`year_column`, or `year` in http_json)"
        )
    return Period.parse(raw)


def _month_number(name: str, raw: str) -> int:
    word = name.lower()
    for number, month in enumerate(_MONTH_NAMES, start=1):
        if word in (month, month[:3]):
            return number
    raise PeriodError(
        f"not a period: {raw!r} (a month after the year is written JAN … DEC or in full, "
        "e.g. 2024 JAN, 2024 January)"
    )


def join_year_period(year: object, code: object) -> Period:
    """The period a year and a BLS period code name together: ``2024`` + ``M01`` is
    January 2024, ``Q01`` … ``Q04`` quarters, ``S01`` / ``S02`` halves, and ``M13`` and
    ``A01`` the year itself (BLS's annual average, and annual data).

    Any other code, or a year that is not four digits, is refused: guessing would put the
    figure in the wrong period.
    """
    year_text = unicodedata.normalize("NFKC", strip_control(str(year or ""))).strip()
    code_text = unicodedata.normalize("NFKC", strip_control(str(code or ""))).strip()
    if not re.fullmatch(r"\d{4}", year_text):
        raise PeriodError(f"not a year: {excerpt(year_text or year, 40)!s} (expected e.g. 2024)")
    m = _BLS_CODE.match(code_text)
    if m:
        letter, number, y = m[1].upper(), int(m[2]), int(year_text)
        if letter == "M" and 1 <= number <= 12:
            return Period.month(y, number)
        if (letter, number) in (("M", 13), ("A", 1)):
            return Period.year(y)
        if letter == "Q" and 1 <= number <= 4:
            return Period.quarter(y, number)
        if letter == "S" and 1 <= number <= 2:
            return Period.span(PeriodKind.HALF, y, number)
    raise PeriodError(
        f"not a period code: {excerpt(code_text or code, 40)!s} with year {year_text} "
        "(expected M01 … M12, M13 for the annual average, Q01 … Q04, S01, S02 or A01)"
    )


def _day_of_year(year: int, day: int, raw: str) -> Period:
    first = date(year, 1, 1)
    last = date(year, 12, 31).timetuple().tm_yday
    if not 1 <= day <= last:
        raise PeriodError(f"not a period: {raw!r} ({year} has days D001-D{last:03d})")
    return Period.day(first + timedelta(days=day - 1))


# An interval is kept only when it is exactly one period of a kind the model has.
_INTERVAL_KINDS: dict[tuple[int, str], PeriodKind] = {
    (1, "Y"): PeriodKind.YEAR,
    (12, "M"): PeriodKind.YEAR,
    (6, "M"): PeriodKind.HALF,
    (4, "M"): PeriodKind.TRIMESTER,
    (3, "M"): PeriodKind.QUARTER,
    (2, "M"): PeriodKind.BIMONTH,
    (1, "M"): PeriodKind.MONTH,
    (1, "W"): PeriodKind.WEEK,
    (7, "D"): PeriodKind.WEEK,
    (1, "D"): PeriodKind.DAY,
}


_SPAN_MONTHS = {
    PeriodKind.HALF: 6,
    PeriodKind.TRIMESTER: 4,
    PeriodKind.QUARTER: 3,
    PeriodKind.BIMONTH: 2,
}


def _interval(start_text: str, n: int, unit: str, raw: str) -> Period:
    """``2020-01-01/P1M`` as the month it is; an interval that is not one whole period is refused."""
    try:
        start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(f"not a period: {raw!r} (the interval's start is not a date)") from None
    midnight = start.time() == datetime.min.time()
    kind = _INTERVAL_KINDS.get((n, unit))
    if kind is not None and midnight:
        d = start.date()
        candidate: Period | None = None
        if kind is PeriodKind.YEAR and (d.month, d.day) == (1, 1):
            candidate = Period.year(d.year)
        elif kind is PeriodKind.MONTH and d.day == 1:
            candidate = Period.month(d.year, d.month)
        elif kind is PeriodKind.WEEK and d.isoweekday() == 1:
            candidate = Period.week(*d.isocalendar()[:2])
        elif kind is PeriodKind.DAY:
            candidate = Period.day(d)
        elif kind in _SPAN_MONTHS:
            months = _SPAN_MONTHS[kind]
            if d.day == 1 and (d.month - 1) % months == 0:
                candidate = Period.span(kind, d.year, (d.month - 1) // months + 1)
        if candidate is not None:
            return candidate
    raise PeriodError(
        f"not a period: {raw!r} (an interval is read only when it is one whole year, half, "
        "trimester, quarter, bimonth, month, ISO week or day starting at its first midnight)"
    )
