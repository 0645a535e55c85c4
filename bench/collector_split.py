"""Where the collector's first run goes: CPU a fetch by thread, and what the fetch isolation
itself costs (``--only collector_split``; not part of a full run).

The same 200 http_json sources and local server as ``collector.py``. Each round, in turn:
- a first run of a new collector into a new database, with each thread's CPU read from
  ``/proc/self/task/<tid>/schedstat`` (nanoseconds: ``stat``'s 10 ms ticks lose about a third
  of it over the run's short-lived threads), summed by thread name;
- the same run with every fetch awaited on the collector's own loop instead of a worker
  thread of its own (``FetchRunner.run`` replaced for that run only). This is an experiment
  that prices the isolation; it is not a mode the collector has;
- the bare httpx loop's first run and, with its client kept, its second;
- the same collector's second run (figures unchanged), split by thread the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.collector import (
    SOURCES,
    httpx_once,
    httpx_runs,
    new_collector,
    per_fetch,
    served_series,
)
from bench.harness import Peer, Row, cli, row
from lishi_tui.collector import isolation
from lishi_tui.collector.collector import Collector
from lishi_tui.sources.api import FetchContext

THREADS = ("lishi-fetch", "lishi-store-write", "MainThread")  # the rest is summed as "other"


def thread_cpu(names: dict[int, str]) -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of this process, by native id, with its name."""
    for t in threading.enumerate():
        if t.native_id is not None:
            names[t.native_id] = t.name
    out: dict[int, tuple[str, float]] = {}
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):
            ns = int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[0])
            name = names.get(int(tid), "other")
            out[int(tid)] = (name.split("_")[0] if name.startswith("lishi-") else name, ns / 1e9)
    return out


async def one_run(collector: Collector, names: dict[int, str]) -> tuple[float, dict[str, float]]:
    """CPU seconds of one ``run_once`` of ``collector``, and by thread name."""
    seen: dict[int, tuple[str, float]] = {}
    running = True

    async def sample() -> None:  # threads that end mid-run keep their last reading
        while running:
            seen.update(thread_cpu(names))
            await asyncio.sleep(0.005)

    before = thread_cpu(names)
    sampler = asyncio.ensure_future(sample())
    c0 = time.process_time()
    try:
        outcomes = await collector.run_once()
        cpu = time.process_time() - c0
        seen.update(thread_cpu(names))
    finally:
        running = False
        await sampler
    if not all(o.ok for o in outcomes):
        raise SystemExit(f"{sum(not o.ok for o in outcomes)} source runs failed")
    by: dict[str, float] = {}
    for tid, (name, seconds) in seen.items():
        key = name if name in THREADS else "other"
        by[key] = by.get(key, 0.0) + seconds - before.get(tid, (name, 0.0))[1]
    return cpu, by


async def split_runs(config: Path, db: Path, runs: int = 1) -> list[tuple[float, dict[str, float]]]:
    """``one_run`` ``runs`` times over one new collector (the first into a new database)."""
    names: dict[int, str] = {}
    async with new_collector(config, db) as collector:
        return [await one_run(collector, names) for _ in range(runs)]


async def first_run(config: Path, db: Path) -> tuple[float, dict[str, float]]:
    """CPU seconds of one new collector's first ``run_once``, and by thread name."""
    return (await split_runs(config, db))[0]


@contextlib.contextmanager
def fetches_on_the_collector_loop() -> Iterator[None]:
    """For the experiment only: each fetch awaited where the collector runs, no worker."""
    real: Callable[..., Any] = isolation.FetchRunner.run

    async def direct(
        self: isolation.FetchRunner,
        fetch: Callable[[FetchContext], Any],
        ctx: FetchContext,
        *,
        seconds: float,
        is_async: bool,
        grace: float = 0.0,
    ) -> object:
        if is_async:
            return await asyncio.wait_for(fetch(ctx), seconds + grace)
        return fetch(ctx)

    setattr(isolation.FetchRunner, "run", direct)  # noqa: B010  (a method, for this run)
    try:
        yield
    finally:
        setattr(isolation.FetchRunner, "run", real)  # noqa: B010


def run(quick: bool) -> list[Row]:
    rounds = 3 if quick else 7
    real: list[float] = []
    shared: list[float] = []
    bare: list[float] = []
    bare_kept: list[float] = []
    later: list[float] = []
    split: dict[str, list[float]] = {name: [] for name in (*THREADS, "other")}
    later_split: dict[str, list[float]] = {name: [] for name in split}
    with served_series(SOURCES) as (port, folder, config):
        asyncio.run(httpx_once(port, SOURCES))  # warm the server's threads and imports
        asyncio.run(first_run(config, folder / "warm.db"))
        for n in range(rounds):
            (cpu, by), (later_cpu, later_by) = asyncio.run(
                split_runs(config, folder / f"real{n}.db", 2)
            )
            real.append(per_fetch(cpu, SOURCES))
            later.append(per_fetch(later_cpu, SOURCES))
            for name, values in split.items():
                values.append(per_fetch(by.get(name, 0.0), SOURCES))
                later_split[name].append(per_fetch(later_by.get(name, 0.0), SOURCES))
            with fetches_on_the_collector_loop():
                cpu, _ = asyncio.run(first_run(config, folder / f"shared{n}.db"))
            shared.append(per_fetch(cpu, SOURCES))
            bare_runs = asyncio.run(httpx_runs(port, SOURCES, 2))
            bare.append(per_fetch(bare_runs[0][1], SOURCES))
            bare_kept.append(per_fetch(bare_runs[1][1], SOURCES))
    peers = [Peer("bare httpx loop, new client", statistics.median(bare))]
    what = f"collector split: CPU per fetch, first run ({SOURCES} sources)"
    rows = [
        row(f"{what}, as it runs (a worker thread a fetch)", real, "ms", peers=peers),
        row(f"{what}, every fetch on the collector's loop [experiment]", shared, "ms", peers=peers),
    ]
    labels = {
        "lishi-fetch": "the fetch workers",
        "lishi-store-write": "the store's writer thread",
        "MainThread": "the collector's loop",
        "other": "other threads",
    }
    rows += [row(f"{what}, {labels[name]}", values, "ms") for name, values in split.items()]
    kept = [Peer("bare httpx loop, client kept", statistics.median(bare_kept))]
    again = "collector split: CPU per fetch, the same collector's second run (figures unchanged)"
    rows.append(row(again, later, "ms", peers=kept))
    rows += [row(f"{again}, {labels[name]}", v, "ms") for name, v in later_split.items()]
    return rows


if __name__ == "__main__":
    cli(__doc__ or "", run)
