"""The chart's plotext figure: one a thread, emptied before each chart, and signals put on it
without the colour cycler's bookkeeping; neither may change a single cell or style."""

from __future__ import annotations

import dataclasses
import math
import threading

import pytest

from lishi_tui.app.widgets import chart
from lishi_tui.app.widgets.chart import ChartSpec, render_chart

LONG = tuple(float(i) for i in range(5_000))


def kinds() -> list[ChartSpec]:
    """One chart of every kind the app draws, each with settings the others do not have."""
    return [
        ChartSpec(
            xs=tuple(float(i) for i in range(24)),
            ys=tuple(7.5 * i for i in range(24)),
            title="绿化造林面积（万亩）",
            x_ticks=((0.0, "2021年1月"), (23.0, "2022年12月")),
            target=300.0,
            path=((0.0, 0.0), (35.0, 300.0)),
            unit="万亩",
        ),
        ChartSpec(xs=LONG, ys=tuple(math.sin(x / 40) * 50 - 20 for x in LONG)),  # thinned
        ChartSpec(
            xs=(1.0, 2.0, 3.0, 4.0),
            ys=(1581.0, 1600.0, 1650.0, 1787.0),
            bars=True,
            x_ticks=((1.0, "Q1"), (4.0, "Q4")),
            lang="en",
        ),
        ChartSpec(xs=(0.0, 1.0, 2.0), ys=(5.2, 5.0, 5.4), demo=(False, True, True), target=6.0),
        ChartSpec(xs=tuple(float(i) for i in range(30)), ys=(3.0,) * 30, demo=(True,) * 30),
        ChartSpec(xs=(0.0,), ys=(52.1,), single=("52.1 %", "2024年", "目标 55 %")),
        ChartSpec(xs=(0.0, 1.0), ys=(-2.5e8, 3.1e9), unit="元", title="投资"),
    ]


SIZES = [(38, 10), (80, 16), (24, 5)]


def drawing(spec: ChartSpec, width: int, height: int, colour: bool) -> list[tuple[object, ...]]:
    """Every cell and style of a chart, as comparable tuples."""
    return [
        (line.plain, tuple((s.start, s.end, str(s.style)) for s in line.spans))
        for line in render_chart(spec, width, height, colour=colour)
    ]


def on_a_new_figure(spec: ChartSpec, width: int, height: int, colour: bool) -> object:
    chart._figures.__dict__.clear()
    return drawing(spec, width, height, colour)


def test_every_chart_drawn_after_the_others_is_the_chart_on_a_new_figure() -> None:
    cases = [(spec, size, colour) for spec in kinds() for size in SIZES for colour in (True, False)]
    expected = [on_a_new_figure(spec, *size, colour) for spec, size, colour in cases]
    # Forwards and backwards, so that each kind follows kinds with other settings.
    after_others = [drawing(spec, *size, colour) for spec, size, colour in cases]
    assert after_others == expected
    backwards = [drawing(spec, *size, colour) for spec, size, colour in reversed(cases)]
    assert backwards == expected[::-1]


def test_a_failed_chart_leaves_nothing_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    first = kinds()[0]
    expected = on_a_new_figure(first, 38, 10, True)
    real_add = chart._add
    calls = 0

    def fails_on_the_third_signal(fig: object, signal: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("a plotext failure mid-chart")
        real_add(fig, signal)

    # Its path and target (other lines, in the first chart's range) are on the figure when
    # it fails.
    failing = dataclasses.replace(first, target=150.0, path=((0.0, 300.0), (35.0, 0.0)))
    monkeypatch.setattr(chart, "_add", fails_on_the_third_signal)
    with pytest.raises(RuntimeError):
        render_chart(failing, 38, 10, colour=True)
    assert calls == 3
    monkeypatch.setattr(chart, "_add", real_add)
    assert drawing(first, 38, 10, True) == expected


@pytest.mark.parametrize("colour", [True, False])
def test_signals_added_without_the_cycler_draw_as_fig_draw_does(
    colour: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = [drawing(spec, *size, colour) for spec in kinds() for size in SIZES]
    monkeypatch.setattr(chart, "_add", lambda fig, signal: fig.draw(signal))
    plotexts = [drawing(spec, *size, colour) for spec in kinds() for size in SIZES]
    assert ours == plotexts


def test_each_thread_draws_on_its_own_figure() -> None:
    spec = kinds()[0]
    drawing(spec, 38, 10, True)
    main_figure = chart._figures.figure
    seen: list[object] = []

    def draw() -> None:
        drawing(spec, 38, 10, True)
        seen.append(chart._figures.figure)

    worker = threading.Thread(target=draw)
    worker.start()
    worker.join()
    assert seen and seen[0] is not main_figure
    assert chart._figures.figure is main_figure
