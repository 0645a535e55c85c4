"""The bundled config in a real terminal at 80x24 and 200x60: no wasted rows, the overview one key
away, the published livelihood figures whole."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.config.locate import bundled_config_path
from tests.support.tmux import Tmux

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

BOX = set("─│┌┐└┘├┤┬┴┼╭╮╰╯━┃┏┓┗┛╍╏═║╔╗╚╝ ▁▂▃▄▅▆▇█")


@pytest.fixture(params=[(80, 24), (200, 60)], ids=["80x24", "200x60"])
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
