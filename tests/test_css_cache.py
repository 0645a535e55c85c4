"""Stylesheets parsed once and kept between runs: the same rules as a fresh parse, or none."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet, StylesheetParseError

from lishi_tui.app import css_cache
from lishi_tui.config.locate import bundled_config_path
from tests.support.tmux import Tmux, alive

CSS = """
Panel { border: round $accent; padding: 0 1; layout: horizontal; }
Panel.alerting > .title { color: $error; text-style: bold; }
#figure:focus { background: $boost; height: 3; width: 1fr; }
"""
VARIABLES = {"accent": "#0178d4", "error": "#ba3c5b", "boost": "#ffffff10"}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "cache" / "stylesheets.pickle"
    css_cache.uninstall()
    css_cache.install(path)
    yield path
    css_cache.uninstall()


def next_run(path: Path) -> None:
    """What a new process does: read the file afresh."""
    css_cache.uninstall()
    css_cache.install(path)


def parsed(css: str = CSS, variables: dict[str, str] | None = None) -> list[RuleSet]:
    sheet = Stylesheet(variables=VARIABLES if variables is None else variables)
    sheet.add_source(css, read_from=("app.tcss", ""))
    return sheet.rules


def described(rules: list[RuleSet]) -> list[tuple[object, ...]]:
    """What a rule set says, comparable across copies (layouts compare by their name)."""
    return [
        (
            rule.selector_set,
            rule.selector_names,
            rule.pseudo_classes,
            rule.is_default_rules,
            rule.tie_breaker,
            sorted((k, repr(v)) for k, v in rule.styles.get_rules().items()),
        )
        for rule in rules
    ]


def declared(rules: list[RuleSet], index: int) -> dict[str, str]:
    """What rule set ``index`` declares, each value as its repr."""
    return {k: repr(v) for k, v in rules[index].styles.get_rules().items()}


def test_a_kept_stylesheet_is_the_same_rules_as_a_fresh_parse(cache: Path) -> None:
    css_cache.uninstall()
    fresh = described(parsed())  # Textual's own parser, nothing in front of it
    css_cache.install(cache)
    first = parsed()
    assert css_cache.parsed_since_save() == 1
    assert css_cache.save() and cache.exists()
    next_run(cache)
    kept = parsed()
    assert css_cache.parsed_since_save() == 0  # found, not parsed
    assert described(first) == fresh == described(kept)
    # What the rules say, read off the text by hand: not only equal to each other.
    border = declared(kept, 0)["border_top"]
    assert "round" in border and "Color(1, 120, 212" in border
    assert declared(kept, 1)["color"].startswith("Color(186, 60, 91")


def test_each_hit_is_a_copy_of_its_own(cache: Path) -> None:
    parsed()
    one, two = parsed(), parsed()
    assert one[0] is not two[0] and one[0].styles is not two[0].styles


def test_other_theme_variables_are_parsed_again_with_their_colours(cache: Path) -> None:
    parsed()
    other = parsed(variables={**VARIABLES, "accent": "#ff0000"})
    assert css_cache.parsed_since_save() == 2
    assert "Color(255, 0, 0" in declared(other, 0)["border_top"]


def test_css_with_errors_is_never_kept_and_still_raises(cache: Path) -> None:
    broken = "Panel { colour: red; }"
    for _ in range(2):
        with pytest.raises(StylesheetParseError):
            parsed(broken)
        assert css_cache.parsed_since_save() == 0
        assert not css_cache.save()
        next_run(cache)
    assert not cache.exists()


def spoil(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def test_a_damaged_file_is_parsed_afresh(cache: Path) -> None:
    parsed()
    assert css_cache.save()
    whole = cache.read_bytes()
    header = whole[: whole.index(b"\n") + 1]
    for bad in (header + b"\x80\x05garbage", header, whole[: len(whole) // 2], b"not ours\n"):
        spoil(cache, bad)
        next_run(cache)
        assert described(parsed()) and css_cache.parsed_since_save() == 1


def test_another_textual_versions_file_is_not_read(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed()
    assert css_cache.save()
    monkeypatch.setattr(css_cache, "textual_version", lambda: "7.0.0")
    next_run(cache)
    parsed()
    assert css_cache.parsed_since_save() == 1


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file modes")
def test_a_file_others_may_write_is_not_read(cache: Path) -> None:
    parsed()
    assert css_cache.save()
    cache.chmod(0o666)
    next_run(cache)
    parsed()
    assert css_cache.parsed_since_save() == 1


def test_nothing_is_written_when_python_writes_no_bytecode(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    parsed()
    assert not css_cache.save()
    assert not cache.exists()


def test_uninstall_gives_textual_its_parser_back(cache: Path) -> None:
    import textual.css.stylesheet as module
    from textual.css import parse as textual_parse

    assert vars(module)["parse"] is not textual_parse.parse
    css_cache.uninstall()
    assert vars(module)["parse"] is textual_parse.parse


def test_the_version_is_textuals_own() -> None:
    from importlib.metadata import version

    assert css_cache.textual_version() == version("textual")


# -- the dashboard, twice, in a real terminal ------------------------------------------


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_dashboard_keeps_its_stylesheets_and_looks_the_same_from_them(
    tmp_path: Path,
) -> None:
    """The first start parses and keeps; the second parses nothing new (the file is not
    rewritten) and draws the same screen."""
    command = [
        "env",
        "-u",
        "PYTHONDONTWRITEBYTECODE",
        f"XDG_CACHE_HOME={tmp_path / 'cache'}",
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(bundled_config_path()),
        "--db",
        str(tmp_path / "history.db"),
        "--no-collector",
    ]
    kept = tmp_path / "cache" / "lishi-tui" / "stylesheets.pickle"
    screens = []
    for run in range(2):
        tmux = Tmux(command, width=100, height=30)
        try:
            tmux.wait_for("全区各级接收实事办结率", "q 退出")
            deadline = time.monotonic() + 20
            while not kept.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert kept.exists(), "no stylesheet file after the first frame"
            time.sleep(0.5)  # (no collector: nothing changes after the first frames)
            screens.append(tmux.screen())
            pid = tmux.pane_pid()
            tmux.keys("q")
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            tmux.close()
        if run == 0:
            written = kept.stat().st_mtime_ns  # what its exit kept, too
    assert kept.stat().st_mtime_ns == written  # nothing new to keep the second time
    assert strip_clock(screens[0]) == strip_clock(screens[1])


def strip_clock(screen: str) -> list[str]:
    """The screen without its header line (the clock) and any digits of ages."""
    return [line for line in screen.splitlines()[1:] if "ago" not in line and "前" not in line]
