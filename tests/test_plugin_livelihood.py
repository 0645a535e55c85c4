"""The livelihood plugin: its published figures (equal to the report's) and their status."""

from __future__ import annotations

from datetime import date

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.model import MeasureKind, Qualifier, Rag, Reading
from lishi_tui.domain.status import progress, projection, rag
from lishi_tui.registry import Registry
from tests.support.bundled import bundled_config, load_bundled, published_readings

# (period, value, qualifier) or (period, (numerator, denominator), qualifier), from the report.
REPORT: dict[str, tuple[str, float | tuple[float, float], Qualifier]] = {
    "city_lead_items_done": ("2021-10", (32, 34), Qualifier.EXACT),
    "city_assist_items_done": ("2021-10", (23, 25), Qualifier.EXACT),
    "requests_done": ("2021-10", (1581, 1787), Qualifier.EXACT),
    "inclusive_kindergarten_share": ("2021", 80, Qualifier.AT_LEAST),
    "skills_training": ("2021", 7000, Qualifier.EXACT),
    "registered_worker_training": ("2021", 11150, Qualifier.EXACT),
    "job_fair_employers": ("2021", 103, Qualifier.EXACT),
    "job_fair_posts": ("2021", 18000, Qualifier.AT_LEAST),
    "job_fair_intentions": ("2021", 3600, Qualifier.AT_LEAST),
    "elderly_care_investment": ("2021", 26, Qualifier.EXACT),
    "anting_school_investment": ("2021", 15, Qualifier.EXACT),
    "service_centres": ("2021", 40, Qualifier.EXACT),
    "care_stations": ("2021", 50, Qualifier.EXACT),
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled("livelihood", "published")


@pytest.fixture(scope="module")
def readings(registry: Registry) -> dict[str, Reading]:
    return published_readings(registry, "builtin:livelihood/published.toml", "livelihood_report")


@pytest.fixture(scope="module")
def config() -> Config:
    return bundled_config()


def test_registers_its_indicators_alone(registry: Registry) -> None:
    assert registry.indicator_owner.keys() == REPORT.keys()
    assert registry.indicators["requests_done"].measure is MeasureKind.RATIO
    assert registry.indicators["requests_done"].decimals == 2


def test_published_figures_equal_the_report(readings: dict[str, Reading]) -> None:
    assert readings.keys() == REPORT.keys()
    for indicator, (period, expected, qualifier) in REPORT.items():
        r = readings[indicator]
        assert r.period.key == period and r.qualifier is qualifier and not r.demo, indicator
        if isinstance(expected, tuple):
            assert (r.numerator, r.denominator) == expected, indicator
            assert r.value == pytest.approx(expected[0] / expected[1] * 100)
        else:
            assert r.value == expected, indicator


def test_1581_of_1787_is_88_47_percent_which_the_report_rounds_to_88(
    readings: dict[str, Reading],
) -> None:
    r = readings["requests_done"]
    assert f"{r.value:.2f}" == "88.47"
    assert round(r.value or 0) == 88
    assert r.period.label("zh", year_to_date=True) == "截至2021年10月底"
    assert "办结率 88%" in r.note


def test_configured_thresholds_colour_the_completion_rates(
    config: Config, readings: dict[str, Reading]
) -> None:
    requests = config.indicators["requests_done"]
    assert rag(requests, readings["requests_done"].value) is Rag.AMBER  # 88.47 < 90
    assert (
        rag(config.indicators["city_lead_items_done"], readings["city_lead_items_done"].value)
        is Rag.GREEN
    )
    assert (
        rag(config.indicators["city_assist_items_done"], readings["city_assist_items_done"].value)
        is Rag.GREEN
    )
    assert rag(requests, 79.9) is Rag.RED and rag(requests, 90.0) is Rag.GREEN
    assert progress(requests, readings["requests_done"].value) == pytest.approx(0.8847, abs=1e-4)


def test_requests_pace_needed_to_finish_by_the_configured_deadline(
    config: Config, readings: dict[str, Reading]
) -> None:
    requests = config.indicators["requests_done"]
    p = projection(requests, readings["requests_done"].value, date(2021, 10, 31))
    assert p is not None
    # 11.53 points left over the two months to 31 December.
    assert p.remaining == pytest.approx(100 - 1581 / 1787 * 100)
    assert p.pace_per_month == pytest.approx(p.remaining / (61 / (365.25 / 12)))
    assert p.on_track  # 88.47 by end October is ahead of the straight line (≈ 83.3)


def test_kindergarten_share_meets_the_configured_80_percent(
    config: Config, readings: dict[str, Reading]
) -> None:
    share = config.indicators["inclusive_kindergarten_share"]
    assert share.target is not None and share.target.value == 80
    assert rag(share, readings["inclusive_kindergarten_share"].value) is Rag.GREEN
