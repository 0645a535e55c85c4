"""Many indicators in a pty: first paint, page switch and exit on q with 100 and 1,000 indicators, beside a bare Textual app with the same widgets.

The dashboard runs as ``python -m lishi_tui --no-collector`` at 120x40 on a generated config
(``bench/scale_setup.py``: pages of eight one-indicator panels) and a bulk-filled history. The
baseline in the same run is a bare Textual app with the same tabs and the same number of
bordered ``Static`` panels, every one mounted at start, as a naive dashboard would build it.
"Painted" is when the first page's tab title, a panel title and its figure and the footer show
on the pyte screen; a page switch ends when the next page's panel title and figure show (each
session presses Tab several times, quiet in between: a switch costs tens of milliseconds, so
it gets many more samples than a paint); exit ends when the process is gone (its terminal
restored). Growth per 10x indicators is judged against the bare app's growth in the same run:
Textual's own cost grows with the widgets, and no dashboard built on it grows less.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Peer, Row, cli, row
from bench.pty_session import PtySession
from bench.scale_setup import PER_PAGE, filled_db, page_title, value_of, write_config

COLS, ROWS = 120, 40
SWITCHES = 5  # Tab presses a session: each shows the page read ahead, as the first one does
GROWTH_BAR = 1.5  # x the bare app's growth per 10x indicators in the same run (never below 1.5)

# The same tabs and panels as the generated dashboard, as plain bordered Statics, all mounted.
BARE_PAGES = r"""
import sys
from textual.app import App
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

N, PER = int(sys.argv[1]), int(sys.argv[2])

