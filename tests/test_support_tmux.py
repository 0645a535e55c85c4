"""The tmux test terminal's exit status: from tmux, or from the kernel when tmux lost it."""

from __future__ import annotations

import shutil
import signal
import subprocess

import pytest

from tests.support.tmux import Tmux, zombie_exit_status
from tests.support.waiting import wait_for


@pytest.mark.parametrize(("code", "expected"), [("exit 3", 3), ("kill -TERM $$", -15)])
def test_an_unreaped_process_gives_its_exit_status(code: str, expected: int) -> None:
    child = subprocess.Popen(["sh", "-c", code])  # not waited for: a zombie once it ends
    try:
        ended = wait_for(lambda: zombie_exit_status(child.pid) is not None, what="its end")
        assert ended and zombie_exit_status(child.pid) == expected
    finally:
        child.kill()
        child.wait()
    assert zombie_exit_status(child.pid) is None  # reaped: gone


def test_a_running_process_has_no_exit_status() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert zombie_exit_status(child.pid) is None
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize(("code", "expected"), [("exit 3", 3), ("exit 0", 0), ("kill $$", -15)])
def test_a_kept_pane_reports_how_its_process_ended(code: str, expected: int) -> None:
    tmux = Tmux(["sh", "-c", code], width=40, height=5, keep_pane=True)
    try:
        assert tmux.wait_exit() == expected
    finally:
        tmux.close()
