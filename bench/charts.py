"""64 chart panels with 10,000-point histories, fully redrawn; plain plotext on the same data beside it."""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Peer, Row, cli, row
from lishi_tui.app.widgets.chart import ChartSpec, render_chart

PANELS = 64
POINTS = 10_000
# Panel size: an 8 x 8 grid of panels on a 320 x 100 terminal, less borders and labels.
WIDTH, HEIGHT = 38, 10


def specs() -> list[ChartSpec]:
    rng = random.Random(6)
    out = []
    for p in range(PANELS):
        xs = tuple(float(i) for i in range(POINTS))
        walk, ys = 100.0, []
        for i in range(POINTS):
            walk += rng.gauss(0, 1) + math.sin(i / 500 + p)
            ys.append(walk)
        out.append(ChartSpec(xs, tuple(ys), target=walk * 1.1))
    return out


def redraw_all(charts: list[ChartSpec], colour: bool) -> None:
    for spec in charts:
        lines = render_chart(spec, WIDTH, HEIGHT, colour=colour)
        assert len(lines) == HEIGHT


def plain_plotext(charts: list[ChartSpec]) -> None:
    """The same figures drawn by plotext from every point, as a chart without thinning would."""
    from plotext._kernel.terminal import terminal  # the figure API render_chart uses

    for spec in charts:
        fig = terminal()._master
        fig.plot_size(WIDTH, HEIGHT)
        fig.draw(fig.signal(list(spec.xs), list(spec.ys)).lines(True))
        fig.build().string(colorless=False)


def run(quick: bool) -> list[Row]:
    repeat = 3 if quick else 7
    charts = specs()
    redraw_all(charts, True)  # imports and first-use costs are not a redraw
    ours: list[float] = []
    mono: list[float] = []
    plain: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        redraw_all(charts, True)
        ours.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        redraw_all(charts, False)
        mono.append((time.perf_counter() - t0) * 1000)
        if not plain or not quick:  # ~7 s a run: once is enough for a quick look
            t0 = time.perf_counter()
            plain_plotext(charts)
            plain.append((time.perf_counter() - t0) * 1000)
    what = f"{PANELS} charts x {POINTS:,} points, full redraw ({WIDTH}x{HEIGHT} each)"
    return [
        row(
            what + ", colour",
            ours,
            "ms",
            200,
            peers=[Peer("plotext, every point", statistics.median(plain))],
        ),
        row(what + ", low-bandwidth", mono, "ms", 200),
    ]


if __name__ == "__main__":
    cli(__doc__ or "", run)
