"""Collector: 200 http_json sources on a local HTTP server, CPU per fetch beside a bare httpx
loop (a first run into a new database, and later runs of the same collector), and 1,000
sources every 2 s (rate kept, lag)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import Peer, Row, cli, row
from lishi_tui.bootstrap import load_runtime
from lishi_tui.collector.collector import Collector
from lishi_tui.domain.model import SourceRunOutcome
from tests.support.json_series import write_series_config

SOURCES = 200
CONCURRENCY = 16  # the collector's default max_concurrency; the baseline gets the same
SCHEDULED = 1000  # sources in the schedule row
EVERY_S = 2  # their interval
BENCH_DIR = Path(__file__).resolve().parent


def start_server(count: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "payload_server.py"), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


@contextlib.contextmanager
def served_series(count: int, *, interval: str = "1h") -> Iterator[tuple[int, Path, Path]]:
    """The payload server with ``count`` series, and a temporary folder holding a config of
    ``count`` http_json sources on it: (port, folder, config)."""
    server, port = start_server(count)
    try:
        with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
            folder = Path(tmp)
            config = write_series_config(
                folder, port, count, concurrency=CONCURRENCY, timeout="30s", interval=interval
            )
            yield port, folder, config
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)


@contextlib.asynccontextmanager
async def new_collector(config: Path, db: Path) -> AsyncIterator[Collector]:
    """A new collector of ``config`` over the database ``db``, stopped and closed after."""
    runtime = load_runtime(config, {}, db=db)
    store = runtime.open_store()
    collector = Collector(runtime.config, runtime.registry, store)
    try:
        yield collector
    finally:
        await collector.stop()
        store.close()


async def collector_runs(config: Path, db: Path, runs: int) -> list[tuple[float, float, int]]:
    """Wall and CPU seconds of ``runs`` successive ``run_once`` over every source by one
    collector (the first into a new database), and how many source runs failed in each."""
    out = []
    async with new_collector(config, db) as collector:
        for _ in range(runs):
            w0, c0 = time.perf_counter(), time.process_time()
            outcomes = await collector.run_once()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            out.append((wall, cpu, sum(not o.ok for o in outcomes)))
    return out


async def collector_once(config: Path, db: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of one ``run_once`` over every source, and how many failed."""
    return (await collector_runs(config, db, 1))[0]


