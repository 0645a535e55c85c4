"""A real terminal for tests: one detached tmux session on a private server socket."""

from __future__ import annotations

import os
import shlex
import subprocess
import uuid
from pathlib import Path

from tests.support.waiting import LIMIT_S, wait_for


class Tmux:
    """One detached tmux session on a private server socket."""

    def __init__(self, command: list[str], *, width: int, height: int) -> None:
        self.socket = f"lishi-test-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        self.env = env
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            str(width),
            "-y",
            str(height),
            "exec " + shlex.join(command),
        )

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=False,
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def wait_for(self, *texts: str, limit_s: float = LIMIT_S) -> str:
        """The screen, once it shows every one of ``texts`` (on one capture)."""
        shown = ""

        def all_shown() -> str:
            nonlocal shown
            shown = self.screen()
            return shown if all(text in shown for text in texts) else ""

        return wait_for(
            all_shown,
            what=f"{list(texts)!r} on the screen",
            limit_s=limit_s,
            step_s=0.1,
            show=lambda: f"the screen was:\n{shown}",
        )

    def press_until(self, key: str, text: str, tries: int = 4) -> str:
        """Send an idempotent key until ``text`` shows: a key that lands while the app is
        still reading the terminal's answers to its start-up queries can be swallowed."""
        for _ in range(tries - 1):
            self.keys(key)
            try:
                return self.wait_for(text, limit_s=3.0)
            except AssertionError:
                continue
        self.keys(key)
        return self.wait_for(text)

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "app", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def alive(pid: int) -> bool:
    """Running, not merely unreaped: tmux can take seconds to reap a pane's exited process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
