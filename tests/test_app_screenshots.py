"""Ctrl+S in the real app (run_test): the SVG lands in the configured folder (created if missing),
over SSH the notice says it is on the server as host:path, and a folder that cannot be made or
written says which and why; a viewer is refused."""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lishi_tui.app import LishiApp, make_app
from lishi_tui.app.screenshots import screenshot_folder
from lishi_tui.config.schema import StorageSettings
from lishi_tui.roles import Role
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import FIXED_NOW, build_config, build_registry, fill_store


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


def operator_app(
    store: SqliteStore,
    folder: Path | str,
    *,
    env: dict[str, str] | None = None,
    lang: str = "zh",
    role: Role = Role.OPERATOR,
) -> LishiApp:
    config = build_config(language=lang)
    config = dataclasses.replace(
        config, app=dataclasses.replace(config.app, screenshots=str(folder))
    )
    return make_app(
        config,
        build_registry(),
        store,
        clock=lambda: FIXED_NOW,
        env=env or {},
        role=role,
        account="li",
    )


def toasts(app: LishiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def svgs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.svg")) if folder.is_dir() else []


async def test_ctrl_s_saves_an_svg_in_the_configured_folder_creating_it(
    store: SqliteStore, tmp_path: Path
) -> None:
    folder = tmp_path / "shots" / "2021"  # neither exists yet
    app = operator_app(store, folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.screenshots), "a screenshot")
        saved = app.screenshots[0]
        assert saved.parent == folder and saved.name == "lishi-20211120-093000.svg"
        assert f"截图已保存：{saved}" in toasts(app)
        await pilot.press("ctrl+s")  # the same second (a fixed clock): a second name, no overwrite
        await until(pilot, lambda: len(app.screenshots) == 2, "a second screenshot")
    assert svgs(folder) == [folder / "lishi-20211120-093000-2.svg", saved]
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "离石发展指标" in text
    assert not list(folder.glob(".*"))  # no temporary file left behind


async def test_the_palette_entry_saves_after_the_palette_has_closed(
    store: SqliteStore, tmp_path: Path
) -> None:
    folder = tmp_path / "shots"
    app = operator_app(store, folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "截图")
        assert str(folder) in (command.help or "")  # the palette says where it will go
        command.callback()
        await until(pilot, lambda: bool(app.screenshots), "a screenshot")
    assert len(svgs(folder)) == 1


async def test_over_ssh_the_notice_says_the_file_is_on_the_server(
    store: SqliteStore, tmp_path: Path
) -> None:
    folder = tmp_path / "shots"
    env = {"SSH_CONNECTION": "10.1.2.3 50022 10.1.2.1 22"}
    app = operator_app(store, folder, env=env)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.screenshots), "a screenshot")
        notice = toasts(app)[-1]
    host = socket.gethostname()
    assert f"{host}:{app.screenshots[0]}" in notice
    assert "服务器" in notice and "scp" in notice
    assert app.screenshots[0].is_file()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", "截图未保存：无法创建截图文件夹 {folder}（路径上有同名的文件，不是文件夹）"),
        ("en", "Screenshot not saved: cannot create the folder {folder} (a file of that name"),
    ],
)
async def test_a_folder_that_cannot_be_created_is_named_with_the_reason(
    store: SqliteStore, tmp_path: Path, lang: str, words: str
) -> None:
    in_the_way = tmp_path / "shots"
    in_the_way.write_text("a file, not a folder", encoding="utf-8")
    folder = in_the_way / "svg"
    app = operator_app(store, folder, lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(str(folder) in m for m in toasts(app)), "an error")
        message = toasts(app)[-1]
        assert words.format(folder=folder) in message, message
        assert "[app] screenshots" in message  # and what to do about it
        assert app.screenshots == [] and app.is_running  # no crash, nothing saved
    assert in_the_way.read_text(encoding="utf-8") == "a file, not a folder"


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """An existing folder this process cannot write in (root writes through file modes,
    so as root a kernel folder that refuses everyone is used)."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        yield folder
        folder.chmod(stat.S_IRWXU)
        return
    kernel = Path("/sys/kernel")
    if not kernel.is_dir() or (os.access(kernel, os.W_OK) and _can_create_in(kernel)):
        pytest.skip("running as root with no folder that refuses root's writes")
    yield kernel


def _can_create_in(folder: Path) -> bool:
    try:
        (folder / ".lishi-probe").open("w").close()
    except OSError:
        return False
    (folder / ".lishi-probe").unlink()
    return True


async def test_a_folder_that_cannot_be_written_is_named_with_the_reason(
    store: SqliteStore, unwritable_folder: Path
) -> None:
    app = operator_app(store, unwritable_folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("截图未保存" in m for m in toasts(app)), "an error")
        message = next(m for m in toasts(app) if "截图未保存" in m)
    assert f"无法写入截图文件夹 {unwritable_folder}（没有写入权限）" in message
    assert app.screenshots == []


async def test_a_viewer_pressing_ctrl_s_is_told_why_nothing_was_saved(
    store: SqliteStore, tmp_path: Path
) -> None:
    folder = tmp_path / "shots"
    app = operator_app(store, folder, role=Role.VIEWER)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("查看者不能" in m for m in toasts(app)), "the refusal")
    assert not folder.exists() and app.screenshots == []


def test_the_folder_defaults_beside_the_history_and_a_relative_one_is_from_the_config(
    tmp_path: Path,
) -> None:
    config = build_config()
    beside = dataclasses.replace(
        config, storage=StorageSettings(path=tmp_path / "data" / "lishi.db")
    )
    assert screenshot_folder(beside) == tmp_path / "data" / "screenshots"
    relative = dataclasses.replace(
        config,
        path=tmp_path / "etc" / "lishi.toml",
        app=dataclasses.replace(config.app, screenshots="shots"),
    )
    assert screenshot_folder(relative) == tmp_path / "etc" / "shots"
    home = dataclasses.replace(config, app=dataclasses.replace(config.app, screenshots="~/s"))
    assert screenshot_folder(home) == Path.home() / "s"
