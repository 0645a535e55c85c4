"""A real terminal for tests: one detached tmux session on a private server socket."""

from __future__ import annotations

import os
import shlex
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path

from tests.support.waiting import LIMIT_S, wait_for


class Tmux:
    """One detached tmux session on a private server socket."""

    def __init__(
        self,
        command: list[str],
        *,
        width: int,
        height: int,
        keep_pane: bool = False,
        options: Mapping[str, str] | None = None,
    ) -> None:
        """``keep_pane``: the pane stays after its process ends (tmux's remain-on-exit), so
        that ``exit_status`` and the screen can be read. ``options``: more global tmux
        options (``{"set-clipboard": "on"}``). All are set before the command starts."""
        self.socket = f"lishi-test-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        self.env = env
        settings = {**({"remain-on-exit": "on"} if keep_pane else {}), **(options or {})}
        before = [word for k, v in settings.items() for word in ("set-option", "-g", k, v, ";")]
        self.tmux(
            *before,
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

    def exit_status(self) -> int | None:
        """The pane process's exit status once it has ended (negative: the signal that ended
        it), else None. Needs ``keep_pane``.

        tmux's own ``pane_dead_status`` is not enough: tmux 3.3a built with libutempter sets
        SIGCHLD to its default while the utempter helper runs, which it does when the pane's
        terminal closes, that is at the moment the process exits. A SIGCHLD arriving then
        is lost: tmux never reaps the process and reports the pane dead with no status (a
        process whose other threads must end first, such as one with a thread left
        running, exits just late enough). The kernel keeps the status in the unreaped
        process (``/proc/PID/stat``), so it is read from there.
        """
        state = self.tmux("display-message", "-p", "-t", "app", _PANE_END).strip()
        dead, status, signal, pid = [*state.split(":"), "", "", ""][:4]
        if dead != "1":
            return None
        if status:
            return int(status)
        if signal:
            return -int(signal)
        return zombie_exit_status(int(pid)) if pid.isdigit() else None

    def wait_exit(self, limit_s: float = LIMIT_S) -> int:
        """The pane process's exit status, once it has ended. Needs ``keep_pane``."""

        def ended() -> tuple[int, ...]:  # a tuple: exit status 0 counts as ended
            status = self.exit_status()
            return () if status is None else (status,)

        (status,) = wait_for(
            ended,
            what="the pane's process to end",
            limit_s=limit_s,
            step_s=0.05,
            show=lambda: f"the screen was:\n{self.screen()}",
        )
        return status

    def press_until_exit(self, key: str, tries: int = 4, limit_s: float = LIMIT_S) -> int:
        """Send ``key`` until the pane's process ends; its exit status. The key is sent again
        only if the process still runs after a while: one sent while the app is still
        reading the terminal's answers to its start-up queries can be swallowed."""
        for _ in range(tries - 1):
            self.keys(key)
            try:
                return self.wait_exit(limit_s=limit_s / tries)
            except AssertionError:
                continue
        self.keys(key)
        return self.wait_exit(limit_s=limit_s)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


_PANE_END = "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}:#{pane_pid}"


def zombie_exit_status(pid: int) -> int | None:
    """The exit status of ``pid`` if it has ended but is not yet reaped (negative: the
    signal), from field 52 of ``/proc/PID/stat``; None if it runs or is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    if fields[0] != "Z":
        return None
    wait_status = int(fields[49])  # fields[0] is field 3, the state
    return (wait_status >> 8) & 0xFF if wait_status & 0x7F == 0 else -(wait_status & 0x7F)


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
