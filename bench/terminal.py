"""The dashboard in a pty: first paint, write-to-screen latency, idle cost, bytes to the terminal, RSS; btop and glances beside it.

Every lishi-tui run is a viewer (``--no-collector``) of a temporary SQLite file that
``fetch --once`` filled from the bundled default config; HOME points into a temporary folder,
so nothing of the user's is read or written. "Full paint" is when the pyte screen shows the
first page's title, its panels' figures and the footer. Peers run in the same pty at the same
size with a one-second refresh (btop ``update_ms = 1000``, glances ``-t 1``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import REPO, Peer, Row, cli, row
from bench.pty_session import PtySession, sample_idle
from lishi_tui.config.schema import AppSettings
from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.rows import INSERT_COLUMNS
from lishi_tui.store.sqlite import SqliteStore

DEFAULT_CONFIG = REPO / "config" / "lishi.toml"
# What the first page shows once drawn: its tab title, the stat and table panels' figures,
# the chart's axis and the footer.
PAINT_MARKERS = ("经济发展", "51 %", "100 项", "主要经济指标", "Tab 下一页")
UPDATED = "tertiary_share"  # a stat panel on the first page; whole percent
GLANCES = Path("/tmp/lishi-bench-glances/bin/glances")  # see bench/README.md


@dataclass
class Setup:
    """A temporary HOME, configs and a filled database, shared by every run."""

    folder: Path
    db: Path
    config: Path
    low_bandwidth: Path
    env: dict[str, str] = field(default_factory=dict)
    copies: int = 0

    @classmethod
    def make(cls, folder: Path) -> Setup:
        home = folder / "home"
        (home / ".config" / "btop").mkdir(parents=True)
        (home / ".config" / "btop" / "btop.conf").write_text("update_ms = 1000\n")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")},
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        env.pop("NO_COLOR", None)
        # Measure what a user's machine does: Python caches compiled modules. (This
        # workplace sets PYTHONDONTWRITEBYTECODE, which recompiles our code at every start.)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        config = folder / "lishi.toml"
        # The overview tab goes last here, so that the first page measured is the economy page,
        # as in every earlier run (the overview is the default tab otherwise).
        text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            "[app]\n", '[app]\noverview = "last"\n', 1
        )
        config.write_text(text, encoding="utf-8")
        low = folder / "lishi-low.toml"
        low.write_text(
            text.replace("[app]\n", "[app]\nlow_bandwidth = true\n", 1), encoding="utf-8"
        )
        db = folder / "history.db"
        subprocess.run(
            [sys.executable, "-m", "lishi_tui", "--config", str(config), "--db", str(db), "fetch"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # WAL content goes into the main file, so that a plain copy is the whole database.
        SqliteStore(db).close()
        return cls(folder, db, config, low, env)

    def fresh_db(self) -> Path:
        """A copy of the filled database, so that one run's writes never show in the next."""
        self.copies += 1
        copy = self.folder / f"run{self.copies}.db"
        shutil.copy(self.db, copy)
        return copy

    def lishi(self, db: Path, *, low_bandwidth: bool = False) -> list[str]:
        config = self.low_bandwidth if low_bandwidth else self.config
        return [sys.executable, "-m", "lishi_tui", "--config", str(config), "--db", str(db),
                "--no-collector"]  # fmt: skip


def painted(markers: Sequence[str]) -> Callable[[str], bool]:
    return lambda screen: all(m in screen for m in markers)


def shows(text: str) -> Callable[[str], bool]:
    return lambda screen: text in screen


class Writer:
    """Writes a new figure of one indicator into the store from outside the app."""

    def __init__(self, db: Path) -> None:
        self.store = SqliteStore(db)
        self.n = 0

    def write(self) -> str:
        """Store the next value for 2022 (newer than anything there); the text it shows as."""
        self.n += 1
        value = 60 + self.n % 37  # whole percents that the first page does not otherwise show
        reading = Reading(UPDATED, Period.year(2022), float(value), origin="bench")
        self.store.write([Observation(reading, "bench", datetime.now(UTC))])
        return f"{value} %"

    def close(self) -> None:
        self.store.close()


