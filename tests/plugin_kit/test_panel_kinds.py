"""Panel kinds from plugins: selected by a page's ``kind``, drawn with the built-in panels'
context, refused with a located error when unknown, and isolated when they fail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lishi_tui.bootstrap import Runtime, load_runtime
from lishi_tui.config.errors import ConfigError
from lishi_tui.plugin_host import load_plugins
from lishi_tui.registry import PluginState
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import screen_text
from tests.plugin_kit.panel_plugin import CONFIG_TEXT, CSV_TEXT, PLUGIN_TEXT
from tests.support.bundled_app import BUNDLED_NOW

ROOT = Path(__file__).resolve().parents[2]


def write_setup(tmp_path: Path, *, lang: str = "zh", config: str = CONFIG_TEXT) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    (folder / "countdown_kinds.py").write_text(PLUGIN_TEXT, encoding="utf-8")
    (tmp_path / "plots.csv").write_text(CSV_TEXT, encoding="utf-8")
    path = tmp_path / "lishi.toml"
    path.write_text(config.format(folder=folder, lang=lang), encoding="utf-8")
    return path


def runtime_with_figures(tmp_path: Path, lang: str = "zh") -> tuple[Runtime, SqliteStore]:
    """The config's runtime, and a store holding one run of its csv source (at a fixed clock)."""
    from lishi_tui.collector.collector import Collector

    runtime = load_runtime(write_setup(tmp_path, lang=lang), {}, db=tmp_path / "h.db")

    def fill() -> None:  # its own thread and event loop: an async test already runs one
        store = SqliteStore(tmp_path / "h.db")
        store.upsert_indicators(runtime.config.indicators.values())

        async def run() -> None:
            async with Collector(
                runtime.config, runtime.registry, store, clock=lambda: BUNDLED_NOW
            ) as collector:
                await collector.run_once()

        try:
            asyncio.run(run())
        finally:
            store.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(fill).result()
    return runtime, SqliteStore(tmp_path / "h.db")


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Runtime, SqliteStore]]:
    runtime, store = runtime_with_figures(tmp_path)
    yield runtime, store
    store.close()


def app_of(runtime: Runtime, store: SqliteStore) -> object:
    from lishi_tui.app import make_app

    app = make_app(runtime.config, runtime.registry, store, clock=lambda: BUNDLED_NOW, env={})
    app.animation_level = "none"
    return app


def test_builtin_kinds_come_from_the_bundled_panels_plugin() -> None:
    registry = load_plugins(builtin_dir=ROOT / "plugins", env={}, include_entry_points=False)
    assert {k: registry.panel_type_owner[k] for k in registry.panel_types} == {
        "stat": "panels",
        "chart": "panels",
        "table": "panels",
        "gauge": "panels",
    }
    assert registry.plugin("panels").panel_kinds == ["stat", "chart", "table", "gauge"]  # type: ignore[union-attr]


async def test_a_plugin_panel_is_drawn_with_the_same_context_and_failures_stay_in_their_frame(
    setup: tuple[Runtime, SqliteStore],
) -> None:
    from lishi_tui.app.app import LishiApp
    from lishi_tui.app.widgets.panels import Panel, PanelFailed

    runtime, store = setup
    app = app_of(runtime, store)
    assert isinstance(app, LishiApp)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):  # a bound on polls, not on time
            if "655" in screen_text(app):
                break
            await pilot.pause(0.05)
        text = screen_text(app)
        # The plugin's widget, with the figure, its period and what its clock says is left.
        assert "绿化倒计时" in text
        assert "距目标期限 41 天，尚差 345 亩" in text
        assert "2021年10月" in text
        # The built-in stat on the same page still shows its figure.
        assert text.count("655") >= 2
        # The panel whose body raises says so, in its own frame, naming the error.
        assert "面板插件出错（broken_body）" in text
        assert "ZeroDivisionError" in text
        panels = {p.config.kind: p for p in app.dashboard.panels}
        countdown = panels["countdown"]
        assert isinstance(countdown, Panel) and countdown.ctx is app.panel_context
        assert countdown.updates >= 1 and countdown.views["plots_greened"].latest is not None
        await pilot.press("2")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert isinstance(panels["broken_init"], PanelFailed)
        assert "RuntimeError: the widget cannot be" in text
        # A plugin's string is text: markup in it is shown, not obeyed.
        assert "[bold red]not markup[/] [@click=app.quit]x[/]" in text
        assert app.is_running
    record = runtime.registry.plugin("countdown_kinds")
    assert record is not None and record.state is PluginState.FAILED
    assert any("'broken_body' drawing: ZeroDivisionError" in e for e in record.errors)
    assert any("'broken_init' building: RuntimeError" in e for e in record.errors)


