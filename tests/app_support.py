"""A small dashboard config with real report figures, a store to fill, and a launcher for tmux tests.

Run as a script (``python tests/app_support.py DB [--lang en]``) it builds the same config,
fills DB if empty and runs the real app in the terminal: the tmux and SIGHUP tests use it
until ``python -m lishi_tui --config X`` can take its place (see ``launcher_command``).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script from tmux
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lishi_tui.config.schema import (
    AppSettings,
    Config,
    PageConfig,
    PanelConfig,
    PanelKind,
    SourceConfig,
)
from lishi_tui.domain.model import (
    Baseline,
    Frequency,
    Indicator,
    MeasureKind,
    Observation,
    Qualifier,
    Reading,
    SourceRunOutcome,
    Target,
    Thresholds,
)
from lishi_tui.domain.periods import CHINA_TZ, Period
from lishi_tui.registry import PluginOrigin, PluginRecord, PluginState, Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.support.panel_kinds import builtin_panel_types

# The report describes 2021 as of the end of October; the clock sits just after.
FIXED_NOW = datetime(2021, 11, 20, 9, 30, tzinfo=CHINA_TZ)
REPORT = "离石区发展报道 (2021)"

INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator(
            id="gdp_growth",
            name_zh="地区生产总值增速",
            name_en="GDP growth",
            unit="%",
            decimals=1,
            frequency=Frequency.YEARLY,
            measure=MeasureKind.YOY,
            thresholds=Thresholds(green=8, amber=6),
            source="report",
        ),
        Indicator(
            id="tertiary_share",
            name_zh="第三产业占比",
            name_en="Tertiary sector share",
            unit="%",
            decimals=0,
            frequency=Frequency.YEARLY,
            measure=MeasureKind.SHARE,
            target=Target(55),
            baseline=Baseline(45, date(2020, 1, 1)),
            thresholds=Thresholds(green=50, amber=45),
            source="report",
        ),
        Indicator(
            id="transformation_projects",
            name_zh="转型项目",
            name_en="Transformation projects",
            unit="个",
            unit_en="projects",
            decimals=0,
            frequency=Frequency.YEARLY,
            source="report",
        ),
        Indicator(
            id="requests_done",
            name_zh="全区各级接收实事办结",
            name_en="Citizen requests handled",
            unit="%",
            decimals=1,
            frequency=Frequency.MONTHLY,
            measure=MeasureKind.RATIO,
            target=Target(100, date(2021, 12, 31)),
            thresholds=Thresholds(green=90, amber=80),
            source="report",
        ),
        Indicator(
            id="city_items_lead",
            name_zh="市交办离石牵头实事",
            name_en="City-assigned items (Lishi leads)",
            unit="%",
            decimals=1,
            frequency=Frequency.MONTHLY,
            measure=MeasureKind.RATIO,
            target=Target(100, date(2021, 12, 31)),
            thresholds=Thresholds(green=90, amber=80),
            source="report",
        ),
        Indicator(
            id="greening",
            name_zh="绿化造林面积",
            name_en="Greening area",
            unit="万亩",
            unit_en="10k mu",
            decimals=1,
            frequency=Frequency.MONTHLY,
            measure=MeasureKind.YTD,
            baseline=Baseline(0, date(2021, 1, 1)),
            target=Target(300, date(2023, 12, 31), note="三个100万亩"),
            source="greening_demo",
        ),
        Indicator(
            id="good_air_days",
            name_zh="空气质量优良天数",
            name_en="Good air days",
            unit="天",
            unit_en="days",
            decimals=0,
            frequency=Frequency.DAILY,
            measure=MeasureKind.YTD,
            source="air_api",
        ),
    )
}


def build_config(
    *, language: str = "zh", low_bandwidth: bool = False, overview: str = "off"
) -> Config:
    """Three pages of the panel kinds, over the indicators above (the overview tab off unless
    asked for: most tests start on the first page)."""
    sources = {
        "report": SourceConfig("report", "published", timedelta(hours=1), ("gdp_growth",), {}),
        "greening_demo": SourceConfig(
            "greening_demo", "demo", timedelta(minutes=1), ("greening",), {}
        ),
        "air_api": SourceConfig(
            "air_api", "http_json", timedelta(minutes=5), ("good_air_days",), {}
        ),
    }
    pages = (
        PageConfig(
            "economy",
            "经济发展",
            "Economy",
            (
                PanelConfig(PanelKind.STAT, ("gdp_growth",)),
                PanelConfig(PanelKind.STAT, ("tertiary_share",)),
                PanelConfig(PanelKind.STAT, ("transformation_projects",)),
                PanelConfig(
                    PanelKind.TABLE,
                    ("gdp_growth", "tertiary_share", "transformation_projects"),
                    title="经济指标一览",
                    width=2,
                ),
            ),
        ),
        PageConfig(
            "livelihood",
            "民生实事",
            "Livelihood",
            (
                PanelConfig(PanelKind.GAUGE, ("requests_done",)),
                PanelConfig(PanelKind.GAUGE, ("city_items_lead",)),
            ),
        ),
        PageConfig(
            "ecology",
            "双碳与生态",
            "Ecology",
            (
                PanelConfig(PanelKind.CHART, ("greening",), width=2),
                PanelConfig(PanelKind.STAT, ("greening",)),
                PanelConfig(PanelKind.STAT, ("good_air_days",)),
            ),
        ),
    )
    return Config(
        path=None,
        app=AppSettings(language=language, low_bandwidth=low_bandwidth, overview=overview),
        sources=sources,
        indicators=INDICATORS,
        pages=pages,
    )


def build_registry() -> Registry:
    return Registry(
        panel_types=builtin_panel_types(),
        plugins=[
            PluginRecord(
                "builtin_sources",
                PluginOrigin.BUILTIN,
                "plugins/builtin_sources.py",
                source_types=["published", "demo", "http_json"],
            ),
            PluginRecord(
                "broken_plugin",
                PluginOrigin.DIRECTORY,
                "~/lishi-plugins/broken.py",
                state=PluginState.FAILED,
                errors=["ImportError: no module named 'yaml'"],
            ),
        ],
    )


def observation(
    indicator: str,
    period: Period,
    value: float | None = None,
    *,
    source: str = "report",
    fetched_at: datetime = FIXED_NOW - timedelta(days=1),
    **reading: object,
) -> Observation:
    return Observation(
        Reading(indicator, period, value, **reading),  # type: ignore[arg-type]
        source=source,
        fetched_at=fetched_at,
    )


def fill_store(store: SqliteStore) -> None:
    """The report's figures (real), demo greening history (flagged), and a failing air source."""
    y2021 = Period.year(2021)
    oct2021 = Period.month(2021, 10)
    store.upsert_indicators(INDICATORS.values())
    real = [
        observation("gdp_growth", y2021, 10, qualifier=Qualifier.AT_LEAST, origin=REPORT),
        observation("tertiary_share", Period.year(2020), 49, origin=REPORT),
        observation("tertiary_share", y2021, 51, origin=REPORT),
        observation("transformation_projects", y2021, 96, origin=REPORT),
        observation("requests_done", oct2021, numerator=1581, denominator=1787, origin=REPORT),
        observation("city_items_lead", oct2021, numerator=32, denominator=34, origin=REPORT),
    ]
    # Demo: a made-up monthly path for the greening drive, flagged as such everywhere.
    demo = [
        observation(
            "greening",
            Period.month(2021, m),
            round(7.5 * m + (m % 3), 1),
            source="greening_demo",
            demo=True,
            fetched_at=FIXED_NOW - timedelta(days=30 * (11 - m)),
        )
        for m in range(1, 11)
    ]
    store.write(real + demo)
    store.write(
        [
            observation(
                "greening",
                Period.month(2021, 10),
                78.0,
                source="greening_demo",
                demo=True,
                note="revised",
            )
        ]
    )
    store.log_fetch(
        SourceRunOutcome("report", FIXED_NOW - timedelta(hours=1), 0.12, ok=True, readings=6)
    )
    store.log_fetch(
        SourceRunOutcome(
            "air_api",
            FIXED_NOW - timedelta(minutes=3),
            10.0,
            ok=False,
            error="HTTP 503 from http://127.0.0.1:9/aqi: \x1b[31mService Unavailable[/b]",
        )
    )


def open_store(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    if not store.latest():
        fill_store(store)
    return store


def launcher_command(db: Path, *, lang: str = "zh") -> list[str]:
    """The command that starts the real app in a terminal (swap for the CLI when it lands)."""
    return [sys.executable, str(Path(__file__).resolve()), str(db), "--lang", lang]


def main(argv: list[str]) -> int:
    from lishi_tui.app import make_app

    db = Path(argv[0])
    lang = argv[argv.index("--lang") + 1] if "--lang" in argv else "zh"
    store = open_store(db)
    clock = (lambda: FIXED_NOW) if "--fixed-clock" in argv else None
    app = make_app(build_config(language=lang), build_registry(), store, clock=clock)
    try:
        return app.run() or 0
    finally:
        store.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def screen_text(app: object) -> str:
    """What the running app's screen shows, as plain text (one line per row)."""
    import io

    from rich.console import Console
    from textual.app import App

    assert isinstance(app, App)
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()
