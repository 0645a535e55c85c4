"""The Chinese UI says everything in Chinese (and the English one in English): the palette and its
system commands, plugin states and failures, help at 80x24, the bundled config at "auto", and the
footer after a reload changes the language."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import SystemCommand
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from lishi_tui.app import LishiApp, make_app
from lishi_tui.app.i18n import STRINGS, t
from lishi_tui.app.screens.help import HELP_ROWS, HelpScreen
from lishi_tui.app.screens.plugins import PluginsScreen
from lishi_tui.config.reading import RawConfig
from lishi_tui.config.reload import ConfigWatcher, load_resilient
from lishi_tui.registry import PluginOrigin, PluginRecord, PluginState, Registry
from lishi_tui.roles import Role
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store, screen_text
from tests.support.bundled import CONFIG as BUNDLED_CONFIG
from tests.support.bundled import bundled_config
from tests.support.panel_kinds import builtin_panel_types

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LONG_ERROR = (
    "ImportError: cannot import name 'ReadingsTable' from 'lishi_tui.sources.tabular' "
    "(/srv/lishi/plugins/county_budget/__init__.py): the plugin was written for an older "
    "lishi-tui; upgrade the plugin or pin lishi-tui<0.4 — tail-of-the-error-7Q"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lishi.db")
    fill_store(s)
    yield s
    s.close()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    for _ in range(600):  # a bound on polls, not on time (generous: CI machines are shared)
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}")


def app_for(store: SqliteStore, lang: str = "zh", **kw: Any) -> LishiApp:
    registry = kw.pop("registry", None) or build_registry()
    return make_app(
        build_config(language=lang), registry, store, clock=lambda: FIXED_NOW, env={}, **kw
    )


def toasts(app: LishiApp) -> str:
    return " ".join(str(n.message) for n in app._notifications)


def commands(app: LishiApp) -> list[SystemCommand]:
    return list(app.get_system_commands(app.screen))


def test_every_string_has_both_languages_and_the_chinese_one_is_chinese() -> None:
    for key, (zh, en) in STRINGS.items():
        assert bool(zh) == bool(en) or key.startswith("detail.pace.verb"), key
        # A Chinese string may name keys, units and identifiers in Latin letters, not be English.
        if zh and LATIN_WORD.fullmatch(zh.strip()):
            raise AssertionError(f"{key}: the Chinese string is English: {zh!r}")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
async def test_the_palette_and_its_system_commands_speak_chinese(
    store: SqliteStore, role: Role
) -> None:
    app = app_for(store, role=role, account="li")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        listed = commands(app)
        titles = [c.title for c in listed]
        for command in listed:  # no English title; every help line is a Chinese sentence
            assert not LATIN_WORD.search(command.title), command.title
            assert CHINESE.search(command.help or ""), command.help
        assert {"配色主题", "退出", "帮助", "告警", "插件与数据源"} <= set(titles)
        assert "Keys" not in titles and "Theme" not in titles and "Quit" not in titles
        # A viewer writes no file on the server: no screenshot is offered to one.
        assert ("截图" in titles) is (role is Role.OPERATOR)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        field = app.screen.query_one(Input)
        assert field.placeholder == t("palette.placeholder", "zh")
        await pilot.press(*"zzzzqqq")
        await until(pilot, lambda: "没有匹配项" in screen_text(app), "no matches, in Chinese")
        assert "No matches" not in screen_text(app)


async def test_the_english_ui_keeps_english_commands(store: SqliteStore) -> None:
    app = app_for(store, "en", role=Role.OPERATOR, account="li")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [c.title for c in commands(app)]
        assert {"Theme", "Quit", "Help", "Alerts", "Screenshot"} <= set(titles)
        assert not any(CHINESE.search(title) for title in titles)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert app.screen.query_one(Input).placeholder == "Search indicators and commands…"


async def test_the_theme_picker_asks_in_chinese(store: SqliteStore) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        theme = next(c for c in commands(app) if c.title == "配色主题")
        theme.callback()
        await until(pilot, lambda: bool(app.screen.query(Input)), "the theme picker")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "搜索配色主题…"
        await pilot.pause(0.2)  # the picker lists the themes before it is closed
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), "closed")


def failing_registry() -> Registry:
    registry = build_registry()
    registry.plugins.append(
        PluginRecord(
            "county_budget",
            PluginOrigin.DIRECTORY,
            "/srv/lishi/plugins/county_budget",
            state=PluginState.FAILED,
            errors=[LONG_ERROR],
        )
    )
    return registry


async def test_plugin_failures_at_start_are_told_on_screen_and_readable_at_80_columns(
    store: SqliteStore,
) -> None:
    app = app_for(store, registry=failing_registry())
    async with app.run_test(size=(80, 24)) as pilot:
        # Told at once: stderr, where the CLI also prints it, is wiped by the dashboard.
        await until(
            pilot,
            lambda: "插件加载失败：broken_plugin、county_budget（共 2 个）" in toasts(app),
            "the failure notice",
        )
        assert "broken_plugin、county_budget" in toasts(app) and "按 p" in toasts(app)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PluginsScreen), "the plugins screen")
        await until(pilot, lambda: app.screen.reads > 0, "the plugins screen read")  # type: ignore[attr-defined]
        lines = screen_text(app).splitlines()
        assert all(len(line) <= 80 for line in lines)
        # Without a key pressed: every failed plugin's whole error, wrapped, near the top.
        flat = "".join(line.strip() for line in lines)
        assert "加载失败的插件" in flat
        assert LONG_ERROR.replace(" ", "") in flat.replace(" ", "")
        assert "no module named 'yaml'" in flat
        # States in Chinese, the failed plugins first (the rest is a scroll away).
        table = app.screen.query_one("#plugins-table", DataTable)
        states = [str(table.get_row_at(n)[1]) for n in range(table.row_count)]
        assert states == ["加载失败", "加载失败", "已加载"]
        assert "loaded" not in flat and "failed" not in flat and "directory:" not in flat


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_help_wraps_at_80x24_without_losing_a_word(store: SqliteStore, lang: str) -> None:
    app = app_for(store, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        text = screen_text(app)
        assert "…" not in text
        flat = re.sub(r"[\s│╭╮╰╯─▊▎▔▁]", "", text)
        for _, key in HELP_ROWS:
            assert re.sub(r"\s", "", t(key, lang)) in flat, (lang, key)
        assert re.sub(r"\s", "", t("help.legend", lang)) in flat, lang
        assert re.sub(r"\s", "", t("help.close", lang)) in flat, lang  # how to leave


def test_the_bundled_config_follows_the_locale_and_names_every_panel_in_english() -> None:
    text = BUNDLED_CONFIG.read_text(encoding="utf-8")
    assert re.search(r'^language = "auto"', text, re.M)
    config = bundled_config()
    assert config.app.language == "auto"
    for page in config.pages:
        assert page.title_en, page.id
        for panel in page.panels:
            if panel.title:
                assert panel.title_en and not CHINESE.search(panel.title_en)


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
    ],
    ids=["unset", "zh_CN", "C", "en_US", "LC_ALL-wins", "LC_MESSAGES-wins"],
)
async def test_the_bundled_dashboard_speaks_the_locale(
    tmp_path: Path, env: dict[str, str], lang: str
) -> None:
    config = bundled_config()
    config = dataclasses.replace(config, app=dataclasses.replace(config.app, demo=False))
    store = SqliteStore(tmp_path / "h.db")
    registry = Registry(panel_types=builtin_panel_types())
    app = make_app(config, registry, store, clock=lambda: FIXED_NOW, env=env)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.lang == lang
        text = screen_text(app)
        if lang == "en":
            assert "Lishi indicators" in text and "Economy" in text
            assert "经济发展" not in text
        else:
            assert "离石发展指标" in text and "经济发展" in text
    store.close()


RELOAD_CONFIG = """\
[app]
language = "zh"
overview = "off"

