"""20 viewer processes reading the SQLite store while `lishi-tui collect` writes to it.

The collector runs a bench plugin every 200 ms: each run writes one ``clock`` figure whose
value is the time of the fetch, plus a bulk of instants (new and revised). Each viewer polls
``version()`` and then ``changes_since`` at the dashboard's default refresh, reads the latest figures of what
changed, and reports how long after its fetch each clock figure was seen, and every
"database is locked" error.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Row, cli, row
from lishi_tui.config.schema import AppSettings

VIEWERS = 20
REFRESH_S = AppSettings().refresh.total_seconds()  # the dashboard's default [app] refresh
BULK_ROWS = 2000
BENCH_DIR = Path(__file__).resolve().parent

PLUGIN = '''
"""Bench source: the fetch time as a figure, and a bulk of instants to make writes heavy."""
import time
from datetime import timedelta
from lishi_tui import hookimpl
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.sources.api import Option, OptionKind, SourceType

def fetch(ctx):
    run = ctx.state.get("run", 0)
    ctx.state["run"] = run + 1
    now = ctx.now.replace(microsecond=0)
    out = [Reading("clock", Period.instant(now - timedelta(seconds=0)), time.time())]
    rows = ctx.options["rows"]
    out += [Reading("bulk", Period.instant(now - timedelta(seconds=i)), float(run))
            for i in range(1, rows)]
    return out

@hookimpl
def lishi_register_source_types(register):
    register(SourceType("bench_clock", fetch, {"rows": Option(OptionKind.INT, default=1000)}))
'''


def write_config(folder: Path) -> Path:
    (folder / "plugins").mkdir()
    (folder / "plugins" / "benchclock.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    config = folder / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [plugins]
            dirs = ["plugins"]
            allow = ["benchclock"]
            [indicators.clock]
            name_zh = "时钟"
            frequency = "realtime"
            [indicators.bulk]
            name_zh = "批量"
            frequency = "realtime"
            [sources.clock]
            type = "bench_clock"
            interval = "200ms"
            indicators = ["clock", "bulk"]
            rows = {BULK_ROWS}
            """
        ),
        encoding="utf-8",
    )
    return config


def one_run(seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        folder = Path(tmp)
        config, db = write_config(folder), folder / "history.db"
        collector = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lishi_tui",
                "collect",
                "--config",
                str(config),
                "--db",
                str(db),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.time() + 20
            while not db.exists() and time.time() < deadline:
                time.sleep(0.05)
            start = time.time() + 2.0 + VIEWERS * 0.15  # every viewer has started Python by then
            viewers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        str(BENCH_DIR / "viewer.py"),
                        str(db),
                        str(start),
                        str(seconds),
                        str(REFRESH_S),
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(VIEWERS)
            ]
            results = [json.loads(v.communicate(timeout=seconds + 60)[0]) for v in viewers]
        finally:
            collector.send_signal(signal.SIGTERM)
            _, err = collector.communicate(timeout=30)
    runs = sum(1 for line in err.splitlines() if line.startswith("ok "))
    latencies = [lat for r in results for lat in r["latencies"]]
    return {
        "locked": sum(r["locked"] for r in results),
        "other": sum(r["other"] for r in results),
        "reads": sum(r["reads"] for r in results),
        "max_latency": max(latencies) if latencies else float("nan"),
        "median_latency": statistics.median(latencies) if latencies else float("nan"),
        "seen": len(latencies),
        "collector_runs": runs,
    }


def run(quick: bool) -> list[Row]:
    seconds, repeat = (8.0, 1) if quick else (30.0, 3)
    runs = [one_run(seconds) for _ in range(repeat)]
    note = (
        f"{sum(r['reads'] for r in runs):,} reads, {sum(r['collector_runs'] for r in runs):,} "
        f"collector writes of {BULK_ROWS} obs, {sum(r['other'] for r in runs)} other errors"
    )
    return [
        row(
            f"{VIEWERS} viewers while the collector writes: 'database is locked' errors",
            [r["locked"] for r in runs],
            "errors",
            0,
            note=note,
        ),
        row(
            f"{VIEWERS} viewers while the collector writes: slowest update seen",
            [r["max_latency"] for r in runs],
            "s",
            1.0,
            note=f"median update seen after {statistics.median(r['median_latency'] for r in runs):.3f} s; poll {REFRESH_S} s",
        ),
    ]


if __name__ == "__main__":
    cli(__doc__ or "", run)
