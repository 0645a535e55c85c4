"""Shared bench plumbing: result rows with bars and peer ratios, medians, tables, machine facts."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Peer:
    """The same job done by another tool (or a bare baseline) in the same run."""

    name: str
    value: float | None
    note: str = ""  # why there is no figure, e.g. "n/a (not installed)"


@dataclass(frozen=True)
class Row:
    """One measured figure, its bar and what a peer does in the same run."""

    what: str
    value: float | None  # the median; None when it could not be measured
    unit: str
    bar: float | None = None  # None: no bar, the row is informative
    higher_is_better: bool = False
    runs: int = 0
    peers: tuple[Peer, ...] = ()
    note: str = ""
    samples: tuple[float, ...] = field(default=(), repr=False)

    @property
    def verdict(self) -> str:
        if self.bar is None:
            return "-"
        if self.value is None:
            return "n/a"
        ok = self.value >= self.bar if self.higher_is_better else self.value <= self.bar
        return "pass" if ok else "MISS"

    def bar_text(self) -> str:
        if self.bar is None:
            return "-"
        return f"{'≥' if self.higher_is_better else '≤'} {fmt(self.bar)} {self.unit}"

    def value_text(self) -> str:
        if self.value is None:
            return f"n/a ({self.note})" if self.note else "n/a"
        return f"{fmt(self.value)} {self.unit}"

    def peer_text(self) -> str:
        parts = []
        for p in self.peers:
            if p.value is None:
                parts.append(f"{p.name}: {p.note or 'n/a'}")
                continue
            ratio = ""
            if self.value is not None and p.value:
                ratio = f" (ours ×{self.value / p.value:.2f})"
            parts.append(f"{p.name}: {fmt(p.value)} {self.unit}{ratio}")
        return "; ".join(parts) or "-"


def fmt(value: float) -> str:
    """Three significant figures, without scientific notation for everyday sizes."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def median(samples: Sequence[float]) -> float | None:
    return statistics.median(samples) if samples else None


def timed(fn: Callable[[], object], repeat: int, *, warmup: int = 1) -> list[float]:
    """Seconds per call of ``fn``, ``repeat`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def row(
    what: str,
    samples: Sequence[float],
    unit: str,
    bar: float | None = None,
    *,
    higher_is_better: bool = False,
    peers: Sequence[Peer] = (),
    note: str = "",
) -> Row:
    """A row whose value is the median of ``samples``."""
    return Row(
        what,
        median(samples),
        unit,
        bar,
        higher_is_better,
        len(samples),
        tuple(peers),
        note,
        tuple(samples),
    )


def missing(what: str, unit: str, bar: float | None, reason: str, **kw: bool) -> Row:
    """A row that could not be measured, saying why."""
    return Row(what, None, unit, bar, kw.get("higher_is_better", False), 0, (), reason)


# ---------------------------------------------------------------- output


HEADER = ("what", "median", "bar", "verdict", "peer / baseline (same run)", "runs")


def _cells(r: Row) -> tuple[str, ...]:
    note = f" [{r.note}]" if r.note and r.value is not None else ""
    return (r.what + note, r.value_text(), r.bar_text(), r.verdict, r.peer_text(), str(r.runs))


def text_table(rows: Sequence[Row]) -> str:
    from rich.cells import cell_len  # counts CJK as two columns

    cells = [HEADER, *(_cells(r) for r in rows)]
    widths = [max(cell_len(c[i]) for c in cells) for i in range(len(HEADER))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(v + " " * (w - cell_len(v)) for v, w in zip(c, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: Sequence[Row]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(esc(v) for v in _cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """What the figures were taken on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start": load,
    }


def rows_to_json(rows: Sequence[Row]) -> list[dict[str, object]]:
    return [asdict(r) for r in rows]


def rows_from_json(items: Sequence[dict[str, object]]) -> list[Row]:
    out = []
    for item in items:
        data = dict(item)
        raw_peers = cast(list[dict[str, Any]], data.pop("peers", []))
        samples = tuple(cast(list[float], data.pop("samples", [])))
        peers = tuple(Peer(**p) for p in raw_peers)
        out.append(Row(**cast(dict[str, Any], data), peers=peers, samples=samples))
    return out


def cli(description: str, run: Callable[[bool], list[Row]]) -> None:
    """The common command line of every bench script: ``[--quick] [--json PATH]``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (< 1 minute)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run(args.quick)
    print(text_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows_to_json(rows), ensure_ascii=False, indent=1))
