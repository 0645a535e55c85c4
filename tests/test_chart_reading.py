"""Charts an official can read, asserted on the screen of the running app: a legend, even 1-2-5
y labels at every height, figures in scaled units (万亩), demo points marked, one point as a stat."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from lishi_tui.app import make_app
from lishi_tui.app.app import LishiApp
from lishi_tui.app.widgets.chart import DEMO_POINT, REAL_POINT, ChartSpec, PlotChart, render_chart
from lishi_tui.domain.model import Baseline, Observation, Target
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import (
    FIXED_NOW,
    INDICATORS,
    build_config,
    build_registry,
    observation,
    screen_text,
)

# Greening in 亩 (the bundled plugin's unit): three million and more, as the drive reaches.
GREENING_MU = replace(
    INDICATORS["greening"],
    unit="亩",
    unit_en="mu",
    decimals=0,
    baseline=Baseline(0, date(2021, 1, 1)),
    target=Target(3_000_000, date(2021, 12, 31)),
)

AXIS_ROW = re.compile(r"^\s*([-\d,.]+)┤")


def y_labels(text: str) -> list[tuple[int, float]]:
    """(screen row, value) of every labelled y tick in ``text``."""
    out = []
    for row, line in enumerate(text.splitlines()):
        inner = line.split("│", 1)[1] if line.startswith(("│", "╏", "┃")) else line
        if m := AXIS_ROW.match(inner):
            out.append((row, float(m[1].replace(",", ""))))
    return out


def ecology_app(tmp_path: Path, observations: list[Observation], *, lang: str = "zh") -> LishiApp:
    store = SqliteStore(tmp_path / "lishi.db")
    indicators = {**INDICATORS, "greening": GREENING_MU}
    config = replace(build_config(language=lang), indicators=indicators)
    store.upsert_indicators(indicators.values())
    store.write(observations)
    return make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})


def greening(month: int, value: float, *, demo: bool) -> Observation:
    return observation(
        "greening",
        Period.month(2021, month),
        value,
        source="greening_demo" if demo else "report",
        demo=demo,
    )


async def test_the_chart_panel_reads_in_wan_mu_with_a_legend(tmp_path: Path) -> None:
    rows = [greening(m, 270_000.0 * m, demo=m < 10) for m in range(1, 13)]
    app = ecology_app(tmp_path, rows)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause(0.3)
        text = screen_text(app)
    assert "单位：万亩" in text
    for words in ("实际", "演示", "目标", "按期路径"):
        assert words in text, words
    assert "e6" not in text and "e+" not in text  # no scientific notation anywhere
    labels = [v for _, v in y_labels(text)]
    assert labels and max(labels) >= 324  # 3,240,000 亩 is 324 万亩, under the top label
    assert all(v % 50 == 0 for v in labels)  # whole 万亩 in a 1-2-5 step
    chart = text[text.index("单位：万亩") :]
    assert DEMO_POINT in chart and REAL_POINT in chart  # demo and real marked apart


@pytest.mark.parametrize("height", [6, 7, 8, 9, 10, 12, 15, 20, 27, 33])
async def test_y_labels_are_evenly_spaced_at_every_height(height: int) -> None:
    # The reported case: these values read "10.0 / 8.4 / 3.7" on three consecutive rows.
    spec = ChartSpec(
        xs=(0.0, 1.0, 2.0, 3.0, 4.0), ys=(3.7, 5.0, 6.1, 8.4, 10.0), unit="%", lang="zh"
    )

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PlotChart(spec, colour=False)

    app = One()
    async with app.run_test(size=(50, height)) as pilot:
        await pilot.pause()
        labels = y_labels(screen_text(app))
    assert len(labels) >= 2, labels
    rows = [r for r, _ in labels]
    values = [v for _, v in labels]
    row_gaps = {b - a for a, b in pairwise(rows)}
    value_gaps = {round(a - b, 9) for a, b in pairwise(values)}
    assert len(row_gaps) == 1 and len(value_gaps) == 1, labels
    step = value_gaps.pop()
    leading = f"{step:.0e}"  # "5e+00": one significant digit, 1, 2 or 5
    assert leading[0] in "125" and float(leading) == pytest.approx(step)
    assert min(values) <= 3.7 and max(values) >= 10.0


async def test_one_figure_is_a_stat_not_axes(tmp_path: Path) -> None:
    app = ecology_app(tmp_path, [greening(10, 3_212_345.0, demo=False)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause(0.3)
        text = screen_text(app)
    assert "┤" not in text and "└" not in text.split("绿化造林面积")[1].split("╰")[0]
    assert text.count("3,212,345 亩") >= 2  # the caption and the stat itself
    assert "截至2021年10月底" in text and "目标 3,000,000 亩" in text


async def test_english_chart_scales_to_millions(tmp_path: Path) -> None:
    rows = [greening(m, 270_000.0 * m, demo=False) for m in range(1, 13)]
    app = ecology_app(tmp_path, rows, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause(0.3)
        text = screen_text(app)
    assert "in M mu" in text and "actual" in text and "on-track path" in text
    assert "demo" not in text.split("in M mu")[1].splitlines()[0]  # no demo mark: none drawn
    assert max(v for _, v in y_labels(text)) in (3.5, 4.0)


def test_a_demo_only_series_is_not_called_actual() -> None:
    from lishi_tui.app.widgets.chart import legend_line

    spec = ChartSpec(xs=(0.0, 1.0), ys=(1.0, 2.0), demo=(True, True), lang="zh", target=3.0)
    words = legend_line(spec, "万亩", 80, colour=False).plain
    assert "演示" in words and "实际" not in words and "目标" in words


def test_a_bucketed_detail_chart_marks_demo_slices_and_scales_its_unit() -> None:
    from datetime import UTC, datetime, timedelta

    from lishi_tui.app.widgets.bucket_chart import bucket_chart_spec
    from lishi_tui.store.base import Bucket

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    buckets = [
        Bucket(
            start=t0 + timedelta(hours=i),
            end=t0 + timedelta(hours=i + 1),
            count=1200,
            low=2_900_000.0 + i * 1000,
            high=3_000_000.0 + i * 1000,
            last=2_950_000.0,
            last_start=t0 + timedelta(hours=i, minutes=59),
            demo=i >= 30,
        )
        for i in range(40)
    ]
    spec = bucket_chart_spec(GREENING_MU, buckets, title="绿化", lang="zh")
    assert spec is not None
    assert spec.demo == tuple(i >= 30 for i in range(40) for _ in (0, 1))
    text = "\n".join(line.plain for line in render_chart(spec, 90, 16, colour=False))
    assert "单位：万亩" in text and "演示" in text and "e6" not in text
    assert DEMO_POINT in text