async def test_english_ui_gives_the_plugin_panel_english(tmp_path: Path) -> None:
    runtime, store = runtime_with_figures(tmp_path, lang="en")
    try:
        app = app_of(runtime, store)
        async with app.run_test(size=(100, 30)) as pilot:  # type: ignore[attr-defined]
            for _ in range(100):
                if "days to the deadline" in screen_text(app):
                    break
                await pilot.pause(0.05)
            assert "41 days to the deadline, 345 亩 to go" in screen_text(app)
    finally:
        store.close()


def test_plugin_panel_snapshot(snap_compare: object, tmp_path: Path) -> None:
    """The countdown panel beside the built-in stat, and a failing panel's frame, at 80x24."""
    runtime, store = runtime_with_figures(tmp_path)

    async def settle(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        for _ in range(100):
            # The figure drawn, and the store watcher's first read (the heartbeat the
            # header's "no collector" words come from) shown: it reads on its own thread.
            if "655" in screen_text(pilot.app) and getattr(pilot.app, "polls", 1) >= 1:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.2)

    try:
        app = app_of(runtime, store)
        assert snap_compare(app, terminal_size=(80, 24), run_before=settle)  # type: ignore[operator]
    finally:
        store.close()


def test_an_unknown_kind_is_a_located_error_naming_the_known_kinds(tmp_path: Path) -> None:
    text = CONFIG_TEXT.replace('kind = "countdown"', 'kind = "countdwn"')
    with pytest.raises(ConfigError) as caught:
        load_runtime(write_setup(tmp_path, config=text), {})
    (issue,) = caught.value.issues
    assert issue.key == "pages.green.panels[0].kind"
    assert issue.line == text.splitlines().index('kind = "countdwn"') + 1
    assert issue.message == (
        "unknown panel kind 'countdwn'; registered: 'broken_body', 'broken_init', 'chart', "
        "'countdown', 'gauge', 'literal', 'stat', 'table'"
    )
    assert issue.suggestion == "countdown"


def test_a_kind_of_a_plugin_left_out_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_runtime(write_setup(tmp_path), {"LISHI_TUI_PLUGINS_DENY": "countdown_kinds"})
    keys = [i.key for i in caught.value.issues]
    assert "pages.green.panels[0].kind" in keys


def test_a_malformed_panel_type_is_the_plugins_error(tmp_path: Path) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bad_kinds.py").write_text(
        "from lishi_tui.plugin import PanelType, hookimpl\n"
        "@hookimpl\n"
        "def lishi_register_panel_kinds(register):\n"
        "    register(PanelType('Bad Name', object))\n"
        "    register(PanelType('stat', object))\n"
        "    register('not a panel type')\n",
        encoding="utf-8",
    )
    from lishi_tui.config.schema import PluginSettings

    registry = load_plugins(
        PluginSettings(dirs=(folder,)), builtin_dir=ROOT / "plugins", env={},
        include_entry_points=False,
    )  # fmt: skip
    record = registry.plugin("bad_kinds")
    assert record is not None and record.state is PluginState.FAILED
    assert any("panel kind name 'Bad Name' must be" in e for e in record.errors)
    assert any(
        "panel kind 'stat' is already registered by plugin 'panels'" in e for e in record.errors
    )
    assert any("expected a PanelType, got str" in e for e in record.errors)
    assert registry.panel_type_owner["stat"] == "panels"


def test_plugins_json_lists_what_each_plugin_provides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from lishi_tui.cli import main

    assert main(["--config", str(write_setup(tmp_path)), "plugins", "--json"], env={}) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["countdown_kinds"]["panel_kinds"] == [
        "countdown",
        "broken_body",
        "broken_init",
        "literal",
    ]
    assert rows["panels"]["panel_kinds"] == ["stat", "chart", "table", "gauge"]
    assert rows["exports"]["export_formats"] == ["csv", "json", "markdown"]
    assert rows["exports"]["commands"] == ["formats"]
    assert all({"panel_kinds", "export_formats", "commands"} <= set(r) for r in rows.values())
