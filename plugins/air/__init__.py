"""Air ("离石蓝"): good-air days, hourly AQI and PM2.5, the report's one naturally real-time series.

The report gives no air-quality figure; the bundled config feeds these indicators from
the demo source. A monitoring-station feed (``http`` source) can replace it.
"""

from __future__ import annotations

from datetime import timedelta

from lishi_tui.plugin import (
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    RegisterIndicator,
    hookimpl,
)

__version__ = "0.1.0"

PLUGIN = "air"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "good_air_days",
        "空气质量优良天数（年内累计）",
        "Good-air days (year to date)",
        unit="天",
        unit_en="days",
        decimals=0,
        frequency=Frequency.DAILY,
        measure=MeasureKind.YTD,
        tags=("生态", "离石蓝"),
        description="Days with a daily AQI of 100 or less since 1 January.",
        plugin=PLUGIN,
    ),
    Indicator(
        "aqi",
        "空气质量指数（AQI）",
        "Air quality index (AQI)",
        unit="",
        unit_en="",
        decimals=0,
        direction=Direction.LOWER,
        frequency=Frequency.REALTIME,
        stale_after=timedelta(hours=2),  # stations publish hourly, often late
        tags=("生态", "离石蓝"),
        plugin=PLUGIN,
    ),
    Indicator(
        "pm25",
        "PM2.5浓度",
        "PM2.5 concentration",
        unit="微克/立方米",
        unit_en="µg/m³",
        decimals=0,
        direction=Direction.LOWER,
        frequency=Frequency.REALTIME,
        stale_after=timedelta(hours=2),
        tags=("生态", "离石蓝"),
        plugin=PLUGIN,
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
