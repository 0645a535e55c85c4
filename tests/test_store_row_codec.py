"""The row codec builds Reading and Observation without their __init__: the objects it makes
must be the ones the constructors make, for every kind of row a database can hold."""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest

from lishi_tui.domain.model import Observation, ObservationStatus, Qualifier, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.rows import observation_from_row, readable

FETCHED = "2025-10-02T00:00:01.654321+00:00"


def row(**over: Any) -> tuple[Any, ...]:
    """One row of OBS_COLUMNS, as SQLite hands it back."""
    base: dict[str, Any] = {
        "indicator": "citizen_requests",
        "period_key": "2025-09",
        "period_kind": "month",
        "period_start": int(Period.month(2025, 9).start.timestamp()),
        "value": 88.47,
        "numerator": None,
        "denominator": None,
        "status": "normal",
        "qualifier": "exact",
        "source": "hotline",
        "origin": "http://127.0.0.1:8000/requests.json",
        "fetch_url": "http://127.0.0.1:8000/requests.json?page=1",
        "fetched_at": FETCHED,
        "revision": 2,
        "demo": 0,
        "note": "截至9月底",
        "note_en": "",
    }
    base.update(over)
    return tuple(base.values())


def constructed(r: tuple[Any, ...]) -> Observation:
    """The same row through the public constructors, as any other code would build it."""
    (ind, _key, kind, start, value, num, den, status, qual, source, origin, url, at, rev, demo,
     note, note_en) = r  # fmt: skip
    period = Period.parse(_key)
    assert int(period.start.timestamp()) == start and period.kind.value == kind
    return Observation(
        reading=Reading(
            ind,
            period,
            value=value,
            numerator=num,
            denominator=den,
            status=ObservationStatus(status),
            qualifier=Qualifier(qual),
            origin=origin,
            demo=bool(demo),
            note=note,
            note_en=note_en,
        ),
        source=source,
        fetched_at=datetime.fromisoformat(at).astimezone(UTC),
        revision=rev,
        fetch_url=url,
    )


CASES = {
    "a plain figure": row(),
    "a ratio with its value": row(numerator=1581.0, denominator=1787.0, value=1581 / 1787 * 100),
    # Hand edits and older versions: SQLite gives an integer back for a whole number typed in,
    # and a ratio whose value was cleared; __post_init__ must still make them what __init__ does.
    "an integer typed in": row(value=5, numerator=3, denominator=4),
    "a ratio without its value": row(value=None, numerator=1581.0, denominator=1787.0),
    "no value at all": row(value=None, status="provisional"),
    "a demo instant": row(
        period_key="2025-10-02T00:15:00Z",
        period_kind="instant",
        period_start=int(datetime(2025, 10, 2, 0, 15, tzinfo=UTC).timestamp()),
        demo=1,
        qualifier="at_least",
        status="estimated",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_row_reads_back_as_the_constructors_would_make_it(name: str) -> None:
    r = CASES[name]
    got, want = observation_from_row(r), constructed(r)
    assert got == want
    assert hash(got) == hash(want)
    assert repr(got) == repr(want)
    for attr in ("value", "numerator", "denominator", "status"):
        assert type(getattr(got.reading, attr)) is type(getattr(want.reading, attr))


def test_ratio_and_missing_rows_are_completed_as_init_would() -> None:
    derived = observation_from_row(CASES["a ratio without its value"])
    assert derived.value == pytest.approx(88.47, abs=0.01)  # 1581 / 1787, worked by hand
    assert observation_from_row(CASES["no value at all"]).reading.status is (
        ObservationStatus.MISSING
    )
    whole = observation_from_row(CASES["an integer typed in"]).reading
    assert (whole.value, whole.numerator, whole.denominator) == (5.0, 3.0, 4.0)
    assert type(whole.value) is float


def test_the_codec_sets_every_field_and_no_other() -> None:
    """A field added to Reading or Observation must be added to the codec too: this fails
    until it is, rather than leaving objects without the attribute."""
    obs = observation_from_row(row())
    assert list(vars(obs)) == [f.name for f in fields(Observation)]
    assert list(vars(obs.reading)) == [f.name for f in fields(Reading)]


def test_a_row_that_cannot_be_shown_is_skipped_and_named(caplog: pytest.LogCaptureFixture) -> None:
    bad = [
        row(value=float("inf")),  # refused by __post_init__
        row(value=1e300),  # beyond the sanity bound
        row(period_key="9999-01", period_start=int(datetime(9999, 1, 1, tzinfo=UTC).timestamp())),
    ]
    good = row(period_key="2025-08", period_start=int(Period.month(2025, 8).start.timestamp()))
    with caplog.at_level(logging.WARNING, logger="lishi_tui.store.rows"):
        got = readable([*bad, good])
    assert [o.period.key for o in got] == ["2025-08"]
    skipped = [
        rec.getMessage() for rec in caplog.records if "skipped a stored row" in rec.getMessage()
    ]
    assert len(skipped) == 3
    assert all("citizen_requests" in message for message in skipped)