def ticker(writer: Writer, stop: threading.Event, every: float = 1.0) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(every):
            writer.write()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


@dataclass
class Samples:
    """Everything measured, by row key: lists of per-run figures."""

    values: dict[str, list[float]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)

    def get(self, key: str) -> list[float]:
        return self.values.get(key, [])


def warm_caches(setup: Setup) -> None:
    """One start, not measured: it writes the user cache folder's files (compiled regular
    expressions and dataclass code, parsed CSS and TOML) that every later start on the
    machine finds, so that no row's median mixes a machine's first start with the rest."""
    with PtySession(setup.lishi(setup.fresh_db()), cols=120, rows=40, env=setup.env) as session:
        session.wait_for(painted(PAINT_MARKERS), 20)
        session.wait_quiet(0.5, 5)


def viewer_run(setup: Setup, s: Samples, idle_s: float, writes: int) -> None:
    """One dashboard at 120x40: first paint, RSS, idle CPU and bytes, write-to-screen latency."""
    db = setup.fresh_db()
    with PtySession(setup.lishi(db), cols=120, rows=40, env=setup.env) as session:
        t = session.wait_for(painted(PAINT_MARKERS), 20)
        if t is None:
            s.problems["paint"] = "dashboard never showed " + ", ".join(PAINT_MARKERS)
            return
        s.add("paint", t - session.started)
        s.add("paint_bytes", session.bytes_between(0.0, t + 1e-6) / 1024)  # up to that frame
        session.wait_quiet(0.5, 5)
        time.sleep(1.0)
        s.add("rss", session.rss_mb())
        cpu, bps = sample_idle(session, idle_s)
        s.add("idle_cpu", cpu)
        s.add("idle_bytes", bps)
        writer = Writer(db)
        try:
            for i in range(writes):
                time.sleep(0.3 + 0.07 * (i % 5))  # spread the writes over the poll cycle
                t0 = time.perf_counter()
                shown = writer.write()
                t1 = session.wait_for(shows(shown), 5)
                if t1 is None:
                    s.problems["write"] = f"{shown} never appeared on screen"
                    break
                s.add("write", (max(t1, t0) - t0) * 1000)
        finally:
            writer.close()


def collecting_run(setup: Setup, s: Samples, seconds: float) -> None:
    """The bundled dashboard as shipped (its collector in the process: the demo feeds tick
    every 3 to 5 s), then the same two jobs apart: ``collect`` alone, and a viewer
    (``--no-collector``) of what that collector writes. Idle CPU of each, 120x40."""
    argv = setup.lishi(setup.fresh_db())
    argv.remove("--no-collector")
    with PtySession(argv, cols=120, rows=40, env=setup.env) as session:
        t = session.wait_for(painted(PAINT_MARKERS), 30)
        if t is None:
            s.problems["idle_collecting"] = s.problems["paint_collecting"] = "never painted"
            return
        s.add("paint_collecting", t - session.started)
        session.wait_quiet(0.5, 5)
        time.sleep(2.0)
        cpu, _ = sample_idle(session, seconds)
        s.add("idle_collecting", cpu)
    db = setup.fresh_db()
    collect = [*setup.lishi(db)[:-1], "collect"]
    with PtySession(collect, cols=120, rows=40, env=setup.env) as collector:
        time.sleep(3.0)  # its start and first runs of every source are not idle
        with PtySession(setup.lishi(db), cols=120, rows=40, env=setup.env) as viewer:
            if viewer.wait_for(painted(PAINT_MARKERS), 30) is None:
                s.problems["idle_viewer_fed"] = "viewer never painted"
                return
            viewer.wait_quiet(0.5, 5)
            time.sleep(2.0)
            c0, v0, t0 = collector.cpu_seconds(), viewer.cpu_seconds(), time.perf_counter()
            time.sleep(seconds)
            c1, v1, t1 = collector.cpu_seconds(), viewer.cpu_seconds(), time.perf_counter()
        s.add("idle_collector", (c1 - c0) / (t1 - t0) * 100.0)
        s.add("idle_viewer_fed", (v1 - v0) / (t1 - t0) * 100.0)


