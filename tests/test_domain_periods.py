"""Period parsing, canonical keys, ends and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as s

from lishi_tui.domain.periods import CHINA_TZ, Period, PeriodError, PeriodKind


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [
        ("2021", "2021", PeriodKind.YEAR),
        ("2021年", "2021", PeriodKind.YEAR),
        ("2021Q3", "2021-Q3", PeriodKind.QUARTER),
        ("2021-Q3", "2021-Q3", PeriodKind.QUARTER),
        ("2021年第3季度", "2021-Q3", PeriodKind.QUARTER),
        ("2021-10", "2021-10", PeriodKind.MONTH),
        ("2021M10", "2021-10", PeriodKind.MONTH),
        ("2021M1", "2021-01", PeriodKind.MONTH),
        ("202110", "2021-10", PeriodKind.MONTH),
        ("2021年10月", "2021-10", PeriodKind.MONTH),
        ("2021-10-31", "2021-10-31", PeriodKind.DAY),
        ("2021年10月31日", "2021-10-31", PeriodKind.DAY),
        ("2021-10-31T12:00:00+08:00", "2021-10-31T04:00:00Z", PeriodKind.INSTANT),
        ("2021-10-31T04:00:00Z", "2021-10-31T04:00:00Z", PeriodKind.INSTANT),
    ],
)
def test_parse_spellings(text: str, key: str, kind: PeriodKind) -> None:
    period = Period.parse(text)
    assert period.key == key
    assert period.kind is kind
    assert Period.parse(period.key) == period


@pytest.mark.parametrize(
    "text", ["", "21", "2021Q5", "2021-13", "2021-02-30", "soon", "2021-10-31T"]
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_ends() -> None:
    assert Period.year(2021).end == datetime(2022, 1, 1, tzinfo=CHINA_TZ)
    assert Period.quarter(2021, 4).end == datetime(2022, 1, 1, tzinfo=CHINA_TZ)
    assert Period.month(2021, 12).end == datetime(2022, 1, 1, tzinfo=CHINA_TZ)
    assert Period.month(2021, 2).end == datetime(2021, 3, 1, tzinfo=CHINA_TZ)
    assert Period.day(date(2021, 10, 31)).end == datetime(2021, 11, 1, tzinfo=CHINA_TZ)


def test_labels() -> None:
    assert Period.year(2021).label("zh") == "2021年"
    assert Period.month(2021, 10).label("zh", year_to_date=True) == "截至2021年10月底"
    assert Period.month(2021, 10).label("en", year_to_date=True) == "to end Oct 2021"
    assert Period.quarter(2021, 3).label("en") == "Q3 2021"
    instant = Period.instant(datetime(2021, 10, 31, 4, 0, tzinfo=UTC))
    assert instant.label("zh") == "2021-10-31 12:00"  # shown on Beijing time


@given(s.integers(1900, 2200), s.integers(1, 12))
def test_month_key_round_trip(year: int, month: int) -> None:
    p = Period.month(year, month)
    assert Period.parse(p.key) == p
    assert p.start < p.end
    assert timedelta(days=28) <= p.end - p.start <= timedelta(days=31)


@given(s.integers(1900, 2200), s.integers(1, 4))
def test_quarters_tile_the_year(year: int, quarter: int) -> None:
    p = Period.quarter(year, quarter)
    if quarter < 4:
        assert p.end == Period.quarter(year, quarter + 1).start
    else:
        assert p.end == Period.year(year + 1).start


@given(
    s.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=s.just(UTC)
    )
)
def test_instant_round_trip(moment: datetime) -> None:
    p = Period.instant(moment)
    assert Period.parse(p.key) == p
