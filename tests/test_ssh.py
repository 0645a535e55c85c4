"""The SSH deployment for real: sshd with the shipped ForceCommand config, a real collector, ssh in tmux."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.config.locate import bundled_config_path
from lishi_tui.store.sqlite import SqliteStore
from tests.support.sshd import (
    Sshd,
    cmdline,
    descendants,
    free_port,
    kill,
    pick_account,
    program,
    sshd_missing,
    wait_gone,
)
from tests.support.tmux import Tmux

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(sshd_missing() is not None, reason=sshd_missing() or ""),
]

FIGURE = "地区生产总值同比增速"  # the first panel of the bundled config, with the report's figure
# AQI is a demo series in the bundled config; any figure is above 0: the collector raises
# this alert at once (as tests/test_tmux_alerts.py does).
RULE = """

[alerts.aqi_demo]
kind = "threshold"
indicators = ["aqi"]
above = 0
severity = "critical"
demo = true
"""


@pytest.fixture(scope="module")
def account() -> str:
    return pick_account()


@pytest.fixture(scope="module")
def history() -> Iterator[Path]:
    """A real `lishi-tui collect` on the bundled config and an alert rule, writing the
    database officials read (``history.parent / "lishi.toml"`` is the config)."""
    folder = Path(tempfile.mkdtemp(prefix="lishi-ssh-data-"))
    folder.chmod(0o777)  # the test account's viewer opens the database's -shm file
    db = folder / "history.db"
    config = folder / "lishi.toml"
    config.write_text(bundled_config_path().read_text(encoding="utf-8") + RULE, encoding="utf-8")
    config.chmod(0o644)
    collector = subprocess.Popen(
        [str(program()), "--config", str(config), "--db", str(db), "collect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not has_figures(db):
            assert collector.poll() is None, "the collector exited"
            time.sleep(0.2)
        assert has_figures(db), "the collector stored nothing"
        yield db
    finally:
        collector.terminate()
        collector.wait(20)
        shutil.rmtree(folder, ignore_errors=True)


def has_figures(db: Path) -> bool:
    if not db.exists():
        return False
    shown = subprocess.run(
        [str(program()), "--config", str(db.parent / "lishi.toml"), "--db", str(db), "show"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "10.0" in shown.stdout


def start(account: str, history: Path, plays: str) -> Sshd:
    return Sshd(account=account, plays=plays, config=history.parent / "lishi.toml", db=history)


@pytest.fixture
def viewer_sshd(account: str, history: Path) -> Iterator[Sshd]:
    server = start(account, history, "lishi-viewers")
    yield server
    server.close()


def session(server: Sshd) -> Tmux:
    return Tmux(server.ssh("-tt"), width=100, height=30)


def viewer_process(server: Sshd) -> int:
    """The `lishi-tui ... view` process sshd started for the session."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for pid in server.sessions():
            if " view" in cmdline(pid) and "lishi-tui" in cmdline(pid):
                return pid
        time.sleep(0.05)
    raise AssertionError("no viewer process under sshd")


def test_a_viewer_sees_figures_and_is_refused_what_writes(viewer_sshd: Sshd) -> None:
    started = time.time()
    tmux = session(viewer_sshd)
    try:
        screen = tmux.wait_for(FIGURE, limit_s=60)
        assert "≥10.0 %" in tmux.wait_for("≥10.0 %") and "2021年" in screen
        assert "查看" in screen  # the role is on the header
        # The session reads the collector's last good config copy (the shipped SetEnv).
        environ = Path(f"/proc/{viewer_process(viewer_sshd)}/environ").read_bytes().split(b"\0")
        assert b"LISHI_TUI_STATE_DIR=/var/lib/lishi-tui/last-good" in environ
        # A viewer starts no source runs, and is told why.
        screen = tmux.press_until("r", "查看者不能触发")
        # No screenshot from the palette: the command is not offered (an operator's is).
        assert "保存为 SVG" not in palette_search(tmux, "截图", answered="没有匹配项")
        close_palette(tmux)
        # The alerts screen opens; acknowledging is refused, and says why.
        tmux.wait_for("⚠ 严重 1", limit_s=40)
        tmux.press_until("a", "aqi_demo")
        tmux.keys("a")
        tmux.wait_for("查看者不能确认告警")
        assert "请填写原因" not in tmux.screen()
        home = Path(os.path.expanduser(f"~{viewer_sshd.account}"))
        # Textual saves into the Downloads folder, or the home folder without one.
        shots = [*home.glob("*.svg"), *(home / "Downloads").glob("*.svg")]
        assert not [p for p in shots if p.stat().st_mtime > started]
    finally:
        tmux.close()


