"""Alerts evaluated by the collecting process: after a write, once, and not again after a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lishi_tui.alerts.runner import alert_runner
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.collector import Collector
from lishi_tui.config.loader import load_config
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, SourceType
from lishi_tui.store.sqlite import SqliteStore
from tests.support.alerting import INDICATORS, T0, Channels, obs
from tests.support.bundled import load_bundled
from tests.support.httpserver import LocalHTTPServer, Route

RULE = """
[alerts.gdp_low]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
notify = ["ops"]
"""


async def low_gdp(ctx: FetchContext) -> list[Reading]:
    return [Reading("gdp_growth", Period.quarter(2026, 3), value=6.1)]


def _registry() -> Registry:
    channels = load_bundled("notifiers").notifier_types  # the rules name real notifiers
    return Registry(source_types={"fixed": SourceType("fixed", low_gdp)}, notifier_types=channels)


def setup(tmp_path: Path) -> Config:
    path = tmp_path / "lishi.toml"
    path.write_text(INDICATORS + RULE, encoding="utf-8")
    return load_config(path, _registry(), {})


async def collect_until(collector: Collector, done: asyncio.Event | None = None) -> None:
    task = asyncio.create_task(collector.run_forever())
    assert collector.alerts is not None
    for _ in range(400):
        await asyncio.sleep(0.01)
        if collector.alerts.evaluations >= 2:
            break
    await collector.stop()
    await task


async def test_the_collector_evaluates_after_writing_and_sends_once(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    channels = Channels()
    for _restart in range(2):
        store = SqliteStore(tmp_path / "h.db")
        collector = Collector(cfg, _registry(), store)
        assert collector.alerts is not None
        collector.alerts.deliver = channels
        await collect_until(collector)
        store.close()
    assert len(channels.batches) == 1  # the restart neither lost nor re-sent it
    [event] = channels.batches[0]["ops"]
    assert (event.alert_id, event.state, event.value) == ("gdp_low/gdp_growth", "firing", 6.1)
    store = SqliteStore(tmp_path / "h.db")
    repo = StoreRepository(store)
    assert repo.alerts()["gdp_low/gdp_growth"].firing
    assert [d.ok for d in repo.deliveries()] == [True]
    store.close()


async def test_fetch_once_does_not_evaluate(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    store = SqliteStore(tmp_path / "h.db")
    collector = Collector(cfg, _registry(), store)
    assert collector.alerts is not None
    await collector.run_once()
    await collector.stop()
    assert collector.alerts.evaluations == 0
    assert StoreRepository(store).alerts() == {}
    store.close()


async def test_a_failing_webhook_loses_nothing_and_is_sent_once_it_answers(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.sequence("/hook", [Route(status=500, body=b"down"), Route(status=200, body=b"ok")])
    path = tmp_path / "lishi.toml"
    text = INDICATORS.replace("http://127.0.0.1:9/hook", http_server.url("/hook"))
    path.write_text(text.replace('url = "', 'retries = 0\nurl = "', 1) + RULE, encoding="utf-8")
    cfg = load_config(path, _registry(), {})
    store = SqliteStore(tmp_path / "h.db")
    store.write([obs("gdp_growth", Period.quarter(2026, 3), 6.1)])
    runner = alert_runner(cfg, store, clock=lambda: T0, env={"LISHI_TUI_LANG": "en"})
    assert runner is not None and runner.deliver is not None  # the real channels
    await runner.evaluate()
    failed = StoreRepository(store).deliveries()
    assert [(d.notifier, d.ok) for d in failed] == [("ops", False)]
    assert "500" in (failed[0].error or "")
    await runner.evaluate()  # the next evaluation sends it again
    await runner.evaluate()  # and then it has been told: nothing more
    assert http_server.count("/hook") == 2
    body = http_server.requests_to("/hook")[-1].json()
    assert (body["alert"], body["state"], body["value"], body["unit"]) == (
        "gdp_low/gdp_growth",
        "firing",
        6.1,
        "%",
    )
    assert [d.ok for d in StoreRepository(store).deliveries()] == [True, False]
    store.close()
