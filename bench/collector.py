"""Collector: 200 http_json sources on a local HTTP server fetched once (wall and CPU), beside bare httpx."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.harness import Peer, Row, cli, row
from lishi_tui.bootstrap import load_runtime
from lishi_tui.collector.collector import Collector

SOURCES = 200
CONCURRENCY = 16  # the collector's default max_concurrency; the baseline gets the same
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


def write_config(folder: Path, port: int, count: int) -> Path:
    lines = [
        "[app]",
        "demo = false",
        "[plugins]",
        'allow = ["source_http_json"]',
        "[collector]",
        f"max_concurrency = {CONCURRENCY}",
        'timeout = "30s"',
    ]
    for i in range(count):
        lines += [
            f"[indicators.bench{i}]",
            f'name_zh = "基准{i}"',
            'frequency = "monthly"',
            f"[sources.s{i}]",
            'type = "http_json"',
            'interval = "1h"',
            f'indicator = "bench{i}"',
            f'url = "http://127.0.0.1:{port}/series/{i}.json"',
            'records = "data"',
            'period = "period"',
            'value = "value"',
        ]
    path = folder / "lishi.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def collector_once(config: Path, db: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of one ``run_once`` over every source, and how many failed."""
    runtime = load_runtime(config, {}, db=db)
    store = runtime.open_store()
    collector = Collector(runtime.config, runtime.registry, store)
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        outcomes = await collector.run_once()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    finally:
        await collector.stop()
        store.close()
    return wall, cpu, sum(not o.ok for o in outcomes)


async def httpx_once(port: int, count: int) -> tuple[float, float]:
    """The bare minimum for the same job: GET and parse each URL, same concurrency."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    slots = asyncio.Semaphore(CONCURRENCY)
    w0, c0 = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(i: int) -> int:
            async with slots:
                r = await client.get(f"http://127.0.0.1:{port}/series/{i}.json")
                return len(json.loads(r.content)["data"])

        await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - w0, time.process_time() - c0


def run(quick: bool) -> list[Row]:
    repeat = 3 if quick else 7
    server, port = start_server(SOURCES)
    walls: list[float] = []
    cpus: list[float] = []
    b_walls: list[float] = []
    b_cpus: list[float] = []
    failures = 0
    try:
        with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
            folder = Path(tmp)
            config = write_config(folder, port, SOURCES)
            asyncio.run(httpx_once(port, SOURCES))  # warm the server's threads and our imports
            for n in range(repeat):
                wall, cpu, failed = asyncio.run(collector_once(config, folder / f"run{n}.db"))
                walls.append(wall)
                cpus.append(cpu / wall)
                failures += failed
                b_wall, b_cpu = asyncio.run(httpx_once(port, SOURCES))
                b_walls.append(b_wall)
                b_cpus.append(b_cpu / b_wall)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    note = f"{failures} failed source runs" if failures else ""
    return [
        row(
            f"collector: {SOURCES} sources fetched once, wall",
            walls,
            "s",
            2.0,
            peers=[Peer("bare httpx loop", sorted(b_walls)[len(b_walls) // 2])],
            note=note,
        ),
        row(
            f"collector: {SOURCES} sources fetched once, CPU",
            cpus,
            "cores",
            1.0,
            peers=[Peer("bare httpx loop", sorted(b_cpus)[len(b_cpus) // 2])],
        ),
    ]


if __name__ == "__main__":
    cli(__doc__ or "", run)