def palette_search(tmux: Tmux, words: str, answered: str = "") -> str:
    """Open the command palette, type ``words``, and return the screen with its answers."""
    tmux.press_until("C-p", "搜索指标或命令", tries=4)
    tmux.keys("-l", words)  # literal: Chinese words are not key names
    return tmux.wait_for(answered)


def close_palette(tmux: Tmux) -> None:
    """Escape, then wait for the palette to go: a key sent right behind Escape would
    arrive as Alt+key."""
    tmux.keys("Escape")
    deadline = time.monotonic() + 20
    while "🔎" in tmux.screen() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "🔎" not in tmux.screen(), "the palette stayed open"


def test_no_shell_no_command_no_forwarding(viewer_sshd: Sshd, tmp_path: Path) -> None:
    marker = Path(tempfile.gettempdir()) / f"lishi-ssh-pwned-{os.getpid()}"
    # A command is ignored: ForceCommand runs the viewer, which wants a terminal.
    for asked in ("sh", f"touch {marker}", "/bin/bash -i"):
        result = viewer_sshd.run(command=asked)
        assert result.returncode != 0, result
        assert "lishi-tui view needs a terminal" in result.stderr
        assert result.stdout == ""
    assert not marker.exists()
    # Remote forwarding is refused by the server.
    result = viewer_sshd.run(
        "-N", "-o", "ExitOnForwardFailure=yes", "-R", f"{free_port()}:127.0.0.1:22"
    )
    assert result.returncode != 0
    # Local forwarding: the client listens, the server refuses every channel through it.
    local = free_port()
    forward = subprocess.Popen(
        viewer_sshd.ssh("-N", "-L", f"{local}:127.0.0.1:{viewer_sshd.port}"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        banner = through_forward(local)
        assert not banner.startswith(b"SSH-"), banner
    finally:
        forward.kill()
        forward.wait(10)


def through_forward(port: int) -> bytes:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.settimeout(5)
                try:
                    return conn.recv(64)
                except (TimeoutError, ConnectionResetError):
                    return b""
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the forwarding client never listened")


@pytest.mark.parametrize("victim", ["ssh client", "sshd session"])
def test_a_dropped_connection_ends_the_viewer(viewer_sshd: Sshd, victim: str) -> None:
    tmux = session(viewer_sshd)
    try:
        tmux.wait_for(FIGURE, limit_s=60)
        viewer = viewer_process(viewer_sshd)
        everything = viewer_sshd.sessions()
        if victim == "ssh client":
            kill(tmux.pane_pid(), signal.SIGKILL)
        else:
            session_child = next(p for p in everything if p in children_of_listener(viewer_sshd))
            kill(session_child, signal.SIGKILL)
        left = wait_gone([viewer, *everything])
        assert not left, [cmdline(p) for p in left]
    finally:
        tmux.close()


def children_of_listener(server: Sshd) -> list[int]:
    grandchildren = set()
    for pid in descendants(server.process.pid):
        grandchildren.update(descendants(pid))
    return [p for p in descendants(server.process.pid) if p not in grandchildren]


def test_an_operator_may_screenshot_and_acknowledge_as_their_account(
    account: str, history: Path
) -> None:
    server = start(account, history, "lishi-operators")
    tmux = session(server)
    try:
        screen = tmux.wait_for(FIGURE, limit_s=60)
        assert "操作员" in screen
        palette_search(tmux, "截图")
        tmux.wait_for("保存为 SVG")
        close_palette(tmux)
        # An operator's acknowledgement is stored with the SSH account's name.
        tmux.wait_for("⚠ 严重 1", limit_s=40)
        tmux.press_until("a", "aqi_demo")
        tmux.keys("a")
        tmux.wait_for("请填写原因")
        tmux.keys("-l", "演练")
        tmux.keys("Enter")
        tmux.wait_for("已确认", limit_s=20)
        store = SqliteStore(history)
        try:
            acks = list(StoreRepository(store).acks().values())
        finally:
            store.close()
        assert [(a.alert_id, a.by, a.reason) for a in acks] == [
            ("aqi_demo/aqi", server.account, "演练")
        ]
    finally:
        tmux.close()
        server.close()
