"""Hot reload in the real app (run_test): a threshold change repaints a panel amber, a broken
save keeps the old config and shows its located error, a start on a broken file runs on the
last good copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from lishi_tui.app.app import LishiApp, make_app
from lishi_tui.app.reloading import ConfigBanner
from lishi_tui.config.reading import RawConfig
from lishi_tui.config.reload import ConfigWatcher, load_resilient
from lishi_tui.domain.model import Rag
from lishi_tui.registry import Registry
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, fill_store
from tests.support.panel_kinds import builtin_panel_types
from tests.support.waiting import until

CONFIG = """\
[app]
language = "zh"

# the share of services: 51 % in 2021
[indicators.tertiary_share]
name_zh = "第三产业占比"
unit = "%"
decimals = 0
frequency = "yearly"
measure = "share"
thresholds = { green = 50, amber = 45 }

[indicators.gdp_growth]
name_zh = "地区生产总值增速"
unit = "%"
frequency = "yearly"
measure = "yoy"

[pages.economy]
title_zh = "经济"

[[pages.economy.panels]]
kind = "stat"
indicator = "tertiary_share"

[[pages.economy.panels]]
kind = "stat"
indicator = "gdp_growth"
"""


def rag_of(app: LishiApp, indicator: str) -> Rag | None:
    for panel in app.dashboard.panels:
        view = panel.views.get(indicator)
        if view is not None:
            return view.rag
    return None


def registry_for(_: RawConfig) -> Registry:
    return Registry(panel_types=builtin_panel_types())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LISHI_TUI_STATE_DIR": str(tmp_path / "state"), "LANG": "zh_CN.UTF-8"}


async def test_threshold_change_turns_the_panel_amber_and_a_broken_save_is_kept_out(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config, registry, text, issues = load_resilient(path, registry_for, env)
    assert issues == []
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    watcher = ConfigWatcher(path, config, registry, env, text=text)
    app = make_app(
        config, registry, store, clock=lambda: FIXED_NOW, env=env, config_watcher=watcher
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="green at 51 %")

        path.write_text(CONFIG.replace("green = 50", "green = 55"), encoding="utf-8")
        await until(pilot, lambda: app.config_reloads == 1, what="the save applied")
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.AMBER, what="amber")
        assert app.config.indicators["tertiary_share"].thresholds.green == 55  # type: ignore[union-attr]

        broken = CONFIG.replace("green = 50", "green = 55").replace(
            'kind = "stat"', 'kind = "pie"', 1
        )
        path.write_text(broken, encoding="utf-8")
        await until(pilot, lambda: bool(app.dashboard.query(ConfigBanner)), what="a banner")
        banner = str(app.dashboard.query_one(ConfigBanner).render())
        assert f"{path}:23: pages.economy.panels[0].kind" in banner
        assert app.config_reloads == 1 and rag_of(app, "tertiary_share") is Rag.AMBER
        await pilot.pause(0.6)
        assert app.dashboard.query(ConfigBanner)  # persistent: still there

        path.write_text(CONFIG.replace("green = 50", "green = 55"), encoding="utf-8")
        await until(pilot, lambda: not app.dashboard.query(ConfigBanner), what="the banner gone")
    store.close()


async def test_a_start_on_a_broken_file_runs_on_the_last_good_copy(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(CONFIG, encoding="utf-8")
    load_resilient(path, registry_for, env)  # a good start keeps the copy
    path.write_text(CONFIG.replace('title_zh = "经济"', 'title_zh = "经济'), encoding="utf-8")
    config, registry, text, issues = load_resilient(path, registry_for, env)
    assert issues and issues[0].line == 20 and "syntax" in issues[0].message
    assert [p.title_zh for p in config.pages] == ["经济"]
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    watcher = ConfigWatcher(path, config, registry, env, text=text, issues=issues)
    app = make_app(
        config, registry, store, clock=lambda: FIXED_NOW, env=env, config_watcher=watcher
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="figures shown")
        await until(pilot, lambda: bool(app.dashboard.query(ConfigBanner)), what="a banner")
        assert f"{path}:20:" in str(app.dashboard.query_one(ConfigBanner).render())
    store.close()


@pytest.mark.parametrize("role", ["operator", "viewer"])
async def test_an_operator_edits_a_threshold_from_the_detail_screen(
    tmp_path: Path, env: dict[str, str], role: str
) -> None:
    from textual.widgets import Input

    from lishi_tui.app.screens.edit_target import EditTargetScreen
    from lishi_tui.config import audit
    from lishi_tui.roles import Role

    path = tmp_path / "lishi.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config, registry, text, _ = load_resilient(path, registry_for, env)
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    watcher = ConfigWatcher(path, config, registry, env, text=text)
    app = make_app(
        config,
        registry,
        store,
        clock=lambda: FIXED_NOW,
        env=env,
        config_watcher=watcher,
        role=Role(role),
        account="张三",
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="green")
        app.open_detail("tertiary_share")
        await until(
            pilot, lambda: type(app.screen).__name__.startswith("DetailScreen"), what="detail"
        )
        keys = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        await pilot.press("e")
        if role == "viewer":
            await pilot.pause()  # the key has been handled: nothing opened
            assert app.screen.check_action("edit_target", ()) is False  # hidden from the footer
            assert not isinstance(app.screen, EditTargetScreen)
            assert path.read_text(encoding="utf-8") == CONFIG
            return
        assert "e" in keys and app.screen.check_action("edit_target", ()) is True
        await until(pilot, lambda: isinstance(app.screen, EditTargetScreen), what="the edit screen")
        field = await until(
            pilot, lambda: app.screen.query_one("#thresholds-green", Input), what="its fields"
        )
        assert field.value == "50.0"
        field.value = "55"
        field.focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.config_reloads == 1, what="applied")
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.AMBER, what="amber")
        assert "thresholds = { green = 55, amber = 45 }" in path.read_text(encoding="utf-8")
        assert "# the share of services" in path.read_text(encoding="utf-8")
        entries = audit.history(store)
        assert [(e.key, e.old, e.new, e.who, e.origin) for e in entries] == [
            (
                "indicators.tertiary_share.thresholds.green",
                "50",
                "55",
                "张三",
                audit.Origin.DASHBOARD,
            )
        ]
    store.close()
