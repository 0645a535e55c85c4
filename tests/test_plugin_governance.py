"""The governance plugin: grid-governance figures equal to the report's."""

from __future__ import annotations

import pytest

from lishi_tui.domain.model import Qualifier
from lishi_tui.registry import Registry
from tests.support.bundled import fetch_published, load_bundled

# "1831个末端网格、1987名网格员"; "按照城市 100户、农村 300户的标准"; "26个部门 84项职能";
# "总投资 1.8亿元 ... 综治中心"; "“区、乡、社区、网格、楼宇”五级组织体系".
REPORT = {
    "grid_cells": 1831,
    "grid_workers": 1987,
    "grid_households_urban": 100,
    "grid_households_rural": 300,
    "coordinated_departments": 26,
    "coordinated_functions": 84,
    "governance_centre_investment": 1.8,
    "organisation_levels": 5,
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled("governance", "published")


def test_registers_its_indicators_alone(registry: Registry) -> None:
    assert registry.indicator_owner.keys() == REPORT.keys()
    assert registry.indicators["governance_centre_investment"].unit == "亿元"
    assert registry.indicators["governance_centre_investment"].decimals == 1


def test_published_figures_equal_the_report(registry: Registry) -> None:
    result = fetch_published(registry, "builtin:governance/published.toml", "governance_report")
    assert {r.indicator: r.value for r in result} == REPORT
    assert all(r.period.key == "2021" and r.qualifier is Qualifier.EXACT for r in result)
    assert not any(r.demo for r in result)
