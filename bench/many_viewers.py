"""1, 10, 25 and 50 real `lishi-tui view` dashboards in ptys on one database, SQLite and PostgreSQL.

Beside them a writer stores a new figure once a second, as the collector does (a thread
of this process, through the same Store, so its commit time is on the bench's clock).
Measured per viewer count and backend: the viewers' total CPU (percent of one core), the
resident memory per viewer (median), and the time from each commit until each viewer's
screen shows the new figure (median and worst over every viewer and write).

PostgreSQL comes from ``scripts/pg-start`` (or ``LISHI_TEST_PG_DSN``); viewers there
wake on LISTEN/NOTIFY. With ``LISHI_BENCH_POLL=1`` it also runs PostgreSQL with
notifications off (``LISHI_TUI_NO_NOTIFY=1``), as on a compatible server without them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import REPO, Row, cli, row
from bench.pty_session import PtySession
from bench.terminal import PAINT_MARKERS, UPDATED, Setup, painted, shows
from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Store
from lishi_tui.store.sqlite import SqliteStore

COUNTS = (1, 10, 25, 50)
COLS, ROWS = 120, 40  # as bench/terminal.py: the first page shows every paint marker
PG_START = REPO / "scripts" / "pg-start"


class Writer:
    """A new value of one indicator a second; remembers when each was committed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.n = 0

    def write(self) -> tuple[str, float]:
        self.n += 1
        value = 60 + self.n % 37  # whole percents the first page does not otherwise show
        reading = Reading(UPDATED, Period.year(2022), float(value), origin="bench")
        self.store.write([Observation(reading, "bench", datetime.now(UTC))])
        return f"{value} %", time.perf_counter()


@contextmanager
def postgres() -> Iterator[str | None]:
    if dsn := os.environ.get("LISHI_TEST_PG_DSN"):
        yield dsn
        return
    started = subprocess.run([str(PG_START)], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        yield None
        return
    dsn = started.stdout.strip()
    try:
        yield dsn
    finally:
        subprocess.run([str(PG_START), "--stop", dsn], check=False)


def pg_config(setup: Setup, dsn: str, folder: Path) -> Path:
    """The bundled config on a fresh schema of ``dsn``, filled by ``fetch``."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = make_conninfo(dsn, options=f"-c search_path={schema}")
    config = folder / f"lishi-{schema}.toml"
    text = setup.config.read_text(encoding="utf-8")
    config.write_text(
        text + f'\n[storage]\nbackend = "postgresql"\nurl = "{url}"\n', encoding="utf-8"
    )
    command = [sys.executable, "-m", "lishi_tui", "--config", str(config), "fetch"]
    subprocess.run(command, env=setup.env, check=True, stdout=subprocess.DEVNULL)
    return config


def measure(
    argv: list[str],
    env: dict[str, str],
    store: Store,
    count: int,
    writes: int,
) -> dict[str, list[float]] | str:
    """``count`` viewers of ``argv``; what they cost and how soon each write reached them."""
    with ExitStack() as stack:
        sessions: list[PtySession] = []
        for _ in range(count):
            sessions.append(stack.enter_context(PtySession(argv, cols=COLS, rows=ROWS, env=env)))
            time.sleep(0.05)  # a staggered start, as people connect
        for s in sessions:
            if s.wait_for(painted(PAINT_MARKERS), 60 + count) is None:
                missing = [m for m in PAINT_MARKERS if m not in s.text()]
                return f"a viewer never showed {missing}"
        for s in sessions:
            s.wait_quiet(0.5, 20)
        time.sleep(1.0)
        writer = Writer(store)
        latencies: list[float] = []
        cpu0 = sum(s.cpu_seconds() for s in sessions)
        t_start = time.perf_counter()
        for _ in range(writes):
            shown, committed = writer.write()
            seen = wait_all(sessions, shows(shown), 10)
            if any(t is None for t in seen):
                return f"{shown} never reached every viewer"
            latencies += [max(t, committed) - committed for t in seen if t is not None]
            time.sleep(max(0.0, committed + 1.0 - time.perf_counter()))
        elapsed = time.perf_counter() - t_start
        cpu = (sum(s.cpu_seconds() for s in sessions) - cpu0) / elapsed * 100
        return {
            "cpu": [cpu],
            "rss": [s.rss_mb() for s in sessions],
            "latency": [x * 1000 for x in latencies],
        }


def wait_all(
    sessions: list[PtySession], test: Callable[[str], bool], timeout: float
) -> list[float | None]:
    seen: list[float | None] = [None] * len(sessions)

    def one(i: int) -> None:
        seen[i] = sessions[i].wait_for(test, timeout)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def rows_for(label: str, count: int, result: dict[str, list[float]] | str) -> list[Row]:
    what = f"{count} viewer(s), {label}"
    if isinstance(result, str):
        return [row(f"{what}: commit to screen", [], "ms", note=result[:200])]
    lat = result["latency"]
    return [
        row(f"{what}: viewers' total CPU", result["cpu"], "% of a core"),
        row(f"{what}: RSS per viewer (median)", result["rss"], "MB"),
        row(f"{what}: commit to screen, median", lat, "ms"),
        Row(
            f"{what}: commit to screen, worst",
            max(lat) if lat else None,
            "ms",
            runs=len(lat),
        ),
    ]


def run(quick: bool) -> list[Row]:
    counts = (1, 10) if quick else COUNTS
    writes = 5 if quick else 10
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lishi-bench-many-") as tmp:
        folder = Path(tmp)
        setup = Setup.make(folder)
        for count in counts:
            db = setup.fresh_db()
            argv = [sys.executable, "-m", "lishi_tui", "--config", str(setup.config)]
            argv += ["--db", str(db), "view"]
            store: Store = SqliteStore(db)
            try:
                rows += rows_for("SQLite", count, measure(argv, setup.env, store, count, writes))
            finally:
                store.close()
        with postgres() as dsn:
            if dsn is None:
                rows.append(row("PostgreSQL viewers", [], "ms", note="no PostgreSQL server"))
                return rows
            from lishi_tui.store.notify import announce_commits
            from lishi_tui.store.postgres import PostgresStore

            modes = [("PostgreSQL, LISTEN/NOTIFY", True)]
            if os.environ.get("LISHI_BENCH_POLL"):
                modes.append(("PostgreSQL, polling", False))
            for label, notify in modes:
                for count in counts:
                    config = pg_config(setup, dsn, folder)
                    argv = [sys.executable, "-m", "lishi_tui", "--config", str(config), "view"]
                    env = dict(setup.env)
                    if not notify:
                        env["LISHI_TUI_NO_NOTIFY"] = "1"
                    url = config.read_text().rsplit('url = "', 1)[1].split('"', 1)[0]
                    store = PostgresStore(url)
                    if notify:
                        announce_commits(store)
                    try:
                        rows += rows_for(label, count, measure(argv, env, store, count, writes))
                    finally:
                        store.close()
    return rows


if __name__ == "__main__":
    cli((__doc__ or "").splitlines()[0], run)
