"""The chart widget: min/max thinning, exact row widths with Chinese text, private figures, caching."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import plotext
import pytest
from rich.cells import cell_len

from lishi_tui.app.widgets.chart import ChartSpec, PlotChart, render_chart, thin
from lishi_tui.app.widgets.chart_spec import tick_labels
from lishi_tui.domain.periods import Period
from tests.support.waiting import until


def test_thin_keeps_extremes_and_ends() -> None:
    xs = [float(i) for i in range(10_000)]
    ys = [math.sin(i / 50) * 100 + (500 if i == 4321 else 0) for i in range(10_000)]
    txs, tys = thin(xs, ys, 60)
    assert len(txs) <= 60 * 4
    assert max(tys) == max(ys) and min(tys) == min(ys)  # the spike and the troughs survive
    assert (txs[0], txs[-1]) == (xs[0], xs[-1])
    assert txs == sorted(txs)


def test_thin_leaves_short_series_alone() -> None:
    assert thin([1.0, 2.0, 3.0], [5.0, 4.0, 6.0], 60) == ([1.0, 2.0, 3.0], [5.0, 4.0, 6.0])


SPEC = ChartSpec(
    xs=tuple(float(i) for i in range(24)),
    ys=tuple(7.5 * i for i in range(24)),
    title="绿化造林面积（万亩）演示",
    x_ticks=((0.0, "2021年1月"), (23.0, "2022年12月")),
    target=300.0,
    path=((0.0, 0.0), (35.0, 300.0)),
)


@pytest.mark.parametrize("colour", [True, False])
@pytest.mark.parametrize(("width", "height"), [(12, 4), (36, 7), (75, 8), (118, 16), (197, 40)])
def test_rows_are_exactly_the_widget_width(width: int, height: int, colour: bool) -> None:
    lines = render_chart(SPEC, width, height, colour=colour)
    assert len(lines) == height
    assert [cell_len(line.plain) for line in lines] == [width] * height


def test_chinese_title_and_ticks_are_drawn_whole() -> None:
    text = "\n".join(line.plain for line in render_chart(SPEC, 80, 14, colour=False))
    assert "绿化造林面积（万亩）演示" in text
    assert "2021年1月" in text and "2022年12月" in text


def test_no_use_of_plotexts_global_figure() -> None:
    before = (
        plotext.figure._signals.length() if hasattr(plotext.figure._signals, "length") else None
    )
    size_before = plotext.figure.size()
    render_chart(SPEC, 50, 10, colour=True)
    assert plotext.figure.size() == size_before
    if before is not None:
        assert plotext.figure._signals.length() == before


async def test_chart_rebuilds_only_when_data_or_size_changes() -> None:
    from textual.app import App, ComposeResult

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PlotChart(SPEC)

    app = One()
    async with app.run_test(size=(60, 12)) as pilot:
        chart = app.query_one(PlotChart)
        await until(pilot, lambda: chart.builds >= 1, what="the first build")
        builds = chart.builds
        assert builds >= 1
        chart.refresh()
        chart.set_spec(ChartSpec(**{**SPEC.__dict__}))  # equal data
        await pilot.pause()  # a late rebuild would still show in the exact counts below
        assert chart.builds == builds
        chart.set_spec(ChartSpec(**{**SPEC.__dict__, "target": 250.0}))
        await until(pilot, lambda: chart.builds > builds, what="a rebuild for new data")
        assert chart.builds == builds + 1
        await pilot.resize_terminal(80, 14)
        await until(pilot, lambda: chart.builds > builds + 1, what="a rebuild for the new size")
        assert chart.builds == builds + 2


def test_instant_ticks_are_china_time_and_short_within_one_day() -> None:
    # 16:00Z to 23:00Z is 00:00 to 07:00 the next day in Beijing: one China day.
    start = datetime(2026, 11, 27, 16, tzinfo=UTC)
    one_day = [Period.instant(start + timedelta(hours=h)) for h in range(8)]
    assert tick_labels(one_day) == [f"{h:02d}:00" for h in range(8)]
    two_days = [Period.instant(start - timedelta(hours=1)), *one_day]
    assert tick_labels(two_days)[:2] == ["11-27 23:00", "11-28 00:00"]
    months = [Period.month(2021, m) for m in (9, 10)]
    assert tick_labels(months) == ["2021-09", "2021-10"]


def test_plotext_rows_read_like_rich_from_ansi() -> None:
    from plotext import marker, pixel
    from plotext._kernel.terminal import terminal
    from rich.text import Text

    from lishi_tui.app.widgets.chart import plotext_row

    fig = terminal()._master
    fig.theme("simple")
    fig.plot_size(40, 10)
    fig.title("绿化造林面积（万亩）")
    xs = list(range(60))
    fig.draw(
        fig.signal(xs, [x % 7 for x in xs], marker=marker("hd", pixel=pixel(foreground=75))).lines(
            True
        )
    )
    fig.draw(
        fig.signal([0, 59], [3, 3], marker=marker("hd", pixel=pixel(foreground=208))).lines(True)
    )
    rows = fig.build().string(colorless=False).split("\n")
    assert any("\x1b[38;5;208m" in row for row in rows)
    for row in rows:
        ours, rich = plotext_row(row), Text.from_ansi(row)
        assert ours.plain == rich.plain
        assert [(s.start, s.end, s.style) for s in ours.spans] == [
            (s.start, s.end, s.style) for s in rich.spans
        ]
    # Anything plotext does not normally send goes through Rich's full decoder.
    odd = "\x1b[4mlined\x1b[0m"
    assert plotext_row(odd).spans == Text.from_ansi(odd).spans
