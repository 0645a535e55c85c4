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


@pytest.mark.parametrize(
    ("text", "key", "kind", "start", "end"),
    [
        ("2020-S1", "2020-S1", PeriodKind.HALF, date(2020, 1, 1), date(2020, 7, 1)),
        ("2020-S2", "2020-S2", PeriodKind.HALF, date(2020, 7, 1), date(2021, 1, 1)),
        ("2020-T2", "2020-T2", PeriodKind.TRIMESTER, date(2020, 5, 1), date(2020, 9, 1)),
        ("2020-B1", "2020-B1", PeriodKind.BIMONTH, date(2020, 1, 1), date(2020, 3, 1)),
        ("2020-B6", "2020-B6", PeriodKind.BIMONTH, date(2020, 11, 1), date(2021, 1, 1)),
        # ISO week 5 of 2020 starts on Monday 27 January 2020
        ("2020-W05", "2020-W05", PeriodKind.WEEK, date(2020, 1, 27), date(2020, 2, 3)),
        # ISO week 1 of 2021 starts on Monday 4 January 2021
        ("2021-W01", "2021-W01", PeriodKind.WEEK, date(2021, 1, 4), date(2021, 1, 11)),
    ],
)
def test_sdmx_reporting_periods(
    text: str, key: str, kind: PeriodKind, start: date, end: date
) -> None:
    period = Period.parse(text)
    assert (period.key, period.kind) == (key, kind)
    assert period.start == datetime(start.year, start.month, start.day, tzinfo=CHINA_TZ)
    assert period.end == datetime(end.year, end.month, end.day, tzinfo=CHINA_TZ)
    assert Period.parse(period.key) == period


@pytest.mark.parametrize("text", ["2020-S3", "2020-B7", "2020-T4", "2021-W53", "2020-W00"])
def test_sdmx_reporting_periods_out_of_range(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_labels_of_the_new_kinds() -> None:
    assert Period.parse("2020-S2").label("zh") == "2020年下半年"
    assert Period.parse("2020-S1").label("en") == "H1 2020"
    assert Period.parse("2020-B1").label("zh") == "2020年1-2月"
    assert Period.parse("2020-B1").label("en") == "Jan-Feb 2020"
    assert Period.parse("2020-W05").label("zh") == "2020年第5周"
    assert Period.parse("2020-W05").label("en") == "W05 2020"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2008/09", "ambiguous period: '2008/09' may be the month 2008-09 or the fiscal year"),
        ("2011/12", "ambiguous period"),
        ("2023/24", "'2023/24' is a fiscal year"),
    ],
)
def test_a_slash_year_that_may_be_a_fiscal_year_is_refused(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        Period.parse(text)


@pytest.mark.parametrize(("text", "key"), [("2024/12", "2024-12"), ("2010/1", "2010-01")])
def test_a_slash_month_that_is_no_fiscal_year_reads_as_a_month(text: str, key: str) -> None:
    assert Period.parse(text).key == key
