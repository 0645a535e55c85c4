"""Reporting periods: a year, quarter, month, day or instant, parsed from the spellings sources use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

# Chinese statistics are published on Beijing time, which has no daylight saving.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


class PeriodKind(StrEnum):
    """How long a period lasts."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    DAY = "day"
    INSTANT = "instant"


class PeriodError(ValueError):
    """A period spelling that cannot be understood."""


_YEAR = re.compile(r"^(\d{4})(?:年)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*(?:Q|q|年第?)([1-4])(?:季度)?$")
_MONTH = re.compile(r"^(\d{4})(?:[-/.M]|年)(\d{1,2})(?:月)?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


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
        ``2021年10月``, ``2021-10-31`` or an ISO 8601 instant with offset."""
        raw = str(text).strip()
        if not raw:
            raise PeriodError("empty period")
        try:
            if m := _YEAR.match(raw):
                return cls.year(int(m[1]))
            if m := _QUARTER.match(raw):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := _MONTH.match(raw):
                return cls.month(int(m[1]), int(m[2]))
            if m := _MONTH_COMPACT.match(raw):
                return cls.month(int(m[1]), int(m[2]))
            if m := _DAY.match(raw):
                return cls.day(date(int(m[1]), int(m[2]), int(m[3])))
            if "T" in raw or " " in raw:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=CHINA_TZ)
                return cls.instant(moment)
        except ValueError as exc:
            raise PeriodError(f"not a valid period: {raw!r} ({exc})") from exc
        raise PeriodError(
            f"not a period: {raw!r} (expected e.g. 2021, 2021Q3, 2021-10, 2021-10-31 "
            "or an ISO 8601 time)"
        )

    @property
    def key(self) -> str:
        """Canonical text form, the one stored and shown in JSON."""
        s = self.start
        match self.kind:
            case PeriodKind.YEAR:
                return f"{s.year:04d}"
            case PeriodKind.QUARTER:
                return f"{s.year:04d}-Q{(s.month - 1) // 3 + 1}"
            case PeriodKind.MONTH:
                return f"{s.year:04d}-{s.month:02d}"
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
            case PeriodKind.QUARTER:
                month = s.month + 3
                return s.replace(year=s.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
            case PeriodKind.MONTH:
                month = s.month + 1
                return s.replace(year=s.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
            case PeriodKind.DAY:
                return s + timedelta(days=1)
            case _:
                return s

    def label(self, lang: str = "zh", *, year_to_date: bool = False) -> str:
        """Human label; ``year_to_date`` renders cumulative figures as "as of the end of"."""
        s = self.start if self.kind is not PeriodKind.INSTANT else self.start.astimezone(CHINA_TZ)
        q = (s.month - 1) // 3 + 1
        if lang == "zh":
            match self.kind:
                case PeriodKind.YEAR:
                    return f"{s.year}年"
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
