"""A real OpenSSH server for tests: its own host key, port and config, built from contrib/ssh.

The shipped drop-in (contrib/ssh/sshd-lishi-tui.conf) is used as it is, with three
substitutions: the install paths become this checkout's venv and the test's config,
and the group a test plays (``lishi-viewers`` or ``lishi-operators``) becomes the test
account's own primary group, so that its ``Match Group`` block applies.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
SHIPPED = Path(__file__).resolve().parents[2] / "contrib" / "ssh" / "sshd-lishi-tui.conf"
INSTALLED_PROGRAM = "/opt/lishi-tui/bin/lishi-tui"
INSTALLED_CONFIG = "/etc/lishi-tui/config.toml"
TEST_ACCOUNT = "lishi-sshtest"


def sshd_missing() -> str | None:
    """Why the sshd tests cannot run here, or None."""
    if not SSHD.exists():
        return f"{SSHD} is not installed (apt-get install openssh-server)"
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        return "the OpenSSH client is not installed (apt-get install openssh-client)"
    if shutil.which("tmux") is None:
        return "tmux is not installed"
    return None


def program() -> Path:
    """This venv's ``lishi-tui`` script, by absolute path, as the ForceCommand names it."""
    return Path(sys.executable).parent / "lishi-tui"


def pick_account() -> str:
    """The account officials' sessions run as in the test.

    A dedicated account when this process may create one (CI runs as root) and it can
    run this venv; otherwise the current account (a venv under /root, as with pyenv, is
    out of reach of any other account, and sshd can only start sessions as that one).
    """
    me = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() != 0:
        return me
    try:
        pwd.getpwnam(TEST_ACCOUNT)
    except KeyError:
        made = subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/sh", TEST_ACCOUNT],
            capture_output=True,
            check=False,
        )
        if made.returncode != 0:
            return me
    probe = subprocess.run(
        ["runuser", "-u", TEST_ACCOUNT, "--", str(program()), "--version"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return TEST_ACCOUNT if probe.returncode == 0 else me


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sshd:
    """``sshd -D -e -f CONFIG`` on 127.0.0.1, with a client key for ``account``."""

    def __init__(self, *, account: str, plays: str, config: Path, db: Path) -> None:
        self.account = account
        self.dir = Path(tempfile.mkdtemp(prefix="lishi-sshd-"))
        self.dir.chmod(0o755)  # sshd reads authorized_keys as the account
        self.port = free_port()
        self.key = self.dir / "client_key"
        for path in (self.dir / "host_key", self.key):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True
            )
        keys = self.dir / "authorized_keys"
        keys.write_text(self.key.with_suffix(".pub").read_text())
        keys.chmod(0o644)
        group = grp.getgrgid(pwd.getpwnam(account).pw_gid).gr_name
        self.log = self.dir / "sshd.log"
        self.config = self.dir / "sshd_config"
        self.config.write_text(self.base_config() + shipped_config(plays, group, config, db))
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
        check = subprocess.run(
            [str(SSHD), "-t", "-f", str(self.config)], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise AssertionError(f"sshd -t refused the config: {check.stderr}")
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )
        self._wait_listening()

    def base_config(self) -> str:
        return "\n".join(
            [
                f"Port {self.port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {self.dir / 'host_key'}",
                f"PidFile {self.dir / 'sshd.pid'}",
                f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
                "StrictModes no",  # the key files live in a temporary folder
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "PermitUserEnvironment no",
                "PrintMotd no",
                "PrintLastLog no",
                "LogLevel VERBOSE",
                "",
            ]
        )

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"sshd exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"sshd never listened: {self.log.read_text()}")

    def ssh(self, *options: str, command: str | None = None) -> list[str]:
        """An ``ssh`` command line for the account: ``options``, then ``command`` if any."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(self.key),
            "-p",
            str(self.port),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            *options,
            f"{self.account}@127.0.0.1",
            *([command] if command is not None else []),
        ]

    def run(
        self, *options: str, command: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.ssh(*options, command=command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def sessions(self) -> list[int]:
        """Every process below the listening sshd: its session children and what they run."""
        return descendants(self.process.pid)

    def close(self) -> None:
        for pid in self.sessions():
            kill(pid, signal.SIGKILL)
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def shipped_config(plays: str, group: str, config: Path, db: Path) -> str:
    """contrib/ssh/sshd-lishi-tui.conf for this test: the account's group plays ``plays``."""
    text = SHIPPED.read_text()
    command = f"{shlex.quote(str(program()))}"
    text = text.replace(INSTALLED_PROGRAM, command)
    text = text.replace(
        f"--config {INSTALLED_CONFIG}",
        f"--config {shlex.quote(str(config))} --db {shlex.quote(str(db))}",
    )
    return text.replace(plays, group)


def children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if fields[0] == "Z":
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree = children()
    found: list[int] = []
    todo = list(tree.get(pid, []))
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(tree.get(p, []))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_gone(pids: Iterable[int], limit_s: float = 10.0) -> list[int]:
    """Poll until none of ``pids`` runs (zombies count as gone); return those left."""
    left = list(pids)
    deadline = time.monotonic() + limit_s
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        tree = children()
        running = {p for kids in tree.values() for p in kids}
        left = [p for p in left if p in running]
    return left
