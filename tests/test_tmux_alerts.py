"""The bundled dashboard in tmux with a rule on a demo indicator set to fire: the badge, the
alerts screen, an ack from the keyboard."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.config.locate import bundled_config_path
from lishi_tui.store.sqlite import SqliteStore
from tests.support.tmux import Tmux

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

# AQI is a demo series in the bundled config; any figure is above 0, so this fires at once.
RULE = """

[alerts.aqi_demo]
kind = "threshold"
indicators = ["aqi"]
above = 0
severity = "critical"
demo = true
"""


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[Tmux, Path]]:
    bundled = bundled_config_path()
    config = tmp_path / "lishi.toml"
    config.write_text(bundled.read_text(encoding="utf-8") + RULE, encoding="utf-8")
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


def test_badge_screen_and_ack_from_the_keyboard(dashboard: tuple[Tmux, Path]) -> None:
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
    tmux.keys("Escape")
    tmux.keys("q")
