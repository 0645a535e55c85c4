"""Config files' parsed tables kept between runs: the same tables for the same text, never
an older text's, and never a file anyone else could have written."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lishi_tui import toml_cache
from lishi_tui.config.errors import ConfigError
from lishi_tui.config.reading import parse_raw
from tests.support import kept_cache

TEXT = """# 一个配置
[app]
language = "zh"

[[sources]]
id = "report"
every = "1h"
since = 2021-01-01
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from kept_cache.installed(toml_cache, tmp_path / "cache" / "toml.marshal", monkeypatch)


def next_run(path: Path) -> None:
    kept_cache.next_run(toml_cache, path)


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every text tomllib is asked to parse from here on."""
    parsed: list[str] = []
    real = tomllib.loads

    def loads(text: str) -> dict[str, object]:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(tomllib, "loads", loads)  # the module toml_cache calls
    return parsed


def test_a_saved_text_is_not_parsed_again_and_each_caller_gets_its_own_copy(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = toml_cache.loads(TEXT)
    assert toml_cache.save() and cache.exists()
    next_run(cache)
    parsed = no_parsing(monkeypatch)
    again = toml_cache.loads(TEXT)
    assert parsed == []
    # Read off the text above: a date stays a date, the array of tables a list of dicts.
    assert again == {
        "app": {"language": "zh"},
        "sources": [{"id": "report", "every": "1h", "since": date(2021, 1, 1)}],
    }
    assert again == first
    again["sources"].append({"id": "changed by a caller"})
    assert len(toml_cache.loads(TEXT)["sources"]) == 1
    assert not toml_cache.save()  # nothing new: nothing written


def test_an_edited_text_is_parsed_afresh(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml_cache.loads(TEXT)
    toml_cache.save()
    next_run(cache)
    parsed = no_parsing(monkeypatch)
    edited = TEXT.replace('every = "1h"', 'every = "2h"')  # one byte differs
    assert toml_cache.loads(edited)["sources"][0]["every"] == "2h"
    assert parsed == [edited]


def test_a_syntax_error_is_tomllibs_located_error_and_is_not_kept(
    cache: Path, tmp_path: Path
) -> None:
    broken = TEXT.replace('language = "zh"', 'language = "zh')
    for _ in range(2):
        with pytest.raises(ConfigError) as caught:
            parse_raw(tmp_path / "lishi.toml", broken)
        assert caught.value.issues[0].line == 3
    assert not toml_cache.save()


def test_a_file_others_may_write_or_a_damaged_one_is_not_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml_cache.loads(TEXT)
    toml_cache.save()
    if hasattr(os, "getuid"):
        os.chmod(cache, 0o666)
        next_run(cache)
        parsed = no_parsing(monkeypatch)
        assert toml_cache.loads(TEXT)["app"] == {"language": "zh"}
        assert parsed == [TEXT]
        monkeypatch.undo()
        os.chmod(cache, 0o600)
    cache.write_bytes(cache.read_bytes()[:40])  # cut short
    next_run(cache)
    assert toml_cache.loads(TEXT)["app"] == {"language": "zh"}


def test_without_install_it_is_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    toml_cache.uninstall()
    parsed = no_parsing(monkeypatch)
    assert toml_cache.loads(TEXT)["app"] == {"language": "zh"}
    assert toml_cache.loads(TEXT)["app"] == {"language": "zh"}
    assert parsed == [TEXT, TEXT]


def test_the_command_keeps_the_tables_of_what_it_read(tmp_path: Path) -> None:
    """``python -m lishi_tui`` installs the cache: a run leaves the file in the user's cache
    folder, and the next run, with the config edited, validates the edited text."""
    config = tmp_path / "lishi.toml"
    config.write_text('[app]\nlanguage = "en"\n', encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-m", "lishi_tui", "--config", str(config), "config", "check"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    kept = list((tmp_path / "cache" / "lishi-tui").glob("toml.*.marshal"))
    assert len(kept) == 1
    config.write_text('[app]\nlanguage = "klingon"\n', encoding="utf-8")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "klingon" in done.stdout + done.stderr
