"""`lishi-tui view` follows its config like the dashboard, in a real terminal (tmux): a start on
a broken file runs on the last good copy with a banner, a fixed save is applied in place, and
the viewer never writes the last good copy itself."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.config.reload import last_good_path, save_last_good
from lishi_tui.store.sqlite import SqliteStore
from tests.app_support import fill_store
from tests.support.tmux import Tmux
from tests.test_app_reload import CONFIG

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

BROKEN = CONFIG.replace('title_zh = "经济"', 'title_zh = "经济')  # a half-saved edit


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    config, db, state = tmp_path / "lishi.toml", tmp_path / "h.db", tmp_path / "state"
    config.write_text(CONFIG, encoding="utf-8")
    save_last_good(config, CONFIG, {"LISHI_TUI_STATE_DIR": str(state)})  # as `collect` does
    config.write_text(BROKEN, encoding="utf-8")
    store = SqliteStore(db)
    fill_store(store)
    store.close()
    return config, db, state


@pytest.fixture
def viewer(files: tuple[Path, Path, Path]) -> Iterator[Tmux]:
    config, db, state = files
    command = [
        "env",
        f"LISHI_TUI_STATE_DIR={state}",
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(config),
        "--db",
        str(db),
        "view",
    ]
    tmux = Tmux(command, width=100, height=30)
    yield tmux
    tmux.close()


def test_view_starts_on_the_last_good_copy_and_applies_the_fix(
    viewer: Tmux, files: tuple[Path, Path, Path]
) -> None:
    config, _, state = files
    screen = viewer.wait_for("配置文件有错误", limit_s=60)
    assert f"{config}:20:" in screen  # the located error, as `config check` prints it
    assert "经济" in screen and "第三产业占比" in screen  # the last good pages and panels

    config.write_text(
        CONFIG.replace('title_zh = "经济"', 'title_zh = "经济发展"'), encoding="utf-8"
    )
    screen = viewer.wait_for("经济发展")
    deadline = time.monotonic() + 20
    while "配置文件有错误" in screen and time.monotonic() < deadline:
        time.sleep(0.1)
        screen = viewer.screen()
    assert "配置文件有错误" not in screen, "the banner stayed after the fix"

    # The viewer read the copy and wrote nothing there: it is still the one `collect` kept.
    copy = last_good_path(config, {"LISHI_TUI_STATE_DIR": str(state)})
    assert copy.read_text(encoding="utf-8") == CONFIG
    assert [p.name for p in state.rglob("*") if p.is_file()] == [copy.name]