STORE_WRITTEN = 1_000_000  # readings beyond these are copies made in SQL, shifted back in time


def with_history(setup: Setup, count: int) -> Path:
    """A copy of the filled database plus ``count`` readings of the AQI demo feed, one every
    3 s back from now (28,800 a day: 1,000,000 is about five weeks of it). The first million
    go through the store; beyond it the same rows are copied in SQL, each copy three million
    seconds earlier, and the indicator's summary row counted up, as the store would."""
    db = setup.fresh_db()
    store = SqliteStore(db)
    now = datetime.now(UTC).replace(microsecond=0)
    written = min(count, STORE_WRITTEN)
    try:
        batch = 50_000
        for start in range(0, written, batch):
            store.write(
                [
                    Observation(
                        Reading(
                            "aqi",
                            Period.instant(now - timedelta(seconds=3 * (written - i))),
                            float(40 + i % 60),
                            demo=True,
                        ),
                        "air_demo",
                        now,
                    )
                    for i in range(start, min(written, start + batch))
                ]
            )
    finally:
        store.close()
    if count > written:
        copy_history(db, written, count // written - 1)
    return db


def history_dbs(setup: Setup, sizes: Sequence[int]) -> dict[str, Path]:
    """No history, and each of ``sizes`` (each a multiple of the first, built from it)."""
    dbs = {"history_0": setup.fresh_db()}
    first = with_history(setup, sizes[0])
    dbs[f"history_{sizes[0]}"] = first
    for count in sizes[1:]:
        setup.copies += 1
        bigger = setup.folder / f"run{setup.copies}.db"
        shutil.copy(first, bigger)
        copy_history(bigger, sizes[0], count // sizes[0] - 1)
        dbs[f"history_{count}"] = bigger
    return dbs


def copy_history(db: Path, block: int, copies: int) -> None:
    columns = INSERT_COLUMNS.replace(" ", "").split(",")
    shifted = {
        "period_key": "strftime('%Y-%m-%dT%H:%M:%SZ', period_start - :shift, 'unixepoch')",
        "period_start": "period_start - :shift",
    }
    select = ", ".join(shifted.get(c, c) for c in columns)
    con = sqlite3.connect(db)
    try:
        (top,) = con.execute("SELECT MAX(id) FROM observations").fetchone()
        for k in range(1, copies + 1):
            with con:
                con.execute(
                    f"INSERT INTO observations ({', '.join(columns)}) SELECT {select}"
                    " FROM observations WHERE indicator = 'aqi' AND source = 'air_demo'"
                    " AND id <= :top ORDER BY id",
                    {"shift": 3 * block * k, "top": top},
                )
        with con:
            con.execute(
                "UPDATE indicator_summary SET stored_rows = stored_rows + :n,"
                " latest_rows = latest_rows + :n, first_start = (SELECT MIN(period_start)"
                " FROM observations WHERE indicator = 'aqi') WHERE indicator = 'aqi'",
                {"n": block * copies},
            )
    finally:
        con.close()


def history_run(setup: Setup, s: Samples, dbs: dict[str, Path]) -> None:
    """First full paint over each database of ``dbs``, and the bare Textual app, in turn."""
    for key, db in dbs.items():
        with PtySession(setup.lishi(db), cols=120, rows=40, env=setup.env) as session:
            t = session.wait_for(painted(PAINT_MARKERS), 60)
            if t is None:
                s.problems[key] = "dashboard never painted"
                continue
            s.add(key, t - session.started)
    argv, markers = PEERS["bare Textual app"]
    with PtySession(argv, cols=120, rows=40, env=setup.env) as session:
        t = session.wait_for(painted(markers), 20)
        if t is not None:
            s.add("history_bare", t - session.started)


def updating_run(setup: Setup, s: Samples, seconds: float, *, low_bandwidth: bool) -> None:
    """160x50: the startup burst, then bytes/s while one panel's figure changes every second."""
    tag = "low" if low_bandwidth else "colour"
    db = setup.fresh_db()
    argv = setup.lishi(db, low_bandwidth=low_bandwidth)
    with PtySession(argv, cols=160, rows=50, env=setup.env) as session:
        if session.wait_for(painted(PAINT_MARKERS), 20) is None:
            s.problems[f"update_{tag}"] = "dashboard never painted"
            return
        session.wait_quiet(1.0, 10)
        s.add(f"burst_{tag}", session.total_bytes() / 1024)
        writer, stop = Writer(db), threading.Event()
        thread = ticker(writer, stop)
        time.sleep(1.5)
        _, bps = sample_idle(session, seconds)
        stop.set()
        thread.join()
        writer.close()
        s.add(f"update_{tag}", bps / 1024)


# The floor for any Textual dashboard: Python, Textual and one line of text, nothing else.
BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static("基准就绪 ready")

Bare().run()
"""

PEERS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "btop": (["btop", "--utf-force"], ("cpu", "mem", "proc", "Pid:")),
    "glances": ([str(GLANCES), "-t", "1"], ("CPU", "MEM", "LOAD", "TASKS")),
    "bare Textual app": ([sys.executable, "-c", BARE_TEXTUAL], ("基准就绪 ready",)),
}
REFRESHES = {"btop": " (1 s refresh)", "glances": " (1 s refresh)"}


def peer_available(name: str) -> str:
    """Empty when the peer can run, else why not."""
    argv = PEERS[name][0]
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        how = "apt-get install btop" if name == "btop" else "see bench/README.md"
        return f"not installed ({how})"
    return ""


def peer_run(setup: Setup, name: str, s: Samples, idle_s: float) -> None:
    argv, markers = PEERS[name]
    with PtySession(argv, cols=120, rows=40, env=setup.env) as session:
        t = session.wait_for(painted(markers), 20)
        if t is None:
            s.problems[f"{name}_paint"] = f"{name} never showed " + ", ".join(markers)
            return
        s.add(f"{name}_paint", t - session.started)
        s.add(f"{name}_paint_bytes", session.bytes_between(0.0, t + 1e-6) / 1024)
        time.sleep(2.0)
        s.add(f"{name}_rss", session.rss_mb())
        cpu, bps = sample_idle(session, idle_s)
        s.add(f"{name}_idle_cpu", cpu)
        s.add(f"{name}_idle_bytes", bps)
    if name not in REFRESHES:
        return  # nothing on its screen changes: no update rate to compare
    with PtySession(argv, cols=160, rows=50, env=setup.env) as session:
        if session.wait_for(painted(markers), 20) is None:
            return
        time.sleep(2.0)
        _, bps = sample_idle(session, idle_s)
        s.add(f"{name}_update", bps / 1024)


def peers_for(
    s: Samples, key: str, unavailable: dict[str, str], names: Sequence[str] = tuple(PEERS)
) -> list[Peer]:
    out = []
    for name in names:
        values = s.get(f"{name}_{key}")
        if values:
            label = name + REFRESHES.get(name, "")
            out.append(Peer(label, statistics.median(values)))
        else:
            why = unavailable.get(name) or s.problems.get(f"{name}_{key}") or "no figure"
            out.append(Peer(name, None, f"n/a ({why})"))
    return out


HISTORY_SIZES = (1_000_000, 10_000_000)


def history_rows(s: Samples, quick: bool) -> list[Row]:
    """First paint over 1M (and 10M) observations beside an empty history and the bare app,
    measured in turn in the same run, and the growth per 10x of history."""
    base, bare = _median(s, "history_0"), _median(s, "history_bare")
    out = []
    for count in HISTORY_SIZES[: 1 if quick else None]:
        values = s.get(f"history_{count}")
        if not values:
            out.append(Row(f"first paint, {count:,} observations", None, "s", note="not measured"))
            continue
        out.append(
            row(
                f"start to first full paint, 120x40, {count:,} observations in the database",
                values,
                "s",
                None,
                peers=[Peer("no history", base), Peer("bare Textual app", bare)],
            )
        )
    sizes = [c for c in HISTORY_SIZES if s.get(f"history_{c}")]
    if len(sizes) == 2:
        small, large = (statistics.median(s.get(f"history_{c}")) for c in sizes)
        out.append(row("first paint growth per 10x history (1M to 10M)", [large / small], "x", 1.5))
    return out


def _median(s: Samples, key: str) -> float | None:
    values = s.get(key)
    return statistics.median(values) if values else None


def run(quick: bool) -> list[Row]:
    runs, idle_s, writes, update_s = (1, 3.0, 5, 3.0) if quick else (5, 10.0, 10, 10.0)
    collecting_s = 15.0 if quick else 30.0  # several ticks of every demo feed
    s = Samples()
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        setup = Setup.make(Path(tmp))
        unavailable = {name: why for name in PEERS if (why := peer_available(name))}
        warm_caches(setup)
        for _ in range(runs):
            viewer_run(setup, s, idle_s, writes)
            for name in PEERS:
                if name not in unavailable:
                    peer_run(setup, name, s, idle_s)
        for _ in range(max(1, runs // 2)):
            updating_run(setup, s, update_s, low_bandwidth=False)
            updating_run(setup, s, update_s, low_bandwidth=True)
        for _ in range(max(1, runs // 2)):
            collecting_run(setup, s, collecting_s)
        dbs = history_dbs(setup, HISTORY_SIZES[: 1 if quick else None])
        for _ in range(runs if quick else 3):
            history_run(setup, s, dbs)

    def measured(key: str, what: str, unit: str, bar: float | None, peers: list[Peer] | None = None,
                 note: str = "") -> Row:  # fmt: skip
        values = s.get(key)
        problem = s.problems.get(key, "")
        if not values:
            return Row(
                what, None, unit, bar, note=problem or "not measured", peers=tuple(peers or ())
            )
        return row(what, values, unit, bar, peers=peers or (), note=problem or note)

    return [
        measured("paint", "start to first full paint, 120x40", "s", 0.5,
                 peers_for(s, "paint", unavailable)),
        measured("paint_collecting", "start to first full paint, bundled dashboard with its "
                 "in-process collector, 120x40", "s", 0.5,
                 [Peer("the same viewer without a collector", _median(s, "paint")),
                  *peers_for(s, "paint", unavailable, ("bare Textual app",))]),
        measured("paint_bytes", "bytes written to the terminal until the first full paint, "
                 "120x40 [every frame before it delays it]", "KB", None,
                 peers_for(s, "paint_bytes", unavailable)),
        *history_rows(s, quick),
        measured("write", "store write to the panel redrawn, 120x40", "ms", 100,
                 note=f"app polls every {AppSettings().refresh.total_seconds() * 1000:.0f} ms"
                 " (default refresh)"),
        measured("idle_cpu", "idle CPU, 120x40", "% core", 0.5,
                 peers_for(s, "idle_cpu", unavailable)),
        measured("idle_collecting", "idle CPU, bundled dashboard with its in-process collector"
                 ", 120x40", "% core", 0.5,
                 [Peer("the same viewer without a collector", _median(s, "idle_cpu")),
                  *peers_for(s, "idle_cpu", unavailable, ("bare Textual app",))]),
        measured("idle_collector", "idle CPU, `collect` alone (the bundled config's sources)",
                 "% core", None),
        measured("idle_viewer_fed", "idle CPU, a viewer (--no-collector) of that collector's "
                 "writes, 120x40", "% core", None,
                 [Peer("the same viewer, nothing written", _median(s, "idle_cpu"))]),
        measured("idle_bytes", "idle bytes to the terminal, 120x40", "B/s", 50,
                 peers_for(s, "idle_bytes", unavailable)),
        measured("update_colour", "one panel updating 1/s, 160x50, colour", "KB/s", 2,
                 peers_for(s, "update", unavailable, tuple(REFRESHES))),
        measured("update_low", "one panel updating 1/s, 160x50, low-bandwidth", "KB/s", 1),
        measured("burst_low", "startup burst, 160x50, low-bandwidth", "KB", 60),
        measured("burst_colour", "startup burst, 160x50, colour", "KB", None),
        measured("rss", "resident memory of one viewer, default dashboard", "MB", 80,
                 peers_for(s, "rss", unavailable)),
    ]  # fmt: skip


if __name__ == "__main__":
    cli(__doc__ or "", run)