[indicators.tertiary_share]
name_zh = "第三产业占比"
name_en = "Tertiary sector share"
unit = "%"
decimals = 0
frequency = "yearly"
measure = "share"

[pages.economy]
title_zh = "经济"
title_en = "Economy"

[[pages.economy.panels]]
kind = "stat"
indicator = "tertiary_share"
title = "三产占比"
title_en = "Services share"
"""


def footer_line(app: LishiApp) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def test_a_reload_that_changes_the_language_changes_the_footer_too(tmp_path: Path) -> None:
    env = {"LISHI_TUI_STATE_DIR": str(tmp_path / "state")}
    path = tmp_path / "lishi.toml"
    path.write_text(RELOAD_CONFIG, encoding="utf-8")

    def registry_for(_: RawConfig) -> Registry:
        return Registry(panel_types=builtin_panel_types())

    config, registry, text, issues = load_resilient(path, registry_for, env)
    assert issues == []
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    watcher = ConfigWatcher(path, config, registry, env, text=text)
    app = make_app(
        config, registry, store, clock=lambda: FIXED_NOW, env=env, config_watcher=watcher
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "三产占比" in screen_text(app), "the Chinese page")
        await until(pilot, lambda: "退出" in footer_line(app), "the footer")
        assert "退出" in footer_line(app) and "告警" in footer_line(app)
        path.write_text(RELOAD_CONFIG.replace('language = "zh"', 'language = "en"'), "utf-8")
        await until(pilot, lambda: app.config_reloads == 1, "the save applied")
        await until(pilot, lambda: "Services share" in screen_text(app), "the English page")
        await until(pilot, lambda: "Quit" in footer_line(app), "an English footer")
        footer = footer_line(app)
        assert "Alerts" in footer and "Help" in footer
        assert not CHINESE.search(footer), footer
        text = screen_text(app)
        assert "Lishi indicators" in text and "viewer" in text
        assert "离石发展指标" not in text and "查看" not in text
        # The keys still work in the new language.
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert "Keyboard" in screen_text(app)
    store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_dashboard_footer_shows_every_key_at_80_columns(
    store: SqliteStore, lang: str
) -> None:
    from lishi_tui.app.screens.dashboard import dashboard_bindings

    app = app_for(store, lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: t("binding.quit", lang) in footer_line(app), "the footer")
        footer = footer_line(app)
        shown = [b for b in dashboard_bindings(lang) if getattr(b, "show", False)]
        assert len(shown) >= 6
        for binding in shown:
            assert binding.description in footer, (binding.description, footer)  # type: ignore[union-attr]
        assert t("binding.alerts", lang) in footer  # the app's own key, last, still on screen
