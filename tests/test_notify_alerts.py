"""From a rule firing to the channel: the alerts runner delivers through ``deliver_all`` once,
a real local webhook receives the contract body, and the channel's health lands in the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lishi_tui.alerts.runner import alert_runner
from lishi_tui.config.loader import load_config
from lishi_tui.domain.periods import Period
from lishi_tui.notify.health import load_health
from lishi_tui.store.sqlite import SqliteStore
from tests.support.alerting import obs, registry
from tests.support.httpserver import LocalHTTPServer

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def test_a_firing_rule_reaches_the_webhook_once(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.route("/hook", "ok")
    path = tmp_path / "lishi.toml"
    path.write_text(
        f"""
[indicators.gdp_growth]
name_zh = "地区生产总值增速"
unit = "%"
frequency = "quarterly"

[notifiers.ops]
type = "webhook"
url = "{http_server.url("/hook")}"

[alerts.gdp_low]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
severity = "critical"
notify = ["ops"]
""",
        encoding="utf-8",
    )
    config = load_config(path, registry(), {"LISHI_TUI_LANG": "zh"})
    store = SqliteStore(tmp_path / "h.db")
    try:
        store.write([obs("gdp_growth", Period.quarter(2026, 3), 6.1, source="report")])
        runner = alert_runner(config, store, clock=lambda: NOW, env={"LISHI_TUI_LANG": "zh"})
        assert runner is not None
        await runner.evaluate()
        await runner.evaluate()  # nothing changed: nothing sent again
        (request,) = http_server.requests_to("/hook")
        body = request.json()
        assert (body["rule"], body["state"], body["severity"]) == ("gdp_low", "firing", "critical")
        assert (body["indicator"], body["value"], body["unit"]) == ("gdp_growth", 6.1, "%")
        assert body["period"] == "2026-Q3" and body["source"] == "report" and body["demo"] is False
        assert body["title"] == "lishi-tui 告警：1 条告警中"
        health = load_health(store)["ops"]
        assert health.ok and health.attempts == 1 and health.type == "webhook"
    finally:
        store.close()
