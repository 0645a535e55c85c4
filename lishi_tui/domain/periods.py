"""Reporting periods: a year, half, quarter, month, week, day or instant, parsed from the spellings sources use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from functools import cached_property

# Chinese statistics are published on Beijing time, which has no daylight saving.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


class PeriodKind(StrEnum):
    """How long a period lasts."""

    YEAR = "year"
    HALF = "half"  # a semester: SDMX 2020-S1
    TRIMESTER = "trimester"  # four months: SDMX 2020-T1
    QUARTER = "quarter"
    BIMONTH = "bimonth"  # two months: 2020-B1 is January and February
    MONTH = "month"
    WEEK = "week"  # an ISO 8601 week, Monday first: 2020-W05
    DAY = "day"
    INSTANT = "instant"


# Periods made of whole months: how many months each lasts and the letter of its key.
_MONTH_SPANS: dict[PeriodKind, tuple[int, str]] = {
    PeriodKind.HALF: (6, "S"),
    PeriodKind.TRIMESTER: (4, "T"),
    PeriodKind.QUARTER: (3, "Q"),
    PeriodKind.BIMONTH: (2, "B"),
}


class _FiscalYear(ValueError):
    pass


def _fiscal_year(raw: str, year: int, month: int) -> _FiscalYear:
    if month > 12:
        return _FiscalYear(f"not a period this reader knows: {raw!r} is a fiscal year")
    return _FiscalYear(
        f"ambiguous period: {raw!r} may be the month {year}-{month:02d} or the fiscal year "
        f"{raw}; write a month as {year}-{month:02d} or {year}年{month}月"
    )


class PeriodError(ValueError):
    """A period spelling that cannot be understood."""


_YEAR = re.compile(r"^(\d{4})(?:年)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*(?:Q|q|年第?)([1-4])(?:季度)?$")
_MONTH = re.compile(r"^(\d{4})(?:[-/.M]|年)(\d{1,2})(?:月)?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_SPAN = re.compile(r"^(\d{4})-([STB])(\d)$")  # 2020-S1, 2020-T3, 2020-B6
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")  # 2020-W05


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. ``start`` is timezone-aware; ``key`` is the canonical spelling stored."""

    start: datetime
    kind: PeriodKind

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime(year, 1, 1, tzinfo=CHINA_TZ), PeriodKind.YEAR)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter must be 1-4, got {quarter}")
        return cls(datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=CHINA_TZ), PeriodKind.QUARTER)

    @classmethod
    def span(cls, kind: PeriodKind, year: int, number: int) -> Period:
        """The ``number``-th half, trimester, quarter or bimonth of ``year``."""
        months, letter = _MONTH_SPANS[kind]
        if not 1 <= number <= 12 // months:
            raise PeriodError(f"{kind.value} must be 1-{12 // months}, got {letter}{number}")
        return cls(datetime(year, months * (number - 1) + 1, 1, tzinfo=CHINA_TZ), kind)

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        """ISO 8601 week ``week`` of ISO year ``year`` (starts on its Monday)."""
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise PeriodError(f"no week {week} in {year}: {exc}") from None
        return cls(
            datetime(monday.year, monday.month, monday.day, tzinfo=CHINA_TZ), PeriodKind.WEEK
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month must be 1-12, got {month}")
        return cls(datetime(year, month, 1, tzinfo=CHINA_TZ), PeriodKind.MONTH)

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ), PeriodKind.DAY)

    @classmethod
    def instant(cls, moment: datetime) -> Period:
        if moment.tzinfo is None:
            raise PeriodError("an instant needs a timezone")
        return cls(moment.astimezone(UTC).replace(microsecond=0), PeriodKind.INSTANT)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``2021``, ``2021Q3``, ``2021-Q3``, ``2021-10``, ``2021M10``, ``202110``,
        ``2021年10月``, ``2021-10-31``, an ISO 8601 instant with offset, or the keys of the
        other kinds: ``2021-S1`` (half), ``2021-T1`` (trimester), ``2021-B1`` (bimonth),
        ``2021-W05`` (ISO week)."""
        raw = str(text).strip()
        if not raw:
            raise PeriodError("empty period")
        try:
            if m := _YEAR.match(raw):
                return cls.year(int(m[1]))
            if m := _QUARTER.match(raw):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := _SPAN.match(raw):
                kind = {"S": PeriodKind.HALF, "T": PeriodKind.TRIMESTER, "B": PeriodKind.BIMONTH}
                return cls.span(kind[m[2]], int(m[1]), int(m[3]))
            if m := _WEEK.match(raw):
                return cls.week(int(m[1]), int(m[2]))
            if m := _MONTH.match(raw):
                year, month = int(m[1]), int(m[2])
                if "/" in raw and len(m[2]) == 2 and month == (year + 1) % 100:
                    raise _fiscal_year(raw, year, month)  # 2008/09: a month or a fiscal year
                return cls.month(year, month)
            if m := _MONTH_COMPACT.match(raw):
                return cls.month(int(m[1]), int(m[2]))
            if m := _DAY.match(raw):
                return cls.day(date(int(m[1]), int(m[2]), int(m[3])))
            if "T" in raw or " " in raw:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=CHINA_TZ)
                return cls.instant(moment)
        except _FiscalYear as exc:
            raise PeriodError(str(exc)) from None
        except ValueError as exc:
            raise PeriodError(f"not a valid period: {raw!r} ({exc})") from exc
        raise PeriodError(
            f"not a period: {raw!r} (expected e.g. 2021, 2021Q3, 2021-10, 2021-10-31 "
            "or an ISO 8601 time)"
        )

    @cached_property
    def key(self) -> str:
        """Canonical text form, the one stored and shown in JSON (worked out once per
        Period: parsed periods are cached and shared, and every reading's key is read
        several times between its fetch and the store)."""
        s = self.start
        match self.kind:
            case PeriodKind.YEAR:
                return f"{s.year:04d}"
            case PeriodKind.HALF | PeriodKind.TRIMESTER | PeriodKind.QUARTER | PeriodKind.BIMONTH:
                months, letter = _MONTH_SPANS[self.kind]
                return f"{s.year:04d}-{letter}{(s.month - 1) // months + 1}"
            case PeriodKind.MONTH:
                return f"{s.year:04d}-{s.month:02d}"
            case PeriodKind.WEEK:
                year, week, _ = s.date().isocalendar()
                return f"{year:04d}-W{week:02d}"
            case PeriodKind.DAY:
                return f"{s.year:04d}-{s.month:02d}-{s.day:02d}"
            case _:
                return s.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive end)."""
        s = self.start
        match self.kind:
            case PeriodKind.YEAR:
                return s.replace(year=s.year + 1)
            case PeriodKind.HALF | PeriodKind.TRIMESTER | PeriodKind.QUARTER | PeriodKind.BIMONTH:
                month = s.month + _MONTH_SPANS[self.kind][0]
                return s.replace(year=s.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
            case PeriodKind.MONTH:
                month = s.month + 1
                return s.replace(year=s.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
            case PeriodKind.WEEK:
                return s + timedelta(days=7)
            case PeriodKind.DAY:
                return s + timedelta(days=1)
            case _:
                return s

    def label(self, lang: str = "zh", *, year_to_date: bool = False) -> str:
        """Human label; ``year_to_date`` renders cumulative figures as "as of the end of"."""
        s = self.start if self.kind is not PeriodKind.INSTANT else self.start.astimezone(CHINA_TZ)
        q = (s.month - 1) // 3 + 1
        last = (self.end - timedelta(days=1)) if self.kind is not PeriodKind.INSTANT else s
        if lang == "zh":
            match self.kind:
                case PeriodKind.YEAR:
                    return f"{s.year}年"
                case PeriodKind.HALF:
                    return f"{s.year}年{'上' if s.month == 1 else '下'}半年"
                case PeriodKind.TRIMESTER | PeriodKind.BIMONTH:
                    return f"{s.year}年{s.month}-{last.month}月"
                case PeriodKind.WEEK:
                    year, week, _ = s.date().isocalendar()
                    return f"{year}年第{week}周"
                case PeriodKind.QUARTER:
                    return f"截至{s.year}年{q}季度末" if year_to_date else f"{s.year}年{q}季度"
                case PeriodKind.MONTH:
                    return (
                        f"截至{s.year}年{s.month}月底" if year_to_date else f"{s.year}年{s.month}月"
                    )
                case PeriodKind.DAY:
                    return f"{s.year}年{s.month}月{s.day}日"
                case _:
                    return s.strftime("%Y-%m-%d %H:%M")
        match self.kind:
            case PeriodKind.YEAR:
                return f"{s.year}"
            case PeriodKind.HALF:
                return f"H{(s.month - 1) // 6 + 1} {s.year}"
            case PeriodKind.TRIMESTER | PeriodKind.BIMONTH:
                return f"{s.strftime('%b')}-{last.strftime('%b')} {s.year}"
            case PeriodKind.WEEK:
                year, week, _ = s.date().isocalendar()
                return f"W{week:02d} {year}"
            case PeriodKind.QUARTER:
                return f"to end Q{q} {s.year}" if year_to_date else f"Q{q} {s.year}"
            case PeriodKind.MONTH:
                name = s.strftime("%b %Y")
                return f"to end {name}" if year_to_date else name
            case PeriodKind.DAY:
                return s.strftime("%Y-%m-%d")
            case _:
                return s.strftime("%Y-%m-%d %H:%M")

    def __str__(self) -> str:
        return self.key
