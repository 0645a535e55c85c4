"""Words that say what is true: a source that answers is not a figure that is overdue, and a
projection that cannot be made names exactly what is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lishi_tui.app import make_app
from lishi_tui.app.formatting import no_projection_text
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.app.widgets.panels.context import PanelContext
from lishi_tui.app.widgets.panels.render import status_line
from lishi_tui.domain.model import (
    Baseline,
    Indicator,
    Observation,
    Rag,
    Reading,
    SourceRunOutcome,
    Target,
)
from lishi_tui.domain.periods import Period
from lishi_tui.domain.status import Freshness, Missing, projection, projection_missing
from lishi_tui.store.base import SourceHealth
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
GDP = Indicator("gdp", "地区生产总值增速", "GDP growth", unit="%")


def view(*, stale: bool, ok: bool = True, checked: datetime | None = NOW) -> IndicatorView:
    latest = Observation(Reading("gdp", Period.year(2021), 10.0), "report", NOW)
    run = SourceRunOutcome("report", NOW, 0.1, ok=ok, error="" if ok else "HTTP 503")
    return IndicatorView(
        indicator=GDP,
        latest=latest,
        previous=None,
        history=(latest,),
        rag=Rag.NONE,
        progress=None,
        projection=None,
        freshness=Freshness.STALE if stale else Freshness.FRESH,
        health=SourceHealth("report", run, checked, 0 if ok else 1),
    )


def words(v: IndicatorView, lang: str = "zh") -> str:
    return status_line(v, PanelContext(lang, False, lambda: NOW + timedelta(seconds=5))).plain


def test_a_stale_figure_from_a_healthy_source_says_both_things_apart() -> None:
    assert words(view(stale=True)) == "⏱ 本期数据逾期未发布 · 数据源正常（核实于刚刚）"
    assert words(view(stale=True), "en") == "⏱ next figure overdue · source answered just now"
    assert "已过期" not in words(view(stale=True))


def test_a_fresh_figure_says_only_when_it_was_checked() -> None:
    assert words(view(stale=False)) == "核实于刚刚"
    assert words(view(stale=False), "en") == "checked just now"


def test_a_failing_source_is_never_called_healthy() -> None:
    text = words(view(stale=True, ok=False, checked=NOW - timedelta(hours=3)))
    assert "数据源正常" not in text
    assert text.startswith("⏱ 本期数据逾期未发布 · 核实于3 小时前")
    assert "⚠ 数据源故障 HTTP 503" in text


def test_a_figure_no_run_confirmed_says_so() -> None:
    assert words(view(stale=True, checked=None)) == "⏱ 本期数据逾期未发布 · 无成功采集记录"


TARGET = Target(100.0, date(2021, 12, 31))
BASELINE = Baseline(0.0, date(2021, 1, 1))


@pytest.mark.parametrize(
    ("baseline", "target", "missing", "zh", "en"),
    [
        (
            None,
            TARGET,
            (Missing.BASELINE,),
            "未设基期，无法推算进度",
            "No baseline set: no projection",
        ),
        (
            BASELINE,
            replace(TARGET, deadline=None),
            (Missing.DEADLINE,),
            "未设期限，无法推算进度",
            "No deadline set: no projection",
        ),
        (
            None,
            replace(TARGET, deadline=None),
            (Missing.BASELINE, Missing.DEADLINE),
            "未设基期、期限，无法推算进度",
            "No baseline or deadline set: no projection",
        ),
        (
            BASELINE,
            None,
            (Missing.TARGET, Missing.DEADLINE),
            "未设目标、期限，无法推算进度",
            "No target or deadline set: no projection",
        ),
        (
            None,
            None,
            (Missing.BASELINE, Missing.TARGET, Missing.DEADLINE),
            "未设基期、目标、期限，无法推算进度",
            "No baseline, target or deadline set: no projection",
        ),
        (
            Baseline(0.0, date(2022, 1, 1)),
            TARGET,
            (Missing.ORDER,),
            "期限不晚于基期，无法推算进度",
            "The deadline is not after the baseline: no projection",
        ),
    ],
)
def test_the_missing_part_of_a_projection_is_named(
    baseline: Baseline | None,
    target: Target | None,
    missing: tuple[Missing, ...],
    zh: str,
    en: str,
) -> None:
    indicator = replace(GDP, baseline=baseline, target=target)
    assert projection(indicator, 50.0, date(2021, 6, 1)) is None
    assert projection_missing(indicator, 50.0) == missing
    assert no_projection_text(indicator, 50.0, "zh") == zh
    assert no_projection_text(indicator, 50.0, "en") == en


def test_nothing_is_missing_when_a_projection_is_made() -> None:
    indicator = replace(GDP, baseline=BASELINE, target=TARGET)
    assert projection(indicator, 50.0, date(2021, 6, 1)) is not None
    assert projection_missing(indicator, 50.0) == ()
    assert projection_missing(indicator, None) == (Missing.VALUE,)
    assert no_projection_text(indicator, None, "zh") == "暂无数值，无法推算进度"


async def test_the_detail_names_only_the_missing_baseline(tmp_path: Path) -> None:
    # GDP growth with a target and a deadline, and no baseline: the reported case.
    store = SqliteStore(tmp_path / "lishi.db")
    fill_store(store)
    config = build_config()
    gdp = replace(config.indicators["gdp_growth"], target=Target(10.0, date(2021, 12, 31)))
    assert gdp.baseline is None
    config = replace(config, indicators={**config.indicators, "gdp_growth": gdp})
    app = make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, DetailScreen) and "推算进度" in screen_text(app):
                break
        text = screen_text(app)
    assert "目标: 10.0 %" in text and "期限: 2021-12-31" in text
    assert "未设基期，无法推算进度" in text
    assert "目标或期限" not in text
    store.close()