class Bare(App[None]):
    CSS = "Static { border: round green; height: 8; } Grid { grid-size: 3; height: auto; }"
    BINDINGS = [("q", "quit", "退出"), Binding("tab", "next", "下一页", priority=True)]

    def compose(self):
        yield Header()
        with TabbedContent():
            for page in range((N + PER - 1) // PER):
                with TabPane(f"第{page + 1}页", id=f"p{page}"), VerticalScroll(), Grid():
                    for n in range(page * PER, min((page + 1) * PER, N)):
                        yield Static(f"指标{n + 1:04d}\n{50 + (n * 7 + LAST) % 40} %")
        yield Footer()

    def action_next(self):
        tabs = self.query_one(TabbedContent)
        page = int((tabs.active or "p0")[1:]) + 1
        tabs.active = f"p{page % ((N + PER - 1) // PER)}"

LAST = int(sys.argv[3])
Bare().run()
"""


@dataclass
class Samples:
    values: dict[str, list[float]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)


def env_for(folder: Path) -> dict[str, str]:
    home = folder / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    env.pop("NO_COLOR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's machine caches bytecode
    return env


def page_markers(page: int, per: int) -> tuple[str, ...]:
    """What page ``page`` shows once drawn: its first panel's title and figure."""
    n = page * PER_PAGE
    return (f"指标{n + 1:04d}", f"{value_of(n, per - 1):.0f} %")


def first_markers(per: int) -> Callable[[str], bool]:
    wanted = (page_title(0), *page_markers(0, per), "q 退出")
    return lambda screen: all(m in screen for m in wanted)


def switched(page: int, per: int) -> Callable[[str], bool]:
    wanted = page_markers(page, per)
    return lambda screen: all(m in screen for m in wanted)


def exited(session: PtySession, timeout: float) -> tuple[float, float] | None:
    """When the process ended and the CPU seconds it used in all, or None on timeout."""
    assert session.proc is not None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        pid, status, usage = os.wait4(session.proc.pid, os.WNOHANG)
        if pid:
            session.proc.returncode = os.waitstatus_to_exitcode(status)
            return time.perf_counter(), usage.ru_utime + usage.ru_stime
        time.sleep(0.002)
    return None


def one_run(
    argv: list[str], env: dict[str, str], per: int, s: Samples, tag: str, switches: int
) -> None:
    """Paint, RSS, ``switches`` page switches (Tab) and exit (q) of one program; wall and
    CPU seconds."""
    with PtySession(argv, cols=COLS, rows=ROWS, env=env) as session:
        painted = session.wait_for(first_markers(per), 60)
        if painted is None:
            s.problems[f"{tag}_paint"] = "never showed the first page"
            return
        s.add(f"{tag}_paint_cpu", session.cpu_seconds())  # read just after: a tick or two late
        s.add(f"{tag}_paint", painted - session.started)
        session.wait_quiet(0.5, 10)
        s.add(f"{tag}_rss", session.rss_mb())
        for page in range(1, switches + 1):
            c0, t0 = session.cpu_seconds(), time.perf_counter()
            session.send(b"\t")
            shown = session.wait_for(switched(page, per), 20)
            if shown is None:
                s.problems[f"{tag}_switch"] = f"Tab never showed page {page + 1}"
                break
            s.add(f"{tag}_switch", max(shown - t0, 0.0))
            s.add(f"{tag}_switch_cpu", session.cpu_seconds() - c0)
            session.wait_quiet(0.5, 10)  # the chart drawn, the next page read ahead
        c0, t0 = session.cpu_seconds(), time.perf_counter()
        session.send(b"q")
        gone = exited(session, 30)
        if gone is None:
            s.problems[f"{tag}_exit"] = "still running 30 s after q"
        else:
            s.add(f"{tag}_exit", gone[0] - t0)
            s.add(f"{tag}_exit_cpu", gone[1] - c0)


def run(quick: bool) -> list[Row]:
    runs = 1 if quick else 3
    switches = 2 if quick else SWITCHES
    heavy_per = 500 if quick else 5_000  # observations per indicator of the 1,000
    light_per = 20
    s = Samples()
    with tempfile.TemporaryDirectory(prefix="lishi-bench-scale-") as tmp:
        folder = Path(tmp)
        env = env_for(folder)
        setups = {}
        for n, per in ((100, light_per), (1000, light_per), (1000, heavy_per)):
            config = write_config(folder, n)
            db = filled_db(folder, n, per, copy=False)  # --no-collector: nothing is written
            lishi = [sys.executable, "-m", "lishi_tui", "--config", str(config), "--db", str(db),
                     "--no-collector"]  # fmt: skip
            bare = [sys.executable, "-c", BARE_PAGES, str(n), str(PER_PAGE), str(per - 1)]
            setups[(n, per)] = (lishi, bare)
        for _ in range(runs):
            for (n, per), (lishi, bare) in setups.items():
                one_run(lishi, env, per, s, f"ours{n}x{per}", switches)
                if per == light_per:
                    one_run(bare, env, per, s, f"bare{n}", switches)

    def cpu_note(key: str, peers: list[Peer]) -> str:
        """The CPU seconds behind a wall figure, ours and the bare app's: steadier under load."""
        ours = s.values.get(f"{key}_cpu")
        bare = "bare100" if key.startswith("ours100x") else "bare1000"
        bare_key = next((k for k in s.values if k.startswith(f"{bare}_") and key.endswith(
            k.removeprefix(bare))), "") if peers else ""  # fmt: skip
        theirs = s.values.get(f"{bare_key}_cpu")
        if not ours:
            return ""
        text = f"CPU {statistics.median(ours):.3g} s"
        return text + (f", bare {statistics.median(theirs):.3g} s" if theirs else "")

    def measured(key: str, what: str, unit: str, bar: float | None, peers: list[Peer]) -> Row:
        values = s.values.get(key, [])
        if not values:
            return Row(what, None, unit, bar, note=s.problems.get(key, "not measured"))
        note = s.problems.get(key, "") or cpu_note(key, peers)
        return row(what, values, unit, bar, peers=peers, note=note)

    def peer(name: str, key: str) -> Peer:
        values = s.values.get(key)
        if not values:
            return Peer(name, None, s.problems.get(key, "no figure"))
        return Peer(name, statistics.median(values))

    def ratio_bar(key: str, times: float) -> float | None:
        values = s.values.get(key)
        return statistics.median(values) * times if values else None

    big, small, heavy = f"ours1000x{light_per}", f"ours100x{light_per}", f"ours1000x{heavy_per}"
    obs = f"{1000 * heavy_per / 1e6:g}M"
    rows = [
        measured(f"{big}_paint", f"first paint, 1,000 indicators on 125 pages, {COLS}x{ROWS}",
                 "s", ratio_bar("bare1000_paint", 1.5),
                 [peer("bare Textual app, same widgets", "bare1000_paint")]),
        measured(f"{small}_paint", f"first paint, 100 indicators on 13 pages, {COLS}x{ROWS}",
                 "s", ratio_bar("bare100_paint", 1.5),
                 [peer("bare Textual app, same widgets", "bare100_paint")]),
        measured(f"{big}_switch", "page switch (Tab), 1,000 indicators", "s",
                 ratio_bar("bare1000_switch", 1.5),
                 [peer("bare Textual app, same widgets", "bare1000_switch")]),
        measured(f"{big}_exit", "exit on q, 1,000 indicators", "s", 1.0,
                 [peer("bare Textual app, same widgets", "bare1000_exit")]),
        measured(f"{heavy}_paint", f"first paint, 1,000 panels over {obs} observations", "s",
                 ratio_bar("bare1000_paint", 1.5),
                 [peer("bare Textual app, same widgets", "bare1000_paint")]),
        measured(f"{heavy}_switch", f"page switch (Tab), 1,000 panels over {obs} observations",
                 "s", ratio_bar("bare1000_switch", 1.5),
                 [peer("bare Textual app, same widgets", "bare1000_switch")]),
        measured(f"{heavy}_exit", f"exit on q, 1,000 panels over {obs} observations", "s", 1.0,
                 [peer("bare Textual app, same widgets", "bare1000_exit")]),
        measured(f"{heavy}_rss", f"resident memory, 1,000 panels over {obs} observations", "MB",
                 None, [peer("bare Textual app, same widgets", "bare1000_rss")]),
    ]  # fmt: skip
    for what, key in (("first paint", "paint"), ("page switch", "switch"), ("exit", "exit")):
        a, b = s.values.get(f"{small}_{key}"), s.values.get(f"{big}_{key}")
        ratio = statistics.median(b) / statistics.median(a) if a and b else None
        b100, b1000 = s.values.get(f"bare100_{key}"), s.values.get(f"bare1000_{key}")
        bare_ratio = statistics.median(b1000) / statistics.median(b100) if b100 and b1000 else None
        # Textual's own growth with the widgets is the floor: the bar is 1.5x the bare app's
        # growth in this run, and never tighter than 1.5 (a bare growth under 1 is noise).
        bar = GROWTH_BAR * max(bare_ratio, 1.0) if bare_ratio else GROWTH_BAR
        basis = f"bar {GROWTH_BAR:g} × the bare app's growth in this run"
        rows.append(
            Row(
                f"{what} growth per 10× indicators (100 → 1,000)",
                ratio,
                "×",
                bar,
                runs=min(len(a or ()), len(b or ())),
                peers=(Peer("bare Textual app, same widgets", bare_ratio),),
                note=basis if ratio else "not measured",
            )
        )
    return rows


if __name__ == "__main__":
    cli(__doc__ or "", run)
