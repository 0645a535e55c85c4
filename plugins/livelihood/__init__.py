"""Livelihood (民生实事): requests handled, education, jobs and training, elderly care, community sites."""

from __future__ import annotations

from lishi_tui.plugin import Frequency, Indicator, MeasureKind, RegisterIndicator, hookimpl

__version__ = "0.1.0"

PLUGIN = "livelihood"


def _done(id_: str, name_zh: str, name_en: str) -> Indicator:
    """A completion rate published as "n of m done" as of a month end."""
    return Indicator(
        id_,
        name_zh,
        name_en,
        unit="%",
        unit_en="%",
        decimals=2,
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.RATIO,
        tags=("民生", "办实事"),
        plugin=PLUGIN,
    )


def _count(id_: str, name_zh: str, name_en: str, unit: str, unit_en: str, *tags: str) -> Indicator:
    return Indicator(
        id_, name_zh, name_en, unit=unit, unit_en=unit_en, decimals=0, tags=tags, plugin=PLUGIN
    )


INDICATORS: tuple[Indicator, ...] = (
    _done(
        "city_lead_items_done", "市交办离石牵头实事办结率", "City-assigned items led by Lishi: done"
    ),
    _done(
        "city_assist_items_done",
        "市交办离石配合实事办结率",
        "City-assigned items Lishi assists: done",
    ),
    _done("requests_done", "全区各级接收实事办结率", "Citizen requests handled"),
    Indicator(
        "inclusive_kindergarten_share",
        "普惠性幼儿园在园人数占比",
        "Children in inclusive kindergartens",
        unit="%",
        unit_en="%",
        decimals=0,
        measure=MeasureKind.SHARE,
        tags=("民生", "教育"),
        plugin=PLUGIN,
    ),
    _count("skills_training", "普惠性技能培训", "General skills training", "人", "people", "就业"),
    _count(
        "registered_worker_training",
        "建档立卡劳动力培训",
        "Training of registered poor-household workers",
        "人次",
        "person-times",
        "就业",
    ),
    _count(
        "job_fair_employers",
        "网络招聘参与企业",
        "Online job fair: employers",
        "家",
        "firms",
        "就业",
    ),
    _count(
        "job_fair_posts", "网络招聘发布岗位", "Online job fair: jobs posted", "个", "jobs", "就业"
    ),
    _count(
        "job_fair_intentions",
        "网络招聘达成就业意向",
        "Online job fair: job intentions reached",
        "人",
        "people",
        "就业",
    ),
    _count(
        "elderly_care_investment",
        "养老总投资",
        "Elderly-care investment",
        "亿元",
        "100m yuan",
        "养老",
    ),
    _count(
        "anting_school_investment",
        "安亭中学建设总投资",
        "Anting middle school: total investment",
        "亿元",
        "100m yuan",
        "教育",
    ),
    _count(
        "service_centres",
        "村（社区）党群服务中心",
        "Village and community service centres",
        "个",
        "centres",
        "智慧社区",
    ),
    _count("care_stations", "爱心驿站", "Care stations", "个", "stations", "智慧社区"),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
