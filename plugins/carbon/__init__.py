"""Carbon: the Xinyi (信义镇) zero-carbon town pilot and the screening of "两高" projects.

The report names the pilot and the screening but publishes no figure for either, so
these indicators are fed by the demo source in the bundled config; a real feed (a
``csv`` or ``http`` source) can replace it without touching this plugin.
"""

from __future__ import annotations

from lishi_tui.plugin import (
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    RegisterIndicator,
    hookimpl,
)

__version__ = "0.1.0"

PLUGIN = "carbon"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "xinyi_co2",
        "信义镇二氧化碳排放量",
        "Xinyi town CO2 emissions",
        unit="万吨",
        unit_en="10k t CO2",
        decimals=2,
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        tags=("双碳", "零碳小镇"),
        description="Monthly emissions of the 信义镇 zero-carbon town pilot.",
        plugin=PLUGIN,
    ),
    Indicator(
        "xinyi_renewable_share",
        "信义镇可再生能源消费占比",
        "Xinyi town renewable share of energy use",
        unit="%",
        unit_en="%",
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.SHARE,
        tags=("双碳", "零碳小镇"),
        plugin=PLUGIN,
    ),
    Indicator(
        "xinyi_energy_intensity",
        "信义镇单位GDP能耗",
        "Xinyi town energy intensity",
        unit="吨标准煤/万元",
        unit_en="tce per 10k yuan",
        decimals=2,
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        tags=("双碳", "零碳小镇"),
        plugin=PLUGIN,
    ),
    Indicator(
        "two_high_screened",
        "“两高”项目排查数（年内累计）",
        "High-energy, high-emission projects screened (year to date)",
        unit="个",
        unit_en="projects",
        decimals=0,
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.YTD,
        tags=("双碳",),
        description="The report says the screening covered the whole district but gives no count.",
        plugin=PLUGIN,
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
