"""The waste-sorting plugin: campaign indicators and their live demo feed from the bundled config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lishi_tui.config.loader import load_config
from lishi_tui.domain.model import MeasureKind, ObservationStatus, Reading
from lishi_tui.plugin_host import PluginHost
from lishi_tui.registry import PluginState
from lishi_tui.sources.api import FetchContext, HttpResult

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "plugins"
SHARES = {
    "waste_community_coverage",
    "waste_household_coverage",
    "waste_participation",
    "waste_accuracy",
}


class NoHttp:
    async def get(self, url: str, **_: Any) -> HttpResult:
        raise AssertionError(f"unexpected HTTP request to {url}")


def test_registers_its_indicators_alone() -> None:
    host = PluginHost(
        builtin_dir=PLUGINS,
        env={"LISHI_TUI_PLUGINS_ALLOW": "waste_sorting"},
        include_entry_points=False,
    )
    registry = host.load()
    record = registry.plugin("waste_sorting")
    assert record is not None and record.state is PluginState.LOADED, record
    assert set(registry.indicators) == SHARES | {"waste_publicity_events"}
    assert all(registry.indicators[i].measure is MeasureKind.SHARE for i in SHARES)


def test_bundled_feed_is_live_bounded_and_flagged() -> None:
    registry = PluginHost(builtin_dir=PLUGINS, env={}, include_entry_points=False).load()
    config = load_config(ROOT / "config" / "lishi.toml", registry, env={})
    source = config.sources["waste_demo"]
    assert source.interval <= timedelta(seconds=10)
    state: dict[str, Any] = {}
    now = datetime(2026, 11, 29, 2, tzinfo=UTC)

    def run(at: datetime) -> list[Reading]:
        ctx = FetchContext(
            source_id=source.id,
            options=source.options,
            indicators=source.indicators,
            http=NoHttp(),
            now=at,
            base_dir=config.base_dir,
            builtin_dir=PLUGINS,
            state=state,
        )
        result = registry.source_types["demo"].fetch(ctx)
        assert isinstance(result, list)
        return result

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
