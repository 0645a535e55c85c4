"""The README's first command as a new user meets it: `lishi-tui` on the bundled default, in tmux."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.config.locate import bundled_config_path
from tests.support.tmux import Tmux, alive
from tests.support.waiting import wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[Tmux]:
    command = [
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(bundled_config_path()),
        "--db",
        str(tmp_path / "history.db"),
    ]
    tmux = Tmux(command, width=120, height=40)
    yield tmux
    tmux.close()


def aqi_reading(screen: str) -> str:
    """The AQI panel's first line: value and the instant it was measured."""
    match = re.search(r"│ (\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?)", screen)
    assert match, screen
    return match.group(0)


def test_default_dashboard_live_from_the_bundled_config(dashboard: Tmux) -> None:
    # The report's own figures, with their period and source, on the first page.
    dashboard.wait_for("≥10.0 %")  # the overview first, filled as the sources land
    dashboard.press_until("1", "economy_report")
    screen = dashboard.wait_for("地区生产总值同比增速", "2021年", "51 %")
    assert "地区生产总值同比增速" in screen and "2021年" in screen and "economy_report" in screen
    assert "51 %" in screen  # 第三产业占比
    dashboard.wait_for("┤")  # charts follow the figures once plotext has loaded

    # The requests page: 1581 of 1787, as of the end of October 2021.
    dashboard.press_until("4", "1,581 / 1,787")
    screen = dashboard.wait_for("88.47 %", "截至2021年10月底")
    assert "88.47 %" in screen and "截至2021年10月底" in screen

    # Enter explains the figure: source, the report, target and pace.
    dashboard.keys("Enter")
    dashboard.wait_for("指标详情")
    screen = dashboard.wait_for("livelihood_report", "1,581 / 1,787")  # read on a worker
    assert "livelihood_report" in screen and "1,581 / 1,787" in screen

    # The air page ticks from the demo feed, and says it is demo.
    dashboard.keys("Escape")
    # A key sent right behind Escape would arrive as Alt+key: wait for the detail to go.
    wait_for(lambda: "指标详情" not in dashboard.screen(), what="the detail closed")
    dashboard.press_until("3", "空气质量指数")
    screen = dashboard.wait_for("空气质量指数", "演示")
    first = aqi_reading(screen)
    wait_for(
        lambda: aqi_reading(dashboard.screen()) != first,
        what="the AQI panel to update",
        limit_s=60,
        show=dashboard.screen,
    )
    assert aqi_reading(dashboard.screen()) != first, "the AQI panel never updated"


def test_sighup_ends_the_dashboard_and_its_collector(dashboard: Tmux) -> None:
    dashboard.wait_for("地区生产总值同比增速")
    pid = dashboard.pane_pid()
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 10.0  # the 2 s bar is measured in bench/, not asserted here
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(pid), "the dashboard was still running 10 s after SIGHUP"


def test_a_second_dashboard_reads_what_the_first_collects(tmp_path: Path, dashboard: Tmux) -> None:
    dashboard.wait_for("≥10.0 %")
    dashboard.wait_for("实时")  # the first one runs the collector
    second = Tmux(
        [
            sys.executable,
            "-m",
            "lishi_tui",
            "--config",
            str(bundled_config_path()),
            "--db",
            str(tmp_path / "history.db"),
        ],
        width=100,
        height=30,
    )
    try:
        # The first one collects; the header can show before the figures.
        screen = second.wait_for("只读 · 采集运行中", "地区生产总值同比增速")
        assert "地区生产总值同比增速" in screen
    finally:
        second.close()
