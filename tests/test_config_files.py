"""Atomic writes that keep a backup, generated TOML, and the starter config `config init` writes."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from lishi_tui.config.files import atomic_write_text, backup_path, write_generated_toml
from lishi_tui.config.loader import check_config, load_config
from lishi_tui.config.schema import PanelKind
from lishi_tui.config.starter import starter_text, write_starter
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, Option, OptionKind, SourceType
from tests.support.panel_kinds import builtin_panel_types


def fetch_nothing(ctx: FetchContext) -> list[Reading]:
    return [Reading(i, Period.year(2024), value=0.0, demo=True) for i in ctx.indicators]


def starter_registry() -> Registry:
    """The two source types the starter relies on, with the options their plugins declare."""
    return Registry(
        panel_types=builtin_panel_types(),
        source_types={
            "published": SourceType(
                "published", fetch_nothing, {"path": Option(OptionKind.PATH, required=True)}
            ),
            "demo": SourceType(
                "demo",
                fetch_nothing,
                {"seed": Option(OptionKind.INT, default=0), "profile": Option(OptionKind.STR)},
            ),
        },
    )


def test_atomic_write_creates_then_keeps_the_previous_copy(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.txt"
    atomic_write_text(path, "first\n")
    assert path.read_text() == "first\n"
    assert not backup_path(path).exists()
    os.chmod(path, 0o640)
    atomic_write_text(path, "second 第二\n")
    assert path.read_text(encoding="utf-8") == "second 第二\n"
    assert backup_path(path).read_text() == "first\n"
    assert backup_path(path).name == "state.txt.bak"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the mode survives the rename
    # No temporary files are left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.txt", "state.txt.bak"]


def test_atomic_write_without_backup(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    atomic_write_text(path, "a")
    atomic_write_text(path, "b", keep_backup=False)
    assert path.read_text() == "b" and not backup_path(path).exists()


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    atomic_write_text(path, "old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "bad \udcff surrogate")
    assert path.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_generated_toml(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    write_generated_toml(path, {"ui": {"page": "民生", "zoom": 2}})
    write_generated_toml(path, {"ui": {"page": "economy", "zoom": 3}})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"ui": {"page": "economy", "zoom": 3}}
    assert tomllib.loads(backup_path(path).read_text(encoding="utf-8"))["ui"]["page"] == "民生"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_starter_is_valid_and_commented(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "conf" / "lishi.toml"
    write_starter(path, lang=lang)
    text = path.read_text(encoding="utf-8")
    assert text == starter_text(lang)
    assert text.count("\n#") >= 8  # explained, not bare
    assert check_config(path, starter_registry(), {}) == []
    config = load_config(path, starter_registry(), {})
    demo = config.sources["demo"]
    assert demo.type == "demo" and demo.options == {"seed": 0, "profile": "walk"}
    indicator = config.indicators[demo.indicators[0]]
    assert indicator.plugin == "config" and indicator.source == "demo"
    assert config.pages[0].panels[0].kind == PanelKind.STAT
    assert config.storage.path == path.parent / "lishi.db"


def test_starter_is_not_overwritten_without_force(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="already exists"):
        write_starter(path)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_starter(path, force=True)
    assert path.read_text(encoding="utf-8") == starter_text()
    assert backup_path(path).read_text(encoding="utf-8") == "# mine\n"


def test_starter_language_must_be_known() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        starter_text("fr")
