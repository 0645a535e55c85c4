"""The idle rows of ``terminal.py`` alone, with longer windows: what an open dashboard costs when nothing happens, and beside a collector.

The same runs as ``terminal.py`` (``viewer_run``, ``collecting_run``, the bare Textual app
and the peers in the same pty at the same size), in turn in one run, without the paint,
update, burst and history rows. Idle CPU is read from ``/proc`` in clock ticks (10 ms), so
the windows are longer than the full terminal bench's: 30 s (quick: 10 s). Each row's note
gives the figure as CPU seconds per minute of the process, which is what a loaded machine
keeps (wall seconds do not). ``python bench/run_all.py --only idle`` runs just this.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Peer, Row, cli, row
from bench.pty_session import PtySession, sample_idle
from bench.terminal import (
    PEERS,
    REFRESHES,
    Samples,
    Setup,
    collecting_run,
    painted,
    peer_available,
    viewer_run,
)


def peer_idle(setup: Setup, name: str, s: Samples, idle_s: float) -> None:
    argv, markers = PEERS[name]
    with PtySession(argv, cols=120, rows=40, env=setup.env) as session:
        if session.wait_for(painted(markers), 20) is None:
            s.problems[f"{name}_idle_cpu"] = f"{name} never showed " + ", ".join(markers)
            return
        time.sleep(2.0)
        cpu, bps = sample_idle(session, idle_s)
        s.add(f"{name}_idle_cpu", cpu)
        s.add(f"{name}_idle_bytes", bps)


def run(quick: bool) -> list[Row]:
    runs, idle_s, collecting_s = (1, 10.0, 15.0) if quick else (3, 30.0, 30.0)
    s = Samples()
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        setup = Setup.make(Path(tmp))
        unavailable = {name: why for name in PEERS if (why := peer_available(name))}
        for _ in range(runs):
            viewer_run(setup, s, idle_s, writes=5)
            for name in PEERS:
                if name not in unavailable:
                    peer_idle(setup, name, s, idle_s)
            collecting_run(setup, s, collecting_s)

    def median(key: str) -> float | None:
        values = s.get(key)
        return statistics.median(values) if values else None

    def peers(key: str, names: tuple[str, ...] = tuple(PEERS)) -> list[Peer]:
        out = []
        for name in names:
            value = median(f"{name}_{key}")
            why = unavailable.get(name) or s.problems.get(f"{name}_{key}") or "no figure"
            label = name + REFRESHES.get(name, "")
            out.append(
                Peer(label, value) if value is not None else Peer(name, None, f"n/a ({why})")
            )
        return out

    def measured(key: str, what: str, unit: str, bar: float | None, with_peers: list[Peer]) -> Row:
        values = s.get(key)
        if not values:
            note = s.problems.get(key, "not measured")
            return Row(what, None, unit, bar, note=note, peers=tuple(with_peers))
        note = ""
        if unit == "% core":
            note = f"{statistics.median(values) * 0.6:.3f} CPU s a minute"
        return row(what, values, unit, bar, peers=with_peers, note=note)

    viewer = median("idle_cpu")
    bare = peers("idle_cpu", ("bare Textual app",))
    return [
        measured("idle_cpu", "idle CPU, 120x40", "% core", 0.5, peers("idle_cpu")),
        measured("idle_collecting", "idle CPU, bundled dashboard with its in-process collector"
                 ", 120x40", "% core", 0.5,
                 [Peer("the same viewer without a collector", viewer), *bare]),
        measured("idle_collector", "idle CPU, `collect` alone (the bundled config's sources)",
                 "% core", None, []),
        measured("idle_viewer_fed", "idle CPU, a viewer (--no-collector) of that collector's "
                 "writes, 120x40", "% core", None,
                 [Peer("the same viewer, nothing written", viewer), *bare]),
        measured("idle_bytes", "idle bytes to the terminal, 120x40", "B/s", 50,
                 peers("idle_bytes")),
        measured("write", "store write to the panel redrawn, 120x40", "ms", 100, []),
    ]  # fmt: skip


if __name__ == "__main__":
    cli(__doc__ or "", run)