async def httpx_runs(port: int, count: int, runs: int = 1) -> list[tuple[float, float]]:
    """The bare minimum for the same job: GET and parse each URL, same concurrency; one
    client for all ``runs`` (as the collector keeps its pool)."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    slots = asyncio.Semaphore(CONCURRENCY)
    out = []
    w0, c0 = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(i: int) -> int:
            async with slots:
                r = await client.get(f"http://127.0.0.1:{port}/series/{i}.json")
                return len(json.loads(r.content)["data"])

        for _ in range(runs):
            await asyncio.gather(*(one(i) for i in range(count)))
            out.append((time.perf_counter() - w0, time.process_time() - c0))
            w0, c0 = time.perf_counter(), time.process_time()
    return out


async def httpx_once(port: int, count: int) -> tuple[float, float]:
    return (await httpx_runs(port, count))[0]


def per_fetch(cpu_s: float, count: int) -> float:
    return cpu_s / count * 1000.0


def fetch_rows(quick: bool) -> list[Row]:
    repeat = 3 if quick else 7
    walls: list[float] = []
    first: list[float] = []
    later: list[float] = []
    b_walls: list[float] = []
    b_first: list[float] = []
    b_later: list[float] = []
    failures = 0
    with served_series(SOURCES) as (port, folder, config):
        asyncio.run(httpx_once(port, SOURCES))  # warm the server's threads and our imports
        asyncio.run(collector_runs(config, folder / "warm.db", 1))
        for n in range(repeat):
            runs = asyncio.run(collector_runs(config, folder / f"run{n}.db", 3))
            failures += sum(f for _, _, f in runs)
            walls.append(runs[0][0])
            first.append(per_fetch(runs[0][1], SOURCES))
            later += [per_fetch(cpu, SOURCES) for _, cpu, _ in runs[1:]]
            bare = asyncio.run(httpx_runs(port, SOURCES, 3))
            b_walls.append(bare[0][0])
            b_first.append(per_fetch(bare[0][1], SOURCES))
            b_later += [per_fetch(cpu, SOURCES) for _, cpu in bare[1:]]
    note = f"{failures} failed source runs" if failures else ""
    sniffio = "sniffio importable" if importlib.util.find_spec("sniffio") else "NO sniffio"
    med = statistics.median
    return [
        row(
            f"collector: {SOURCES} sources fetched once, wall",
            walls,
            "s",
            2.0,
            peers=[Peer("bare httpx loop", med(b_walls))],
            note=note,
        ),
        row(
            f"collector: CPU per fetch, first run into a new database ({SOURCES} sources) "
            f"[bar 1.5x the bare loop; {sniffio}]",
            first,
            "ms",
            1.5 * med(b_first),
            peers=[Peer("bare httpx loop, new client", med(b_first))],
        ),
        row(
            "collector: CPU per fetch, later runs (same collector, figures unchanged) "
            "[bar 1.5x the bare loop]",
            later,
            "ms",
            1.5 * med(b_later),
            peers=[Peer("bare httpx loop, client kept", med(b_later))],
        ),
    ]


async def scheduled(config: Path, db: Path, seconds: float) -> tuple[int, list[float], float]:
    """``run_forever`` for ``seconds``: runs done, each run's wait beyond its schedule
    (start minus the previous run's end plus the interval; a first run's, from the start),
    and CPU seconds."""
    runtime = load_runtime(config, {}, db=db)
    store = runtime.open_store()
    ends: dict[str, datetime] = {}
    lags: list[float] = []
    done = 0

    def on_run(outcome: SourceRunOutcome) -> None:
        nonlocal done
        done += 1
        previous = ends.get(outcome.source)
        if previous is None:
            lags.append((outcome.started_at - began).total_seconds())
        else:
            lags.append((outcome.started_at - previous).total_seconds() - EVERY_S)
        ends[outcome.source] = outcome.started_at + timedelta(seconds=outcome.duration_s)

    collector = Collector(runtime.config, runtime.registry, store, on_run=on_run)
    began = collector.clock()
    c0 = time.process_time()
    forever = asyncio.ensure_future(collector.run_forever())
    await asyncio.sleep(seconds)
    cpu = time.process_time() - c0
    runs = done
    await collector.stop()
    await asyncio.gather(forever, return_exceptions=True)
    store.close()
    return runs, lags, cpu


def schedule_rows(quick: bool) -> list[Row]:
    seconds = 20.0 if quick else 60.0
    with served_series(SCHEDULED, interval=f"{EVERY_S}s") as (port, folder, config):
        asyncio.run(httpx_once(port, SCHEDULED))
        runs, lags, cpu = asyncio.run(scheduled(config, folder / "forever.db", seconds))
        w0 = time.perf_counter()
        asyncio.run(httpx_once(port, SCHEDULED))
        bare_rate = SCHEDULED / (time.perf_counter() - w0)
    asked = SCHEDULED / EVERY_S
    lags.sort()
    p95 = lags[int(len(lags) * 0.95)] if lags else float("nan")
    return [
        row(
            f"collector: {SCHEDULED:,} sources every {EVERY_S} s, fetches a second kept "
            f"[{seconds:.0f} s; asked {asked:.0f}/s if fetches took no time; "
            f"{cpu / seconds:.2f} cores]",
            [runs / seconds],
            "fetch/s",
            None,
            higher_is_better=True,
            peers=[Peer("bare httpx loop, as fast as it goes", bare_rate)],
        ),
        row(
            f"collector: {SCHEDULED:,} sources every {EVERY_S} s, wait beyond schedule "
            f"[p95 {p95:.2f} s]",
            lags or [float("nan")],
            "s",
            None,
        ),
    ]


def run(quick: bool) -> list[Row]:
    return [*fetch_rows(quick), *schedule_rows(quick)]


if __name__ == "__main__":
    cli(__doc__ or "", run)
