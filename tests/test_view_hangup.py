"""Connection loss for `lishi-tui view` in a real pty: SIGHUP, a closed pty, a stalled terminal.

A stalled terminal is one nobody reads (a link that stopped moving): Textual's output
queue fills and its event loop blocks in the write, where a loop-run signal handler
never runs. Each case must end the viewer, leave no process, and write nothing.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.config.locate import bundled_config_path
from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.support.sshd import children, wait_gone

PROGRAM = Path(sys.executable).parent / "lishi-tui"
PAINTED = "地区生产总值同比增速".encode()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("view-hangup") / "history.db"
    subprocess.run(
        [str(PROGRAM), "--config", str(bundled_config_path()), "--db", str(db), "fetch"],
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=120,
    )
    return db


class Viewer:
    """`lishi-tui view` with a pty as its controlling terminal, as sshd starts it."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [str(PROGRAM), "--config", str(bundled_config_path()), "--db", str(db), "view"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.open = True

    def read_until(self, wanted: bytes, limit_s: float = 60) -> None:
        seen = b""
        deadline = time.monotonic() + limit_s
        os.set_blocking(self.master, False)
        while wanted not in seen.replace(b"\x1b", b"") and time.monotonic() < deadline:
            try:
                seen += os.read(self.master, 65536)
            except BlockingIOError:
                time.sleep(0.05)
        assert wanted in seen, "the viewer never painted"

    def main_thread_blocked(self) -> bool:
        """The event loop waits in a lock while a thread waits in a terminal write (its
        output queue is full), and still does a moment later (not a passing GIL wait)."""
        for _ in range(10):
            try:
                tasks = Path(f"/proc/{self.proc.pid}/task")
                main = (tasks / str(self.proc.pid) / "wchan").read_text()
                others = [(t / "wchan").read_text() for t in tasks.iterdir()]
            except OSError:
                return False
            if "futex" not in main or not any("wait_woken" in w or "tty" in w for w in others):
                return False
            time.sleep(0.05)
        return True

    def close_pty(self) -> None:
        if self.open:
            os.close(self.master)
            self.open = False

    def tree(self) -> list[int]:
        tree = children()
        found, todo = [self.proc.pid], list(tree.get(self.proc.pid, []))
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(tree.get(pid, []))
        return found

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.close_pty()


@pytest.fixture
def viewer(filled: Path) -> Iterator[Viewer]:
    v = Viewer(filled)
    yield v
    v.kill()


def files_of(db: Path) -> dict[str, tuple[int, int]]:
    """Every file beside the database, with size and time. Not data, so left out: the -shm
    index (readers write their read marks there) and an empty -wal (SQLite removes both
    when the last connection closes cleanly, and a viewer may be that connection)."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in db.parent.iterdir()
        if not p.name.endswith("-shm") and not (p.name.endswith("-wal") and not p.stat().st_size)
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def change(store: SqliteStore, n: int) -> None:
    value = float(40 + n % 50)
    reading = Reading("tertiary_share", Period.year(2022 + n % 3), value, origin="t")
    store.write([Observation(reading, "test", datetime.now(UTC))])


def stall(viewer: Viewer) -> int:
    """Stop reading the viewer's terminal and change the store until its loop blocks, then
    300 times more; return how much the viewer's memory grew meanwhile (kB)."""
    store = SqliteStore(viewer.db)
    try:
        deadline = time.monotonic() + 90
        n = 0
        while not viewer.main_thread_blocked() and time.monotonic() < deadline:
            n += 1
            change(store, n)
            time.sleep(0.05)
        assert viewer.main_thread_blocked(), "the viewer's output never filled up"
        blocked = rss_kb(viewer.proc.pid)
        for more in range(300):
            change(store, n + more)
            time.sleep(0.01)
        return rss_kb(viewer.proc.pid) - blocked
    finally:
        store.close()


@pytest.mark.parametrize("how", ["SIGHUP", "closed pty"])
def test_a_hangup_ends_the_viewer_and_writes_nothing(viewer: Viewer, how: str) -> None:
    viewer.read_until(PAINTED)
    before = files_of(viewer.db)
    tree = viewer.tree()
    if how == "SIGHUP":
        os.kill(viewer.proc.pid, signal.SIGHUP)
    else:
        viewer.close_pty()
    assert not wait_gone(tree)
    assert viewer.proc.wait(10) == 129
    assert files_of(viewer.db) == before


@pytest.mark.parametrize("how", ["SIGHUP", "closed pty"])
def test_a_stalled_terminal_still_ends_on_hangup(viewer: Viewer, how: str) -> None:
    viewer.read_until(PAINTED)
    grown = stall(viewer)
    # Blocked, it holds at most 30 frames and one change notice, whatever else is committed.
    assert grown < 8 * 1024, f"{grown} kB more after 300 commits it could not show"
    tree = viewer.tree()
    if how == "SIGHUP":
        os.kill(viewer.proc.pid, signal.SIGHUP)
    else:
        viewer.close_pty()
    assert not wait_gone(tree), "the stalled viewer outlived its terminal"
