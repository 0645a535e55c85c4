"""The air plugin ("离石蓝"): indicators, AQI grades, and its live demo feed from the bundled config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Direction, Frequency, Rag
from lishi_tui.domain.status import rag
from lishi_tui.registry import Registry
from tests.support.bundled import bundled_config, fetch_configured, load_bundled

NOW = datetime(2026, 1, 15, 0, 30, tzinfo=UTC)  # 08:30 in Lishi, mid heating season


@pytest.fixture(scope="module")
def config() -> Config:
    return bundled_config()


@pytest.fixture(scope="module")
def full() -> Registry:
    return load_bundled()


def test_registers_its_indicators_alone() -> None:
    registry = load_bundled("air")
    assert set(registry.indicator_owner) == {"good_air_days", "aqi", "pm25"}
    for id_ in ("aqi", "pm25"):
        assert registry.indicators[id_].direction is Direction.LOWER
        assert registry.indicators[id_].frequency is Frequency.REALTIME


def test_aqi_and_pm25_grades(config: Config) -> None:
    aqi, pm25 = config.indicators["aqi"], config.indicators["pm25"]
    assert [rag(aqi, v) for v in (50, 100, 101, 150, 151)] == [
        Rag.GREEN,
        Rag.GREEN,
        Rag.AMBER,
        Rag.AMBER,
        Rag.RED,
    ]
    assert [rag(pm25, v) for v in (35, 36, 75, 76)] == [Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED]


def test_the_bundled_air_feed_ticks_live(full: Registry, config: Config) -> None:
    state: dict[str, Any] = {}
    first = fetch_configured(full, config, "air_demo", NOW, state)
    assert {r.indicator for r in first} == {"aqi", "pm25"}
    assert all(r.demo and r.origin == "demo:aqi" for r in first)
    ticks = [
        fetch_configured(full, config, "air_demo", NOW + timedelta(seconds=3 * i), state)
        for i in (1, 2)
    ]
    for i, tick in enumerate(ticks, start=1):
        assert [(r.indicator, r.period.start) for r in tick] == [
            ("aqi", NOW + timedelta(seconds=3 * i)),
            ("pm25", NOW + timedelta(seconds=3 * i)),
        ]


def test_winter_mornings_are_worse_than_summer_afternoons(full: Registry, config: Config) -> None:
    def mean_aqi(now: datetime) -> float:
        readings = [
            r for r in fetch_configured(full, config, "air_demo", now, {}) if r.indicator == "aqi"
        ]
        return sum(r.value or 0 for r in readings) / len(readings)

    assert mean_aqi(NOW) > mean_aqi(datetime(2026, 7, 15, 7, tzinfo=UTC))


def test_good_air_days_count_up_from_new_year(full: Registry, config: Config) -> None:
    readings = fetch_configured(
        full, config, "air_days_demo", datetime(2026, 11, 29, tzinfo=UTC), {}
    )
    by_day = {r.period.key: r.value or 0 for r in readings}
    values = [by_day[k] for k in sorted(by_day)]
    assert values == sorted(values)
    assert 200 <= by_day["2026-11-28"] <= 332  # most, never all, of 332 days good
