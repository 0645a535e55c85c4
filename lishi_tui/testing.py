"""Helpers for plugin authors: load a plugin as lishi-tui would and run its source types.

Installed as a pytest plugin (entry point ``pytest11``), so a plugin's own test suite
gets the ``lishi_plugin`` fixture without configuration::

    def test_my_source(lishi_plugin):
        registry = lishi_plugin.load("my_plugin", my_plugin_module)
        assert not lishi_plugin.errors(registry)
        readings = lishi_plugin.fetch(registry, "my_type", {"url": "http://127.0.0.1:8765/x"},
                                      indicators=["gdp"])
        assert readings[0].period.key == "2021"

The helpers use the real plugin host, config option validation is the plugin's own
schema, and HTTP goes through the same shared client the collector uses.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from lishi_tui.config.errors import ConfigError
from lishi_tui.config.locate import bundled_plugins_dir
from lishi_tui.config.options import typed_options
from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.domain.model import Indicator, Reading
from lishi_tui.notify.api import AlertEvent, DeliveryResult
from lishi_tui.plugin_host import PluginHost
from lishi_tui.registry import PluginState, Registry
from lishi_tui.sources.api import FetchContext, FetchError


class PluginHarness:
    """Loads plugins in isolation and runs one fetch of a source type."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def load(self, name: str, plugin: object, *, with_builtins: bool = False) -> Registry:
        """Register ``plugin`` (a module or object) under ``name`` through the real host."""
        builtin = bundled_plugins_dir() if with_builtins else self.tmp_path / "no-builtins"
        host = PluginHost(builtin_dir=builtin, env={}, include_entry_points=False)
        return host.load(extra=[(name, plugin)])

    @staticmethod
    def errors(registry: Registry) -> dict[str, str]:
        """Plugin name to error, for every plugin that failed."""
        return {
            p.name: p.error or ""
            for p in registry.plugins
            if p.state is PluginState.FAILED and p.error
        }

    def fetch(
        self,
        registry: Registry,
        source_type: str,
        options: Mapping[str, Any],
        *,
        indicators: Sequence[str] = (),
        now: datetime | None = None,
        base_dir: Path | None = None,
        timeout: float = 10.0,
        settings: CollectorSettings | None = None,
    ) -> list[Reading]:
        """Run one fetch of ``source_type`` with ``options`` (TOML values), parsed as the loader parses them."""
        return asyncio.run(
            self.afetch(
                registry,
                source_type,
                options,
                indicators=indicators,
                now=now,
                base_dir=base_dir,
                time_limit=timeout,
                settings=settings,
            )
        )

    async def afetch(
        self,
        registry: Registry,
        source_type: str,
        options: Mapping[str, Any],
        *,
        indicators: Sequence[str] = (),
        now: datetime | None = None,
        base_dir: Path | None = None,
        time_limit: float = 10.0,
        settings: CollectorSettings | None = None,
    ) -> list[Reading]:
        """``fetch`` for async tests."""
        from lishi_tui.sources.http import HttpClient

        kind = registry.source_types.get(source_type)
        if kind is None:
            raise KeyError(f"no source type {source_type!r}; have {sorted(registry.source_types)}")
        try:
            full = typed_options(kind, options)
        except ConfigError as exc:
            raise ValueError(f"options for {source_type!r}:\n{exc}") from exc
        source = SourceConfig(
            id=f"test_{source_type}",
            type=source_type,
            interval=timedelta(hours=1),
            indicators=tuple(indicators),
            options=full,
        )
        client = HttpClient(dataclasses.replace(settings or CollectorSettings(), retries=0))
        try:
            ctx = FetchContext(
                source_id=source.id,
                options=full,
                indicators=source.indicators,
                http=client.for_source(source, {}),
                now=now or datetime.now(UTC),
                base_dir=base_dir or self.tmp_path,
                builtin_dir=bundled_plugins_dir(),
            )
            async with asyncio.timeout(time_limit):
                if kind.is_async:
                    result = await cast(Awaitable[Sequence[Reading]], kind.fetch(ctx))
                else:
                    sync_fetch = cast(Callable[[FetchContext], Sequence[Reading]], kind.fetch)
                    result = await asyncio.to_thread(sync_fetch, ctx)
        finally:
            await client.aclose()
        if not isinstance(result, list | tuple) or not all(isinstance(r, Reading) for r in result):
            raise FetchError(f"expected a list of Reading, got {type(result).__name__}")
        return list(result)

    @staticmethod
    def panel(
        registry: Registry,
        kind: str,
        indicator: Indicator,
        readings: Sequence[Reading],
        *,
        size: tuple[int, int] = (60, 10),
        lang: str = "zh",
        now: datetime | None = None,
    ) -> str:
        """Draw a ``kind`` panel of ``indicator``'s ``readings`` in a real Textual app (the
        dashboard's ``make_panel``, ``App.run_test``); the screen as text."""
        from lishi_tui.testing_panels import render_panel

        return render_panel(registry, kind, indicator, readings, size=size, lang=lang, now=now)

    @staticmethod
    def sample_event(**changes: Any) -> AlertEvent:
        """A firing alert with every field filled (override any with keyword arguments)."""
        base = AlertEvent(
            alert_id="requests_low:requests_done",
            rule_id="requests_low",
            rule_text='kind = "threshold", status = "amber"',
            state="firing",
            severity="warning",
            indicator_id="requests_done",
            indicator_name="群众诉求办结率",
            value=88.47,
            unit="%",
            period="2021-10",
            period_label="2021年10月",
            target=95.0,
            pace=None,
            source="livelihood_report",
            demo=False,
            since=datetime(2021, 11, 1, tzinfo=UTC),
            repeat=False,
            summary="群众诉求办结率 88.47 %（2021年10月）低于目标",
        )
        return dataclasses.replace(base, **changes)

    def deliver(
        self,
        registry: Registry,
        notifier_type: str,
        options: Mapping[str, Any],
        events: Sequence[AlertEvent] = (),
        *,
        lang: str = "zh",
        retries: int = 0,
    ) -> DeliveryResult:
        """Deliver ``events`` (default: one sample event) through a channel type, by the same
        path the alerts engine uses; ``options`` are parsed as the loader parses them."""
        from lishi_tui.notify.api import NotifierConfig, deliver_all

        kind = registry.notifier_types.get(notifier_type)
        if kind is None:
            raise KeyError(
                f"no notifier type {notifier_type!r}; have {sorted(registry.notifier_types)}"
            )
        try:
            typed = typed_options(kind, options)
        except ConfigError as exc:
            raise ValueError(f"options for {notifier_type!r}:\n{exc}") from exc
        config = NotifierConfig(
            id="test", type=notifier_type, options=typed, channel=kind, retries=retries
        )
        batch = tuple(events) or (self.sample_event(),)
        results = asyncio.run(deliver_all({"test": config}, {"test": batch}, lang=lang))
        return results["test"]


@pytest.fixture
def lishi_plugin(tmp_path: Path) -> PluginHarness:
    """A harness to load a plugin, run its source types and deliver through its channels."""
    return PluginHarness(tmp_path)
