"""Governance (党建引领 全科网格): grid cells and workers, grid standards, coordination, centres."""

from __future__ import annotations

from lishi_tui.plugin import Indicator, RegisterIndicator, hookimpl

__version__ = "0.1.0"

PLUGIN = "governance"


def _level(
    id_: str, name_zh: str, name_en: str, unit: str, unit_en: str, decimals: int = 0
) -> Indicator:
    return Indicator(
        id_,
        name_zh,
        name_en,
        unit=unit,
        unit_en=unit_en,
        decimals=decimals,
        tags=("基层治理",),
        plugin=PLUGIN,
    )


INDICATORS: tuple[Indicator, ...] = (
    _level("grid_cells", "末端网格", "Grid cells", "个", "cells"),
    _level("grid_workers", "网格员", "Grid workers", "名", "people"),
    _level(
        "grid_households_urban", "城市网格标准", "Households per urban grid", "户", "households"
    ),
    _level(
        "grid_households_rural", "农村网格标准", "Households per rural grid", "户", "households"
    ),
    _level("coordinated_departments", "统筹部门", "Departments coordinated", "个", "departments"),
    _level("coordinated_functions", "统筹部门职能", "Functions coordinated", "项", "functions"),
    _level(
        "governance_centre_investment",
        "区、乡两级综治中心总投资",
        "Governance centres: total investment",
        "亿元",
        "100m yuan",
        decimals=1,
    ),
    _level("organisation_levels", "组织体系层级", "Organisation levels", "级", "levels"),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
