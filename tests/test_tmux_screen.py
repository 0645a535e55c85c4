"""The bundled config in a real terminal at 80x24, 120x40 and 200x60: no wasted rows, every page
that fits filling the window, the overview one key away, the published livelihood figures whole."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.config.locate import bundled_config_path
from tests.support.tmux import Tmux
from tests.support.waiting import wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

BOX = set("─│┌┐└┘├┤┬┴┼╭╮╰╯━┃┏┓┗┛╍╏═║╔╗╚╝ ▁▂▃▄▅▆▇█")


@pytest.fixture(params=[(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
def dashboard(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Tmux]:
    width, height = request.param
    command = [
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(bundled_config_path()),
        "--db",
        str(tmp_path / "history.db"),
    ]
    tmux = Tmux(command, width=width, height=height)
    yield tmux
    tmux.close()


# A chart's plot area: a panel's left border, the tick-label margin, then the y axis. Such a
# row draws the chart (it grows with the window, as it should), not a gap in the layout.
PLOT_ROW = re.compile(r"[│╏┃] {3,8}[│┤]")


def tallest_blank_block(screen: str) -> int:
    """The most consecutive rows showing nothing but borders and spaces (outside a chart)."""
    run = best = 0
    for row in screen.splitlines()[3:-1]:  # below the header and tabs, above the footer
        blank = set(row) <= BOX and not PLOT_ROW.search(row)
        run = run + 1 if blank else 0
        best = max(best, run)
    return best


def test_a_chart_plot_is_not_a_blank_block_but_a_gap_is() -> None:
    plot = "╏     │" + " " * 40 + "╏ ╏" + " " * 20 + "╏"
    gap = "│" + " " * 40 + "│ │" + " " * 20 + "│"
    header = ["h", "t", "u"]
    assert tallest_blank_block("\n".join([*header, *[plot] * 8, "footer"])) == 0
    assert tallest_blank_block("\n".join([*header, *[gap] * 5, "footer"])) == 5


def test_the_bundled_dashboard_uses_the_window(dashboard: Tmux) -> None:
    screen = dashboard.wait_for("全部指标")  # the overview is the first page
    rows = screen.splitlines()
    assert "0 总览" in rows[1]
    # Page 1, then the overview's first line again with one key.
    dashboard.press_until("1", "economy_report")
    screen = dashboard.wait_for("┤")  # the chart, once plotext has loaded
    assert tallest_blank_block(screen) <= 3, screen
    screen = dashboard.press_until("0", "全部指标")
    first = next(i for i, row in enumerate(screen.splitlines()) if "全部指标" in row)
    assert "指标" in screen.splitlines()[first + 1]  # the header, then the first line below it
    # The livelihood page: the published training and recruitment figures, whole.
    screen = dashboard.press_until("4", "1,581 / 1,787")  # the gauge atop the page
    # At 80x24 the jobs table is below: the focus moving down shows it. The focus follows
    # the page a refresh later and an arrow before it is lost, so Down is sent until the
    # table shows; the loop stops at the first screen that has it.
    for _ in range(12):
        if "≥3,600 人" in screen:
            break
        dashboard.keys("Down")
        try:
            screen = dashboard.wait_for("≥3,600 人", limit_s=3.0)
        except AssertionError:
            screen = dashboard.screen()
    for figure in ("7,000 人", "11,150 人次", "≥18,000 个", "≥3,600 人"):
        assert figure in screen, screen


# Each page's key and a text that shows once its figures are drawn (a chart once plotext has
# drawn its axis).
PAGES = {
    "0": ("全部指标",),
    "1": ("51 %", "┤"),
    "2": ("96 个",),
    "3": ("PM2.5", "┤"),
    "4": ("1,581 / 1,787",),
    "5": ("1,831 个",),
}
# The pages whose content can fill the window, by size. The others hold a few published
# figures of one period each (projects, livelihood, governance: nothing to chart), and the
# overview's 42 lines are fewer than a 200x60 window's rows: those fill the window with their
# frames, the rows inside a table left empty (a stat's show its origin and note where its row
# is tall: test_a_tall_stat_shows_where_its_figure_is_from).
FILLS = {
    (80, 24): {"0", "1", "3", "4", "5"},
    (120, 40): {"0", "1", "3"},
    (200, 60): {"1", "3"},
}
TOP = set("╭┏╔")
BOTTOM = set("╰╯┗┛╚╝")


def test_every_page_fills_the_window(dashboard: Tmux, request: pytest.FixtureRequest) -> None:
    size = request.node.callspec.params["dashboard"]
    dashboard.wait_for("全部指标")
    for key, texts in PAGES.items():
        screen = dashboard.press_until(key, texts[0])
        screen = dashboard.wait_for(*texts)
        rows = screen.splitlines()
        if key in FILLS[size]:
            assert tallest_blank_block(screen) <= 3, f"page {key}:\n{screen}"
        else:
            # A page that fits reaches the bottom of the window, not scrolled: its panels'
            # top borders under the tabs, their bottom borders on the row above the footer.
            assert rows[3][:1] in TOP, f"page {key}:\n{screen}"
            assert rows[-2][:1] in BOTTOM and rows[-2].rstrip()[-1:] in BOTTOM, screen


def test_a_tall_stat_shows_where_its_figure_is_from(
    dashboard: Tmux, request: pytest.FixtureRequest
) -> None:
    """Beside a chart or a table on a big window, a stat's spare rows hold its origin, the
    report's sentence and its periods (the demo ones marked); at 80x24 it keeps its own rows."""
    size = request.node.callspec.params["dashboard"]
    dashboard.wait_for("全部指标")
    screen = dashboard.press_until("1", "51 %")
    if size == (80, 24):
        screen = dashboard.wait_for("51 %  ● 达标", "2021年", "来源: economy_report")
        assert "各期数值" not in screen and "出处：" not in screen, screen
    else:  # beside the GDP chart: the report's sentence, then each year, newest first
        dashboard.wait_for("“第三产业占比达到 51%”", "各期数值（新→旧）", "◀ 当前")

        def demo_years() -> list[str]:  # the earlier years' rows may come a frame later
            rows = dashboard.screen().splitlines()
            found = [row for row in rows if re.search(r"20(1[6-9]|20)年 +\d+ %", row)]
            return found if len(found) == 5 else []

        years = wait_for(demo_years, what="five earlier years' rows", show=dashboard.screen)
        assert all("演示" in row for row in years), years
    if size == (200, 60):  # the projects page: its two stats beside the key-investment table
        dashboard.press_until("2", "96 个")
        screen = dashboard.wait_for("出处：离石区高质量发展报道（报纸版面）", "166 亿元")
        assert "备注：“全年谋划转型项目 96个，总投资" in screen, screen
        assert "166亿元。”" in screen, screen  # the figure with its unit, on one row
