"""The bundled dashboard in tmux with a rule on a demo indicator set to fire: the badge, the
alerts screen, an ack from the keyboard, and exactly one message at a real local webhook."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.config.locate import bundled_config_path
from lishi_tui.store.sqlite import SqliteStore
from tests.support.httpserver import LocalHTTPServer
from tests.support.tmux import Tmux
from tests.support.waiting import wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

# AQI is a demo series in the bundled config; any figure is above 0, so this fires at once.
RULE = """

[notifiers.hook]
type = "webhook"
url = "{url}"

[alerts.aqi_demo]
kind = "threshold"
indicators = ["aqi"]
above = 0
severity = "critical"
demo = true
notify = ["hook"]
"""


@pytest.fixture
def dashboard(tmp_path: Path, http_server: LocalHTTPServer) -> Iterator[tuple[Tmux, Path]]:
    http_server.route("/hook", "ok")
    bundled = bundled_config_path()
    config = tmp_path / "lishi.toml"
    rule = RULE.replace("{url}", http_server.url("/hook"))
    config.write_text(bundled.read_text(encoding="utf-8") + rule, encoding="utf-8")
    db = tmp_path / "history.db"
    command = [
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(config),
        "--db",
        str(db),
        "--role",
        "operator",
    ]
    tmux = Tmux(command, width=80, height=24)
    yield tmux, db
    tmux.close()


def test_badge_screen_ack_and_one_webhook_message(
    dashboard: tuple[Tmux, Path], http_server: LocalHTTPServer
) -> None:
    tmux, db = dashboard
    tmux.wait_for("⚠ 严重 1", limit_s=40)  # the header badge, once the demo AQI is stored
    tmux.keys("a")  # once: on the alerts screen the same key acknowledges
    screen = tmux.wait_for("aqi_demo")
    assert "告警中" in screen and "[演示]" in screen  # a demo alert says so
    tmux.keys("a")
    tmux.wait_for("请填写原因")
    tmux.keys("-l", "演练")
    tmux.keys("Enter")
    tmux.wait_for("已确认", limit_s=20)
    store = SqliteStore(db)
    try:
        [ack] = StoreRepository(store).acks().values()
        assert (ack.alert_id, ack.reason) == ("aqi_demo/aqi", "演练")
    finally:
        store.close()
    # The demo AQI keeps changing, and the clock evaluates every 15 s: still one message.
    wait_for(lambda: http_server.count("/hook"), what="the robot's message")
    time.sleep(3)  # a second message (the clock re-evaluates) would arrive in this time
    [request] = http_server.requests_to("/hook")
    body = request.json()
    assert {k: body[k] for k in ("alert", "rule", "state", "severity", "indicator", "demo")} == {
        "alert": "aqi_demo/aqi",
        "rule": "aqi_demo",
        "state": "firing",
        "severity": "critical",
        "indicator": "aqi",
        "demo": True,
    }
    assert body["value"] is not None and body["period"] and body["source"] and body["since"]
    tmux.keys("Escape")
    tmux.keys("q")
