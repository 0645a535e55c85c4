"""Alerts on the dashboard under App.run_test at 80x24, keyboard only: badge, marked panel,
the alerts screen, Enter to the detail, ack with a reason (operator) or refused (viewer)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from lishi_tui.alerts.config import parse_alerts
from lishi_tui.alerts.engine import AlertEngine
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.app.app import LishiApp, make_app
from lishi_tui.app.screens.alerts import AckScreen, AlertsScreen, SilenceScreen
from lishi_tui.app.screens.detail import DetailScreen
from lishi_tui.app.widgets.alert_badge import ALERTING_CLASS
from lishi_tui.config.schema import Config
from lishi_tui.roles import Role
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store
from tests.support.waiting import until, until_shown

RULES = {
    "gdp_low": {
        "kind": "threshold",
        "indicators": ["gdp_growth"],
        "below": 12,
        "severity": "critical",
        "notify": ["ops"],
    }
}


def setup(tmp_path: Path, lang: str = "zh") -> tuple[Config, SqliteStore]:
    base = build_config(language=lang)
    rules = parse_alerts(
        RULES, lambda *a: None, indicators=base.indicators, sources=list(base.sources)
    )
    config = dataclasses.replace(base, tables=MappingProxyType({"alerts": rules}))
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    AlertEngine(
        rules,
        config.indicators,
        store,
        StoreRepository(store),
        lang=lang,
        clock=lambda: FIXED_NOW,
    ).evaluate()
    return config, store


async def wait_reads(app: LishiApp, pilot: Pilot[Any], n: int = 1) -> None:
    await until(pilot, lambda: app.alert_watch.reads >= n, what=f"{n} alert read(s)")


async def test_badge_screen_detail_and_ack(tmp_path: Path) -> None:
    config, store = setup(tmp_path)
    app = make_app(
        config,
        build_registry(),
        store,
        clock=lambda: FIXED_NOW,
        env={},
        role=Role.OPERATOR,
        account="张三",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_reads(app, pilot)
        assert "⚠ 严重 1" in app.sub_title
        await until_shown(pilot, "⚠ 严重 1")  # in the header
        gdp_panels = [p for p in app.dashboard.panels if "gdp_growth" in p.indicator_ids]
        assert gdp_panels and all(p.has_class(ALERTING_CLASS) for p in gdp_panels)
        others = [p for p in app.dashboard.panels if "gdp_growth" not in p.indicator_ids]
        assert not any(p.has_class(ALERTING_CLASS) for p in others)

        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alerts screen")
        text = await until_shown(pilot, "告警中", "地区生产总值增速", "gdp_low", "⚠ 严重 1")
        assert "告警中" in text and "地区生产总值增速" in text and "gdp_low" in text
        assert "⚠ 严重 1" in text  # the badge is on this screen too

        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AckScreen), what="the reason box")
        await until(pilot, lambda: isinstance(app.focused, Input), what="its field focused")
        await pilot.press(*"ok", "enter")  # typed reason
        await until(pilot, lambda: StoreRepository(store).acks(), what="the ack stored")
        [ack] = StoreRepository(store).acks().values()
        assert (ack.alert_id, ack.by, ack.reason) == ("gdp_low/gdp_growth", "张三", "ok")
        await wait_reads(app, pilot, 2)
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), what="back on the list")
        await until_shown(pilot, "已确认")

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == "gdp_growth"
    store.close()


async def test_a_viewer_is_told_why_it_cannot_ack(tmp_path: Path) -> None:
    config, store = setup(tmp_path, lang="en")
    app = make_app(config, build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_reads(app, pilot)
        assert "⚠ critical 1" in app.sub_title
        app.action_alerts()
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alerts screen")
        await pilot.press("a")
        await until(
            pilot,
            lambda: any("acknowledge" in str(n.message).lower() for n in app._notifications),
            what="a notice saying why",
        )
        assert isinstance(app.screen, AlertsScreen)  # no reason box
        assert StoreRepository(store).acks() == {}
    store.close()


async def test_no_alert_tables_no_badge_and_nothing_written(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_reads(app, pilot)
        assert "⚠" not in app.sub_title
        app.action_alerts()
        await until_shown(pilot, "当前没有告警")
    with store.read() as tx:
        assert not tx.dialect.table_exists(tx, "alerts")  # a viewer never creates tables
    store.close()


async def test_silence_from_the_keyboard(tmp_path: Path) -> None:
    config, store = setup(tmp_path, lang="en")
    app = make_app(
        config, build_registry(), store, clock=lambda: FIXED_NOW, env={}, role=Role.OPERATOR
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_reads(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alerts screen")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SilenceScreen), what="the silence box")
        field = await until(
            pilot, lambda: app.screen.query_one("#silence-for", Input), what="its fields"
        )
        field.value = "soon"
        await until(pilot, lambda: isinstance(app.focused, Input), what="a field focused")
        await pilot.press(*"drill", "enter")
        await until_shown(pilot, "not a duration")
        assert isinstance(app.screen, SilenceScreen)  # a bad duration is said, not taken
        app.screen.query_one("#silence-for", Input).value = "90m"
        app.screen.query_one("#silence-reason", Input).focus()
        await pilot.press("enter")
        await until(
            pilot, lambda: StoreRepository(store).silences(FIXED_NOW), what="the silence stored"
        )
        [silence] = StoreRepository(store).silences(FIXED_NOW)
        assert silence.target == "gdp_low/gdp_growth" and silence.reason == "drill"
        assert silence.until - silence.at == timedelta(minutes=90)
        await wait_reads(app, pilot, 2)
        await until_shown(pilot, "silenced")
    store.close()
