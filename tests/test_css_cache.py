"""The parsed CSS kept between runs: the same rules as a parse, never a broken sheet kept."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet, StylesheetParseError
from textual.widgets import Static

from lishi_tui import css_cache
from lishi_tui.store.sqlite import SqliteStore
from tests.support.dashboard_app import app_for, filled_store, first_page_up


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "cache" / "css.pickle"
    next_run(path)
    yield path
    css_cache.uninstall()


def next_run(path: Path) -> None:
    """What a new process does: read the file afresh."""
    css_cache.uninstall()
    css_cache.install(path)
    css_cache.attach()


CSS = """
Screen { layout: vertical; }
#figure { color: $accent; border: round $primary; height: 3; }
.stale > Static { text-style: italic; }
"""


def rules_text(sheet: Stylesheet) -> list[tuple[object, ...]]:
    """Each rule's selectors, declarations (their values' reprs), flags and names."""
    return [
        (
            r.selectors,
            sorted((name, repr(value)) for name, value in r.styles.get_rules().items()),
            r.is_default_rules,
            r.tie_breaker,
            tuple(sorted(r.selector_names)),
        )
        for r in sheet.rules
    ]


def parse(css: str, variables: dict[str, str] | None = None) -> Stylesheet:
    sheet = Stylesheet(variables=variables or {"accent": "#ff0000", "primary": "#00ff00"})
    sheet.add_source(css, read_from=("test.tcss", ""))
    sheet.parse()
    return sheet


def test_kept_rules_are_the_rules_a_parse_makes(cache: Path) -> None:
    css_cache.uninstall()
    plain = rules_text(parse(CSS))  # Textual's own parse, no cache
    next_run(cache)
    assert rules_text(parse(CSS)) == plain
    assert css_cache.parsed_since_save() == 1
    assert css_cache.save() and cache.exists()
    assert not css_cache.save()  # nothing new since
    next_run(cache)
    kept = parse(CSS)
    assert css_cache.parsed_since_save() == 0  # found kept: not parsed
    assert rules_text(kept) == plain
    assert "255, 0, 0" in repr(rules_text(kept))  # the variable's value


def test_other_variables_are_parsed_again(cache: Path) -> None:
    parse(CSS)
    css_cache.save()
    next_run(cache)
    other = parse(CSS, {"accent": "#0000ff", "primary": "#00ff00"})
    assert css_cache.parsed_since_save() == 1
    text = repr(rules_text(other))
    assert "0, 0, 255" in text and "255, 0, 0" not in text


def test_css_with_errors_is_never_kept(cache: Path) -> None:
    bad = "#figure { colour: red; }"
    for _ in range(2):
        with pytest.raises(StylesheetParseError):
            parse(bad)
        css_cache.save()
        next_run(cache)
    assert css_cache.parsed_since_save() == 0 and not cache.exists()


def test_a_file_others_may_write_or_a_damaged_one_is_not_read(cache: Path) -> None:
    css_cache.uninstall()
    plain = rules_text(parse(CSS))
    next_run(cache)
    parse(CSS)
    css_cache.save()
    os.chmod(cache, 0o666)
    next_run(cache)
    parse(CSS)
    assert css_cache.parsed_since_save() == 1  # parsed: the file was not trusted
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])  # cut short
    os.chmod(cache, 0o600)
    next_run(cache)
    assert rules_text(parse(CSS)) == plain
    assert css_cache.parsed_since_save() == 1


def test_another_textual_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parse(CSS)
    css_cache.save()
    header = css_cache._header()
    assert header is not None
    monkeypatch.setattr(css_cache, "_header", lambda: header.replace(b"styles", b"styleZ"))
    next_run(cache)
    parse(CSS)
    assert css_cache.parsed_since_save() == 1


class Parses:
    """Counts Textual's own parses of a CSS text (what the cache spares)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import textual.css.stylesheet as module

        self.count = 0
        original = vars(module)["parse"]  # the parser it imported from textual.css.parse

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, "parse", counted)


class Small(App[None]):
    CSS = CSS

    def compose(self) -> ComposeResult:
        yield Static("1581 / 1787", id="figure")


async def test_an_app_started_twice_draws_the_same(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    seen = []
    for _ in range(2):
        before = parses.count
        app = Small()
        async with app.run_test(size=(40, 8)) as pilot:
            await pilot.pause()
            figure = app.query_one("#figure")
            seen.append(
                (rules_text(app.stylesheet), str(figure.styles.color), parses.count - before)
            )
        css_cache.save()
        next_run(cache)
    (first, colour_1, parsed_1), (second, colour_2, parsed_2) = seen
    assert parsed_1 > 1 and parsed_2 == 0
    assert first == second and colour_1 == colour_2


async def test_the_dashboard_second_start_parses_nothing(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    store: SqliteStore = next(filled_store(tmp_path))
    seen = []
    for _ in range(2):
        before = parses.count
        app = app_for(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await first_page_up(pilot, app)
            seen.append((rules_text(app.stylesheet), parses.count - before))
        css_cache.save()
        next_run(cache)
    (first, parsed_1), (second, parsed_2) = seen
    assert parsed_1 > 5 and parsed_2 == 0
    assert first == second
