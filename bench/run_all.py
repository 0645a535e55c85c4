"""Run every bench (each in its own process) and print one table; ``--markdown PATH`` writes it for BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Row, machine, markdown_table, rows_from_json, text_table

BENCH_DIR = Path(__file__).resolve().parent
# Cheapest first, so that a quick look gives the store and collector figures early.
SCRIPTS = ("store", "detail", "charts", "collector", "readers", "terminal", "alerts", "scale")
# Run only when asked for (``--only idle``): their rows are part of a full run already, or
# (collector_split) explain one of its rows.
ON_DEMAND = ("idle", "collector_split")


def run_script(name: str, quick: bool, folder: Path) -> tuple[list[Row], str]:
    out = folder / f"{name}.json"
    argv = [sys.executable, str(BENCH_DIR / f"{name}.py"), "--json", str(out)]
    if quick:
        argv.append("--quick")
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return [], f"{name}: failed ({done.returncode}): " + " / ".join(tail)
    return rows_from_json(json.loads(out.read_text())), f"{name}: {took:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="each bench in its quick mode")
    parser.add_argument(
        "--only", nargs="*", choices=SCRIPTS + ON_DEMAND, help="run only these benches"
    )
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write the table as markdown")
    args = parser.parse_args()
    facts = machine()
    rows: list[Row] = []
    log: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        for name in args.only or SCRIPTS:
            print(f"running {name}…", file=sys.stderr, flush=True)
            got, line = run_script(name, args.quick, Path(tmp))
            rows += got
            log.append(line)
            print(line, file=sys.stderr, flush=True)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(text_table(rows))
    missed = [r.what for r in rows if r.verdict == "MISS"]
    print(f"\n{len(rows)} rows, {len(missed)} missed bars")
    if args.markdown:
        mode = "quick" if args.quick else "full"
        lines = [
            f"Run: `python bench/run_all.py{' --quick' if args.quick else ''}` ({mode} mode)",
            "",
            "| machine | |",
            "|---|---|",
            *(f"| {k} | {v} |" for k, v in facts.items()),
            "",
            markdown_table(rows),
            "",
            "Bench wall times: " + "; ".join(log),
            "",
        ]
        args.markdown.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
