"""The carbon plugin: Xinyi zero-carbon pilot indicators (lower is better) and their demo feed."""

from __future__ import annotations

from datetime import UTC, datetime

from lishi_tui.domain.model import Direction, MeasureKind, Rag
from lishi_tui.domain.status import rag
from tests.support.bundled import bundled_config, fetch_configured, load_bundled


def test_registers_its_indicators_alone() -> None:
    registry = load_bundled("carbon")
    ind = registry.indicators
    assert set(ind) == {
        "xinyi_co2",
        "xinyi_renewable_share",
        "xinyi_energy_intensity",
        "two_high_screened",
    }
    assert ind["xinyi_co2"].direction is Direction.LOWER
    assert ind["xinyi_energy_intensity"].direction is Direction.LOWER
    assert ind["xinyi_renewable_share"].direction is Direction.HIGHER
    assert ind["two_high_screened"].measure is MeasureKind.YTD


def test_demo_feed_is_flagged_and_lower_emissions_score_better() -> None:
    registry = load_bundled()
    config = bundled_config(registry)
    source = config.sources["carbon_demo"]
    assert source.type == "demo"
    readings = fetch_configured(registry, config, source.id, datetime(2026, 11, 29, tzinfo=UTC))
    assert {r.indicator for r in readings} == set(source.indicators)
    assert all(r.demo and r.origin.startswith("demo:") for r in readings)
    co2 = [r.value or 0 for r in readings if r.indicator == "xinyi_co2"]
    assert all(0 < v < 10 for v in co2)
    emissions = config.indicators["xinyi_co2"]
    assert rag(emissions, 3.9) is Rag.GREEN and rag(emissions, 4.5) is Rag.AMBER
    assert rag(emissions, 5.0) is Rag.RED
