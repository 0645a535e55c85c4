"""The real app in a real terminal (tmux 120x40): keys in, screen out, and exit on SIGHUP."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_support import launcher_command, open_store
from tests.support.tmux import Tmux, alive

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Tmux]:
    db = tmp_path / "lishi.db"
    open_store(db).close()  # filled before the app starts, so the first paint has figures
    tmux = Tmux([*launcher_command(db), "--fixed-clock"], width=120, height=40)
    yield tmux
    tmux.close()


def test_dashboard_in_a_real_terminal(session: Tmux) -> None:
    session.wait_for("地区生产总值增速")
    # A capture can land mid-paint: wait for each figure rather than read one capture.
    for shown in ("≥10.0 %", "51 %", "转型项目"):
        screen = session.wait_for(shown)
    # Chinese labels keep the grid straight: every panel border sits in its column.
    rows = [row for row in screen.splitlines() if row.startswith("│ 2021年")]
    assert rows and all(row.count("│") >= 4 for row in rows)
    screen = session.press_until("2", "1,581 / 1,787")
    assert "全区各级接收实事办结" in screen
    session.keys("Enter")
    screen = session.wait_for("Citizen requests handled")
    assert "指标详情" in screen and "离石区发展报道" in screen
    session.keys("Escape")
    session.wait_for("市交办离石牵头实事")
    pid = session.pane_pid()
    session.keys("q")
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "q did not quit"


def test_sighup_ends_the_app(session: Tmux, capsys: pytest.CaptureFixture[str]) -> None:
    session.wait_for("地区生产总值增速")
    pid = session.pane_pid()
    assert alive(pid)
    sent = time.monotonic()
    os.kill(pid, signal.SIGHUP)
    limit = sent + 10.0  # generous: the bar (2 s) is reported, not asserted
    while alive(pid) and time.monotonic() < limit:
        time.sleep(0.02)
    elapsed = time.monotonic() - sent
    assert not alive(pid), "the app was still running 10 s after SIGHUP"
    with capsys.disabled():
        print(f"\n[sighup] app exited {elapsed:.2f} s after SIGHUP")
