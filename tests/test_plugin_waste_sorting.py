"""The waste-sorting plugin: campaign indicators and their live demo feed from the bundled config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui.domain.model import MeasureKind, ObservationStatus, Reading
from tests.support.bundled import bundled_config, fetch_configured, load_bundled

SHARES = {
    "waste_community_coverage",
    "waste_household_coverage",
    "waste_participation",
    "waste_accuracy",
}


def test_registers_its_indicators_alone() -> None:
    registry = load_bundled("waste_sorting")
    assert set(registry.indicators) == SHARES | {"waste_publicity_events"}
    assert all(registry.indicators[i].measure is MeasureKind.SHARE for i in SHARES)


def test_bundled_feed_is_live_bounded_and_flagged() -> None:
    registry = load_bundled()
    config = bundled_config(registry)
    source = config.sources["waste_demo"]
    assert source.type == "demo"
    assert source.interval <= timedelta(seconds=10)
    state: dict[str, Any] = {}
    now = datetime(2026, 11, 29, 2, tzinfo=UTC)

    def run(at: datetime) -> list[Reading]:
        return fetch_configured(registry, config, source.id, at, state)

    first = run(now)
    assert {r.indicator for r in first} == set(source.indicators)
    assert all(r.demo for r in first)
    assert all(0 <= (r.value or 0) <= 100 for r in first if r.indicator in SHARES)
    tick_a, tick_b = run(now + timedelta(seconds=5)), run(now + timedelta(seconds=10))
    live_a = {r.indicator: r for r in tick_a if r.period.key == "2026-11"}
    live_b = {r.indicator: r for r in tick_b if r.period.key == "2026-11"}
    assert live_a.keys() == set(source.indicators)
    assert all(r.status is ObservationStatus.PROVISIONAL for r in live_a.values())
    assert any(live_a[i].value != live_b[i].value for i in SHARES)  # the panels move
