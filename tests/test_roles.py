"""Roles: what a viewer is refused in the real app, how the role is chosen, and `view` without a terminal."""

from __future__ import annotations

import io
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import SystemCommand

from lishi_tui.app import make_app
from lishi_tui.roles import (
    Permissions,
    Role,
    RoleRefused,
    configured_operators,
    current_account,
    resolve_role,
)
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store
from tests.support.waiting import until, until_shown
from tests.test_app import RecordingCollector

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "lishi.db")
    fill_store(s)
    yield s
    s.close()


def test_a_viewer_may_only_look_and_an_operator_may_act() -> None:
    viewer, operator = Permissions.for_role(Role.VIEWER), Permissions.for_role(Role.OPERATOR)
    assert not (viewer.edit_config or viewer.acknowledge or viewer.screenshot)
    assert not viewer.refresh_sources
    assert operator.edit_config and operator.acknowledge and operator.screenshot
    assert not operator.suspend  # nobody leaves a stopped process holding an SSH session
    assert set(Permissions.names()) >= {"edit_config", "acknowledge", "screenshot"}


def test_the_role_comes_from_the_command_line_then_the_operator_list() -> None:
    assert resolve_role(None, "zhang", None) is Role.VIEWER
    assert resolve_role(None, "zhang", ("li",)) is Role.VIEWER
    assert resolve_role(None, "zhang", ("li", "zhang")) is Role.OPERATOR
    assert resolve_role(Role.OPERATOR, "zhang", None) is Role.OPERATOR  # no list: sshd decides
    assert resolve_role(Role.VIEWER, "zhang", ("zhang",)) is Role.VIEWER
    with pytest.raises(RoleRefused, match="zhang"):
        resolve_role(Role.OPERATOR, "zhang", ("li",))


def test_operator_accounts_are_read_from_the_config_when_it_has_them() -> None:
    assert configured_operators(build_config()) is None

    class App:
        operators = ("li", "wang")

    class Config:
        app = App()

    assert configured_operators(Config()) == ("li", "wang")


def test_the_account_is_the_uid_name_not_the_environment() -> None:
    assert current_account({"USER": "someone-else"}) == pwd.getpwuid(os.getuid()).pw_name


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def commands(app: object) -> list[str]:
    from textual.app import App

    assert isinstance(app, App)
    listed = app.get_system_commands(app.screen)
    return [c.title for c in listed if isinstance(c, SystemCommand)]


def toasts(app: object) -> str:
    """Every notification the app raised and still shows (Textual keeps them in
    ``_notifications``; the toast layer is not part of the screen's own render)."""
    from textual.app import App

    assert isinstance(app, App)
    return " ".join(n.message for n in app._notifications)


async def test_a_viewer_gets_no_screenshot_and_is_told_why(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    downloads = tmp_path / "home"
    monkeypatch.setenv("HOME", str(downloads))
    app = make_app(build_config(), build_registry(), store, clock=lambda: FIXED_NOW, env={})
    assert app.role is Role.VIEWER and not app.permissions.screenshot
    before = files_under(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_shown(pilot, "查看")  # the role is on the header
        titles = commands(app)
        assert "截图" not in titles and "退出" in titles and "帮助" in titles
        app.action_screenshot()
        app.deliver_screenshot()
        await until(
            pilot,
            lambda: "查看者不能在服务器上保存截图" in toasts(app),
            what='"查看者不能在服务器上保存截图" in toasts(app)',
        )
        app.open_url("https://example.invalid/")
        await until(
            pilot,
            lambda: "不在服务器上打开浏览器" in toasts(app),
            what='"不在服务器上打开浏览器" in toasts(app)',
        )
        text, binary = io.StringIO("report"), io.BytesIO(b"report")
        assert app.deliver_text(text, save_filename="r.txt") is None
        assert app.deliver_binary(binary, save_filename="r.bin") is None
        assert text.closed and binary.closed  # closed, as Textual does with what it delivers
        assert app.deliver_text(str(tmp_path / "named.txt")) is None
    assert files_under(tmp_path) == before
    assert not [f for f in before if f.endswith(".svg")]


async def test_an_operator_may_save_a_screenshot(store: SqliteStore, tmp_path: Path) -> None:
    app = make_app(
        build_config(),
        build_registry(),
        store,
        clock=lambda: FIXED_NOW,
        env={},
        role=Role.OPERATOR,
        account="li",
    )
    assert app.account == "li" and app.permissions.acknowledge
    async with app.run_test(size=(80, 24)) as pilot:
        await until_shown(pilot, "操作员")
        assert "截图" in commands(app)
        app.save_screenshot("shot.svg", str(tmp_path))
        app.deliver_text(io.StringIO("报告"), save_directory=tmp_path, save_filename="r.txt")
        await until(
            pilot, lambda: (tmp_path / "r.txt").exists(), what='(tmp_path / "r.txt").exists()'
        )
    assert (tmp_path / "shot.svg").read_text().startswith("<svg")
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == "报告"


async def test_a_viewer_starts_no_source_runs_and_is_told_why(store: SqliteStore) -> None:
    collector = RecordingCollector(store)
    app = make_app(
        build_config(), build_registry(), store, collector=collector, clock=lambda: FIXED_NOW
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, collector.running.is_set, what="the collector running")
        await pilot.press("r")
        await until(
            pilot,
            lambda: "查看者不能触发数据源采集" in toasts(app),
            what='"查看者不能触发数据源采集" in toasts(app)',
        )
        assert collector.refreshed == []
        app.action_suspend_process()
        await until(
            pilot,
            lambda: "远程会话不能挂起" in toasts(app),
            what='"远程会话不能挂起" in toasts(app)',
        )
        await pilot.press("q")


def test_view_without_a_terminal_exits_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "lishi.db"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    # As on a user's machine, where Python writes bytecode and lishi-tui its caches; under
    # PYTHONDONTWRITEBYTECODE (as this workplace sets it) no cache would be written anyway.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        env.pop(name, None)  # under HOME, so that anything written would show below
    result = subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--db", str(db), "view"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "terminal" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_view_takes_a_role_after_the_command_and_rejects_others() -> None:
    from lishi_tui.cli import build_parser

    args = build_parser().parse_args(["view", "--role", "operator"])
    assert args.view_role == "operator"
    assert not hasattr(build_parser().parse_args(["view"]), "view_role")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["view", "--role", "root"])
