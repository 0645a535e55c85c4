"""Economy: growth of GDP, industry and retail, the tertiary share, transformation projects, services."""

from __future__ import annotations

from lishi_tui.plugin import Indicator, MeasureKind, RegisterIndicator, hookimpl

__version__ = "0.1.0"

PLUGIN = "economy"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "gdp_growth",
        "地区生产总值同比增速",
        "GDP growth, year on year",
        unit="%",
        unit_en="%",
        measure=MeasureKind.YOY,
        tags=("经济",),
        description='The report says only "two-digit" growth (≥ 10 %), never an exact figure.',
        plugin=PLUGIN,
    ),
    Indicator(
        "industry_va_growth",
        "规上工业增加值同比增速",
        "Industrial value added (above designated size), YoY",
        unit="%",
        unit_en="%",
        measure=MeasureKind.YOY,
        tags=("经济", "工业"),
        description="Two-digit growth (≥ 10 %) per the report.",
        plugin=PLUGIN,
    ),
    Indicator(
        "retail_sales_growth",
        "社会消费品零售总额同比增速",
        "Retail sales of consumer goods, YoY",
        unit="%",
        unit_en="%",
        measure=MeasureKind.YOY,
        tags=("经济", "消费"),
        description="Two-digit growth (≥ 10 %) per the report.",
        plugin=PLUGIN,
    ),
    Indicator(
        "tertiary_share",
        "第三产业占比",
        "Tertiary sector share of GDP",
        unit="%",
        unit_en="%",
        decimals=0,
        measure=MeasureKind.SHARE,
        tags=("经济",),
        plugin=PLUGIN,
    ),
    Indicator(
        "transformation_projects",
        "转型项目（全年谋划）",
        "Transformation projects planned",
        unit="个",
        unit_en="projects",
        decimals=0,
        tags=("项目",),
        plugin=PLUGIN,
    ),
    Indicator(
        "transformation_investment",
        "转型项目总投资",
        "Transformation projects: total investment",
        unit="亿元",
        unit_en="100m yuan",
        decimals=0,
        tags=("项目", "投资"),
        plugin=PLUGIN,
    ),
    Indicator(
        "one_visit_services",
        "“一件事一次办”服务清单",
        "One-visit service list",
        unit="项",
        unit_en="items",
        decimals=0,
        tags=("营商环境",),
        plugin=PLUGIN,
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
