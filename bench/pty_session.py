"""A program in a pseudo-terminal of a given size: every byte it writes, timed, fed to a pyte screen.

The reader thread drains the pty continuously (a full pty would stall the program and time the
bench instead of the program), records (time, byte count) per chunk, and keeps a pyte screen
so that "full paint" can be judged by what a person would see.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyte  # type: ignore[import-not-found,unused-ignore]  # the [bench] extra

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


class PtySession:
    """One program in a pty; use as a context manager (the program is killed on exit)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int,
        rows: int,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        keep: bool = False,
    ) -> None:
        self.argv = list(argv)
        self.cols, self.rows = cols, rows
        self.env = dict(env if env is not None else os.environ)
        self.cwd = cwd
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.chunks: list[tuple[float, int]] = []  # (perf_counter, bytes)
        self.raw: list[tuple[float, bytes]] | None = [] if keep else None  # for a closer look
        self.lock = threading.Condition()
        self.started = 0.0
        self.closed = False
        self.proc: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> PtySession:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self._master = master
        env = {**self.env, "COLUMNS": str(self.cols), "LINES": str(self.rows)}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=self.cwd,
            start_new_session=True,  # its own session, so the pty can be its controlling tty
            preexec_fn=_take_controlling_tty,
        )
        os.close(slave)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self.lock:
                if not data:
                    self.closed = True
                    self.lock.notify_all()
                    return
                self.chunks.append((now, len(data)))
                if self.raw is not None:
                    self.raw.append((now, data))
                self.stream.feed(data)
                self.lock.notify_all()

    def send(self, data: bytes) -> None:
        """Type ``data`` into the program's terminal."""
        os.write(self._master, data)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(3)
        if self._thread is not None:
            self._thread.join(3)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    def __enter__(self) -> PtySession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what is on screen

    def text(self) -> str:
        with self.lock:
            return screen_text(self.screen)

    def wait_for(self, test: Callable[[str], bool], timeout: float) -> float | None:
        """perf_counter time when ``test(screen text)`` first held, or None on timeout."""
        deadline = time.perf_counter() + timeout
        with self.lock:
            while True:
                if test(screen_text(self.screen)):
                    return self.chunks[-1][0] if self.chunks else time.perf_counter()
                left = deadline - time.perf_counter()
                if left <= 0 or self.closed:
                    return None
                self.lock.wait(min(left, 0.05))

    def wait_quiet(self, quiet: float, timeout: float) -> bool:
        """Wait until nothing was written for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                last = self.chunks[-1][0] if self.chunks else self.started
            if time.perf_counter() - last >= quiet:
                return True
            time.sleep(0.02)
        return False

    def bytes_between(self, t0: float, t1: float) -> int:
        with self.lock:
            return sum(n for t, n in self.chunks if t0 <= t < t1)

    def total_bytes(self) -> int:
        with self.lock:
            return sum(n for _, n in self.chunks)

    # -- the process, from /proc

    def cpu_seconds(self) -> float:
        """User + system CPU of the process (threads included)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def screen_text(screen: pyte.Screen) -> str:
    """The screen's lines as text. pyte leaves an empty cell after a wide (CJK) character,
    and joined here it adds nothing; ``Screen.display`` instead raises IndexError on an empty
    cell that follows no wide character, which a narrow character drawn over the first half
    of a wide one leaves (a page switch that replaces CJK text does)."""
    columns = range(screen.columns)
    return "\n".join(
        "".join(row[x].data for x in columns)
        for row in (screen.buffer[y] for y in range(screen.lines))
    )


def _take_controlling_tty() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def sample_idle(session: PtySession, seconds: float) -> tuple[float, float]:
    """CPU share of one core and bytes/s written to the terminal over ``seconds``."""
    c0, t0 = session.cpu_seconds(), time.perf_counter()
    time.sleep(seconds)
    c1, t1 = session.cpu_seconds(), time.perf_counter()
    return (c1 - c0) / (t1 - t0) * 100.0, session.bytes_between(t0, t1) / (t1 - t0)
