"""Annotations and the config history in the real app (run_test): an operator annotates from
the detail screen, the file keeps its comments, the panel gets its mark, the detail lists it
with author and time, the audit trail has it; a viewer is offered no key."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from lishi_tui.app.app import LishiApp, make_app
from lishi_tui.app.screens.annotate import AnnotateScreen
from lishi_tui.app.widgets.config_notes import ConfigNotes
from lishi_tui.config import audit
from lishi_tui.config.reload import ConfigWatcher, load_resilient
from lishi_tui.domain.model import Rag
from lishi_tui.roles import Role
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, fill_store
from tests.support.waiting import until
from tests.test_app_reload import CONFIG, rag_of, registry_for

NOTE = "季度数据因统计口径调整不可比"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LISHI_TUI_STATE_DIR": str(tmp_path / "state"), "LANG": "zh_CN.UTF-8"}


def start(tmp_path: Path, env: dict[str, str], role: Role, text: str = CONFIG) -> LishiApp:
    path = tmp_path / "lishi.toml"
    path.write_text(text, encoding="utf-8")
    config, registry, loaded, _ = load_resilient(path, registry_for, env)
    store = SqliteStore(tmp_path / "h.db")
    fill_store(store)
    watcher = ConfigWatcher(path, config, registry, env, text=loaded)
    return make_app(
        config,
        registry,
        store,
        clock=lambda: FIXED_NOW,
        env=env,
        config_watcher=watcher,
        role=role,
        account="张三",
    )


def panel_title(app: LishiApp, indicator: str) -> str:
    """The border title of the indicator's own panel (not the overview's)."""
    panel = next(
        p
        for p in app.dashboard.panels
        if indicator in p.indicator_ids and not p.has_class("-overview")
    )
    return str(panel.border_title)


def overview_line(app: LishiApp, indicator: str) -> str:
    panel = next(p for p in app.dashboard.panels if p.has_class("-overview"))
    cells = panel.row_cells(app.config.indicators[indicator])  # type: ignore[attr-defined]
    return str(cells["ov.period"])


def static_text(app: LishiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_an_operator_annotates_from_the_detail_screen(
    tmp_path: Path, env: dict[str, str]
) -> None:
    app = start(tmp_path, env, Role.OPERATOR)
    path = tmp_path / "lishi.toml"
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="figures")
        assert "注" not in panel_title(app, "tertiary_share")
        app.open_detail("tertiary_share")
        await until(pilot, lambda: bool(app.screen.query(ConfigNotes)), what="the detail")
        notes = app.screen.query_one(ConfigNotes)
        await until(pilot, lambda: notes.history_reads >= 1, what="the history read")
        assert static_text(app, "#detail-annotations") == "暂无注释"
        assert static_text(app, "#detail-config-history") == "暂无配置变更记录"
        shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"e", "n"} <= shown

        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, AnnotateScreen), what="the modal")
        field = await until(
            pilot, lambda: app.screen.query_one("#annotation-text", Input), what="its field"
        )
        field.value = NOTE
        await pilot.press("enter")
        await until(pilot, lambda: app.config_reloads == 1, what="the file applied")
        await until(pilot, lambda: notes.history_reads >= 2, what="the history read again")

        text = path.read_text(encoding="utf-8")
        inserted = [
            line
            for line in difflib.ndiff(CONFIG.splitlines(), text.splitlines())
            if line[:1] in "+-"
        ]
        assert [line[:2] for line in inserted] == ["+ "] * 5  # insertions only: comments kept
        assert inserted[1] == "+ [[indicators.tertiary_share.annotations]]"
        (note,) = tomllib.loads(text)["indicators"]["tertiary_share"]["annotations"]
        assert (note["text"], note["author"]) == (NOTE, "张三")
        assert note["at"].utcoffset().total_seconds() == 8 * 3600

        annotations = static_text(app, "#detail-annotations")
        assert NOTE in annotations and "张三" in annotations
        assert note["at"].strftime("%Y-%m-%d %H:%M") in annotations
        history = static_text(app, "#detail-config-history")
        assert "张三  看板  annotations[0]: 未设 → {text = " in history
        assert panel_title(app, "tertiary_share").endswith("· 注1")
        assert overview_line(app, "tertiary_share").endswith(" ✎")

        (entry,) = audit.history(app.store)
        assert (entry.key, entry.who, entry.origin, entry.old) == (
            "indicators.tertiary_share.annotations[0]",
            "张三",
            audit.Origin.DASHBOARD,
            None,
        )
        assert entry.new is not None and NOTE in entry.new
    app.store.close()


async def test_a_viewer_gets_no_annotate_key_and_writes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    app = start(tmp_path, env, Role.VIEWER)
    path = tmp_path / "lishi.toml"
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="figures")
        app.open_detail("tertiary_share")
        await until(pilot, lambda: bool(app.screen.query(ConfigNotes)), what="the detail")
        notes = app.screen.query_one(ConfigNotes)
        await until(pilot, lambda: notes.history_reads >= 1, what="the history read")
        shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert "n" not in shown and "e" not in shown
        assert app.screen.check_action("annotate", ()) is False
        await pilot.press("n")
        await pilot.pause()  # the key has been handled: nothing opened
        assert not isinstance(app.screen, AnnotateScreen)
    assert path.read_text(encoding="utf-8") == CONFIG
    # The history read did not create the audit table either: a viewer writes nothing.
    with app.store.read() as tx:
        assert not tx.dialect.table_exists(tx, "config_audit")
    app.store.close()


async def test_annotations_in_the_file_show_on_the_panel_and_the_detail_newest_first(
    tmp_path: Path, env: dict[str, str]
) -> None:
    text = CONFIG.replace(
        "[indicators.gdp_growth]",
        '[[indicators.tertiary_share.annotations]]\ntext = "旧口径"\nauthor = "李四"\n'
        "at = 2021-03-01T09:00:00+08:00\n\n"
        '[[indicators.tertiary_share.annotations]]\ntext = "[b]not markup[/b]"\n'
        'author = "王五"\nat = 2021-06-30T17:45:00Z\n\n[indicators.gdp_growth]',
    )
    app = start(tmp_path, env, Role.VIEWER, text)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: rag_of(app, "tertiary_share") is Rag.GREEN, what="figures")
        assert panel_title(app, "tertiary_share").endswith("· 注2")
        assert "注" not in panel_title(app, "gdp_growth")
        assert overview_line(app, "tertiary_share").endswith(" ✎")
        assert not overview_line(app, "gdp_growth").endswith(" ✎")
        app.open_detail("tertiary_share")
        await until(pilot, lambda: bool(app.screen.query(ConfigNotes)), what="the detail")
        lines = static_text(app, "#detail-annotations").splitlines()
        # Beijing time: 17:45 UTC is 01:45 the next day.
        assert lines == [
            "2021-07-01 01:45  王五  [b]not markup[/b]",
            "2021-03-01 09:00  李四  旧口径",
        ]
    app.store.close()
