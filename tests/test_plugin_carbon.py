"""The carbon plugin: Xinyi zero-carbon pilot indicators (lower is better) and their demo feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lishi_tui.config.loader import load_config
from lishi_tui.domain.model import Direction, MeasureKind, Rag
from lishi_tui.domain.status import rag
from lishi_tui.plugin_host import PluginHost
from lishi_tui.registry import PluginState
from lishi_tui.sources.api import FetchContext, HttpResult

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "plugins"


class NoHttp:
    async def get(self, url: str, **_: Any) -> HttpResult:
        raise AssertionError(f"unexpected HTTP request to {url}")


def test_registers_its_indicators_alone() -> None:
    host = PluginHost(
        builtin_dir=PLUGINS, env={"LISHI_TUI_PLUGINS_ALLOW": "carbon"}, include_entry_points=False
    )
    registry = host.load()
    record = registry.plugin("carbon")
    assert record is not None and record.state is PluginState.LOADED, record
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
    registry = PluginHost(builtin_dir=PLUGINS, env={}, include_entry_points=False).load()
    config = load_config(ROOT / "config" / "lishi.toml", registry, env={})
    source = config.sources["carbon_demo"]
    ctx = FetchContext(
        source_id=source.id,
        options=source.options,
        indicators=source.indicators,
        http=NoHttp(),
        now=datetime(2026, 11, 29, tzinfo=UTC),
        base_dir=config.base_dir,
        builtin_dir=PLUGINS,
    )
    readings = registry.source_types["demo"].fetch(ctx)
    assert isinstance(readings, list)
    assert {r.indicator for r in readings} == set(source.indicators)
    assert all(r.demo and r.origin.startswith("demo:") for r in readings)
    co2 = [r.value or 0 for r in readings if r.indicator == "xinyi_co2"]
    assert all(0 < v < 10 for v in co2)
    emissions = config.indicators["xinyi_co2"]
    assert rag(emissions, 3.9) is Rag.GREEN and rag(emissions, 4.5) is Rag.AMBER
    assert rag(emissions, 5.0) is Rag.RED
