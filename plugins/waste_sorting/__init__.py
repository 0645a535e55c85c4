"""Waste sorting: coverage of communities and households, participation, accuracy, publicity events.

The report describes the campaign (publicity, rollout, demonstration) without figures,
so the bundled config feeds these indicators from the demo source.
"""

from __future__ import annotations

from lishi_tui.plugin import Frequency, Indicator, MeasureKind, RegisterIndicator, hookimpl

__version__ = "0.1.0"

PLUGIN = "waste_sorting"


def _share(id_: str, name_zh: str, name_en: str) -> Indicator:
    return Indicator(
        id_,
        name_zh,
        name_en,
        unit="%",
        unit_en="%",
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.SHARE,
        tags=("生态", "垃圾分类"),
        plugin=PLUGIN,
    )


INDICATORS: tuple[Indicator, ...] = (
    _share("waste_community_coverage", "垃圾分类社区覆盖率", "Communities covered by sorting"),
    _share("waste_household_coverage", "垃圾分类家庭覆盖率", "Households covered by sorting"),
    _share("waste_participation", "垃圾分类居民参与率", "Residents taking part in sorting"),
    _share("waste_accuracy", "垃圾分类投放准确率", "Waste correctly sorted"),
    Indicator(
        "waste_publicity_events",
        "垃圾分类宣传活动（年内累计）",
        "Waste-sorting publicity events (year to date)",
        unit="场",
        unit_en="events",
        decimals=0,
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.YTD,
        tags=("生态", "垃圾分类"),
        plugin=PLUGIN,
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
