"""The economy plugin: its indicators, its published figures (equal to the report's) and their status."""

from __future__ import annotations

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Direction, MeasureKind, Qualifier, Rag, Reading
from lishi_tui.domain.status import rag
from lishi_tui.registry import Registry
from tests.support.bundled import bundled_config, load_bundled, published_readings

# The report: "主要经济指标同比增速达到两位数，第三产业占比达到 51%"; "全年谋划转型项目 96
# 个，总投资 166亿元"; "推出了 100 项“一件事一次办”服务清单".
REPORT: dict[str, tuple[str, float, Qualifier]] = {
    "gdp_growth": ("2021", 10, Qualifier.AT_LEAST),
    "industry_va_growth": ("2021", 10, Qualifier.AT_LEAST),
    "retail_sales_growth": ("2021", 10, Qualifier.AT_LEAST),
    "tertiary_share": ("2021", 51, Qualifier.EXACT),
    "transformation_projects": ("2021", 96, Qualifier.EXACT),
    "transformation_investment": ("2021", 166, Qualifier.EXACT),
    "one_visit_services": ("2021", 100, Qualifier.EXACT),
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled("economy", "published")


@pytest.fixture(scope="module")
def readings(registry: Registry) -> dict[str, Reading]:
    return published_readings(registry, "builtin:economy/published.toml", "economy_report")


@pytest.fixture(scope="module")
def config() -> Config:
    return bundled_config()


def test_registers_its_indicators_alone(registry: Registry) -> None:
    assert registry.indicator_owner.keys() == REPORT.keys()
    assert set(registry.indicator_owner.values()) == {"economy"}
    growth = registry.indicators["gdp_growth"]
    assert growth.measure is MeasureKind.YOY and growth.direction is Direction.HIGHER
    assert growth.name_zh == "地区生产总值同比增速" and growth.unit == "%"
    assert registry.indicators["transformation_investment"].unit == "亿元"


def test_published_figures_equal_the_report(readings: dict[str, Reading]) -> None:
    assert readings.keys() == REPORT.keys()
    for indicator, (period, value, qualifier) in REPORT.items():
        r = readings[indicator]
        assert (r.period.key, r.value, r.qualifier) == (period, value, qualifier), indicator
        assert not r.demo
        assert r.origin.startswith("离石区高质量发展报道")


def test_two_digit_growth_is_a_lower_bound_not_a_figure(readings: dict[str, Reading]) -> None:
    for indicator in ("gdp_growth", "industry_va_growth", "retail_sales_growth"):
        assert readings[indicator].value == 10
        assert readings[indicator].qualifier is Qualifier.AT_LEAST
        assert "两位数" in readings[indicator].note


def test_configured_thresholds_colour_the_report(
    config: Config, readings: dict[str, Reading]
) -> None:
    for indicator in ("gdp_growth", "industry_va_growth", "retail_sales_growth", "tertiary_share"):
        assert rag(config.indicators[indicator], readings[indicator].value) is Rag.GREEN
    growth = config.indicators["gdp_growth"]
    assert rag(growth, 7.5) is Rag.AMBER and rag(growth, 5.9) is Rag.RED
