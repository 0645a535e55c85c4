"""Retention: old instants fold into hourly then daily buckets; published figures never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from tests.support.stores import OpenStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)  # 08:00 Beijing time
NOW = T0 + timedelta(days=60)


def reading(i: int, value: float, *, step_s: int = 600, demo: bool = False) -> Observation:
    moment = T0 + timedelta(seconds=step_s * i)
    return Observation(
        Reading("aqi", Period.instant(moment), value=value, demo=demo),
        "station_demo" if demo else "station",
        moment,
    )


def test_old_instants_fold_into_hours_and_keep_their_range(open_store: OpenStore) -> None:
    store = open_store()
    # Ten days of a reading every ten minutes, and every revision of a published figure.
    store.write([reading(i, float(i % 37)) for i in range(6 * 24 * 10)])
    gdp = Period.year(2000)
    for rev, value in enumerate((5.0, 5.1, 5.2)):
        when = T0 - timedelta(days=9000 - rev)
        store.write([Observation(Reading("gdp", gdp, value=value), "stats", when)])
    whole = (T0, T0 + timedelta(days=10))
    before = store.series("aqi", start=whole[0], end=whole[1], buckets=10)

    folded = store.downsample(
        instants_before=T0 + timedelta(days=7, minutes=30), hourly_before=T0 - timedelta(days=1)
    )

    assert folded == 6 * 24 * 7  # seven whole days, cut at the hour
    after = store.series("aqi", start=whole[0], end=whole[1], buckets=10)
    assert [(b.count, b.low, b.high) for b in after] == [(b.count, b.low, b.high) for b in before]
    assert [b.last for b in after] == [b.last for b in before]
    left = store.revisions("aqi")
    assert len(left) == 6 * 24 * 3 and min(o.period.start for o in left) == T0 + timedelta(days=7)
    s = store.summary()["aqi"]
    assert (s.stored_rows, s.latest_rows) == (6 * 24 * 3, 6 * 24 * 3)
    # The published figure, 25 years old, and every revision of it: untouched.
    assert [o.value for o in store.revisions("gdp")] == [5.2, 5.1, 5.0]
    assert store.latest()["gdp"].value == 5.2
    # Running again folds nothing more and changes no figure.
    again = store.downsample(
        instants_before=T0 + timedelta(days=7, minutes=30), hourly_before=T0 - timedelta(days=1)
    )
    assert again == 0
    assert store.series("aqi", start=whole[0], end=whole[1], buckets=10) == after


def test_hours_fold_into_beijing_days(open_store: OpenStore) -> None:
    store = open_store()
    store.write([reading(i, float(i), step_s=3600) for i in range(48)])  # two days, hourly
    store.write([reading(10_000, 1.0, step_s=3600)])  # a recent one, so the old are not newest
    store.downsample(instants_before=NOW, hourly_before=NOW)
    midnight = T0 - timedelta(hours=8)  # 1 January 00:00 Beijing time
    days = store.series("aqi", start=midnight, end=midnight + timedelta(days=4), buckets=4)
    # 08:00 Beijing on 1 January onward: 16 readings that day, 24 the next, 8 the third
    assert [(b.count, b.low, b.high, b.last) for b in days] == [
        (16, 0.0, 15.0, 15.0),
        (24, 16.0, 39.0, 39.0),
        (8, 40.0, 47.0, 47.0),
    ]
    assert store.revisions("aqi") == [store.latest()["aqi"]]


def test_an_indicators_newest_figure_is_never_folded(open_store: OpenStore) -> None:
    store = open_store()
    store.write([reading(i, float(i)) for i in range(12)])  # a feed that stopped long ago
    store.write([reading(i, 50.0 + i, demo=True) for i in range(3)])
    newest_real, newest_demo = (
        store.summary()["aqi"].latest_real,
        store.summary()["aqi"].latest_demo,
    )
    store.downsample(instants_before=NOW, hourly_before=NOW)
    s = store.summary()["aqi"]
    assert (s.latest_real, s.latest_demo) == (newest_real, newest_demo)
    assert store.latest()["aqi"] == newest_real
    assert store.latest(include_demo=True)["aqi"].value == 11.0
    assert {o.value for o in store.revisions("aqi")} == {11.0, 52.0}
    real = store.series("aqi", start=T0, end=NOW, buckets=1, include_demo=False)
    assert [(b.count, b.low, b.high, b.demo) for b in real] == [(12, 0.0, 11.0, False)]
