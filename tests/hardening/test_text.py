"""Hostile text, probed as an attacker would: whatever a config, a plugin or a source says
reaches the terminal as data, never as an escape sequence, a bidi override, an invisible
character or markup."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text

from lishi_tui.app.formatting import literal
from lishi_tui.app.palette import Entry
from lishi_tui.cli import _show_line, main
from lishi_tui.domain.model import Indicator, Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.export.rows import observation_json
from lishi_tui.text import clean, clean_json
from tests.support.waiting import until, until_shown

# What must never come out: C0 controls but newline (and tab where kept), DEL and C1
# (U+009B is a CSI on some terminals), bidi overrides and isolates, zero-width and other
# invisible characters, the BOM.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c"
    "\u2028\u2029\u2060-\u2064\ufeff]"
)
PIECES = [
    "\x1b]0;PWN\x07",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1b[31m",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "[bold red]",
    "[/]",
    "[@click=app.quit]",
    "[link=http://x/]",
    "50% [/] done",
    "\r",
    "\x00",
    "\t",
    "\n",
]
hostile = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(PIECES)), min_size=1, max_size=8
).map("".join)


def assert_safe(out: str, *, lines: bool = True) -> None:
    bad = FORBIDDEN.findall(out.replace("\t", " ") if lines else out)
    assert not bad, f"{bad!r} in {out!r}"


@given(hostile)
def test_clean_removes_every_control_bidi_and_invisible_character(text: str) -> None:
    assert_safe(clean(text))
    one = clean(text, single_line=True)
    assert_safe(one)
    assert "\n" not in one and "\t" not in one


@given(hostile)
def test_literal_text_has_no_markup_effect(text: str) -> None:
    shown = literal(text)
    assert isinstance(shown, Text)
    assert shown.plain == clean(text, single_line=True)  # every bracket kept as typed
    assert not shown.spans


@given(hostile, hostile)
def test_palette_shows_an_id_with_markup_literally(id_: str, initials: str) -> None:
    entry = Entry(Indicator(id=id_ or "x", name_zh="名", name_en="n"), initials)
    shown = entry.prompt(Text(entry.display("en")))
    assert isinstance(shown, Text)  # a Text is never parsed as markup (nor is a Content)
    hint = clean(f"{initials} · {id_ or 'x'}", single_line=True)
    assert shown.plain == f"n · 名  {hint}"
    assert_safe(shown.plain)


def _row(name: str, unit: str, period_label: str, source: str) -> dict[str, object]:
    indicator = Indicator(id="x", name_zh=name or "名", name_en=name, unit=unit, unit_en=unit)
    obs = Observation(
        Reading("x", Period.year(2023), 5.0, origin=source),
        source=source or "s",
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
        fetch_url=source,
    )
    row = observation_json(indicator, obs, lang="en", now=datetime(2024, 1, 2, tzinfo=UTC))
    row["period_label"] = period_label
    return row


@given(hostile, hostile, hostile, hostile)
def test_show_line_and_json_carry_no_control_or_invisible_character(
    name: str, unit: str, period: str, source: str
) -> None:
    row = _row(name, unit, period, source)
    line = _show_line(row)
    assert_safe(line)
    assert "\n" not in line
    dumped = json.dumps(clean_json([row]), ensure_ascii=False)
    assert_safe(dumped)
    assert json.loads(dumped)[0]["value"] == 5.0


@given(hostile, hostile, hostile)
def test_a_fetch_line_carries_no_control_or_invisible_character(
    source: str, error: str, skipped: str
) -> None:
    """The line `fetch --once` and `collect` print for a run: its source id, its error (a
    server's reason, a body excerpt, a plugin's message) and what it skipped."""
    from lishi_tui.cli import _outcome_line
    from lishi_tui.domain.model import SourceRunOutcome

    at = datetime(2024, 1, 1, tzinfo=UTC)
    failed = SourceRunOutcome(source, at, 0.5, ok=False, error=error)
    done = SourceRunOutcome(source, at, 0.5, ok=True, readings=1, skipped=(skipped,))
    for line in (_outcome_line(failed), _outcome_line(done)):
        assert_safe(line)
        assert "\n" not in line


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        main(list(argv), {"LISHI_TUI_LANG": "en"})
    return out.getvalue() + err.getvalue()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=hostile, title=hostile, unit=hostile)
def test_config_check_and_show_print_hostile_keys_titles_and_units_safely(
    tmp_path: Path, key: str, title: str, unit: str
) -> None:
    config: dict[str, Any] = {
        "app": {"demo": False},
        "storage": {"path": str(tmp_path / "h.db")},
        "indicators": {"gdp_growth": {"unit": unit, "unit_en": unit, key or "k": 1}},
        "pages": {"p": {"title_zh": title, "title_en": title, key or "k": 1}},
    }
    path = tmp_path / "c.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    assert_safe(_run("config", "check", str(path)))
    del config["indicators"]["gdp_growth"][key or "k"]
    del config["pages"]
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    assert_safe(_run("--config", str(path), "show", "gdp_growth"))
    assert_safe(_run("--config", str(path), "show", "--json", "gdp_growth"))


NAMES = st.lists(
    st.sampled_from([p for p in PIECES if "/" not in p and "\x00" not in p])
    | st.text(st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]), max_size=8),
    min_size=1,
    max_size=5,
).map("".join)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(NAMES)
def test_plugin_file_names_are_printed_safely(tmp_path: Path, name: str) -> None:
    name = name.lstrip("._") or "x"
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis reuses tmp_path between examples
    try:
        (folder / f"{name}.py").write_text("raise ValueError('broken on purpose')\n")
    except OSError:
        return  # a name the filesystem refuses cannot be a plugin
    path = folder / "c.toml"
    path.write_text(
        tomli_w.dumps(
            {"storage": {"path": str(folder / "h.db")}, "plugins": {"dirs": [str(folder)]}}
        )
    )
    for argv in (("plugins",), ("plugins", "--json"), ("show",), ("config", "check")):
        assert_safe(_run("--config", str(path), *argv))


# -- the real app with hostile titles, labels and ids --------------------------------------------

HOSTILE_CONFIG = """
[app]
demo = false
collector = "off"
language = "en"

[indicators."zz[/]oops"]
name_zh = "坏[/]名"
name_en = "bad [bold red]name"
unit = "%\\u001b]0;PWN\\u0007"

[pages.a]
title_zh = "50% [/] done"
title_en = "50% [/] done"
[[pages.a.panels]]
indicator = "zz[/]oops"

[pages.b]
title_zh = "[@click=app.quit]quit"
title_en = "[@click=app.quit]quit"
[[pages.b.panels]]
indicator = "zz[/]oops"

[pages.c]
title_zh = "[link=http://x/]\\u202eevil"
title_en = "[link=http://x/]\\u202eevil"
[[pages.c.panels]]
indicator = "zz[/]oops"
"""


async def test_the_dashboard_shows_hostile_titles_and_ids_as_plain_text(tmp_path: Path) -> None:
    from textual.command import CommandPalette

    from lishi_tui.app import make_app
    from lishi_tui.app.widgets.page_bar import PageBar
    from lishi_tui.bootstrap import load_runtime

    path = tmp_path / "c.toml"
    path.write_text(HOSTILE_CONFIG + f'[storage]\npath = "{tmp_path / "h.db"}"\n')
    runtime = load_runtime(path, {"LISHI_TUI_LANG": "en"})
    store = runtime.open_store()
    try:
        app = make_app(runtime.config, runtime.registry, store)
        async with app.run_test(size=(120, 40)) as pilot:
            bar = await until(pilot, lambda: app.dashboard.query_one(PageBar), what="the tabs")
            assert bar.labels[:4] == [
                "0 Overview",  # the overview tab comes first
                "1 50% [/] done",
                "2 [@click=app.quit]quit",
                "3 [link=http://x/]evil",
            ]
            # Drawn as written: no markup parsed, nothing styled, nothing clickable.
            await until_shown(pilot, "1 50% [/] done", "2 [@click=app.quit]quit")
            # A click on the words of the [@click] label: its page opens, no action runs.
            clicked = bar.tabs[2]
            await pilot.click(PageBar, offset=(clicked.start + 4 - bar.scroll, 0))
            await until(pilot, lambda: app.dashboard.page_index == 2, what="its page shown")
            assert app.is_running
            app.action_command_palette()  # lists the id with markup in its help line
            await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            await pilot.press(*"zz")
            # The hit for the id with markup, with its name as written: nothing parsed.
            await until_shown(pilot, "zz[/]oops", "bad [bold red]name · 坏[/]名")
            assert app.is_running
    finally:
        store.close()


# -- the real terminal: no title or clipboard write gets through --------------------------------

ESCAPING_CONFIG = """
[app]
demo = false
collector = "off"

[indicators.pwn]
name_zh = "名\\u001b]0;PWN-NAME\\u0007称"
name_en = "name"
unit = "%\\u001b]52;c;UFdORUQ=\\u0007"

[pages.a]
title_zh = "\\u001b]0;PWN-TITLE\\u0007标题甲"
title_en = "a"
[[pages.a.panels]]
indicator = "pwn"

[pages.b]
title_zh = "\\u001b]52;c;UFdORUQ=\\u0007剪贴乙\\u202e"
title_en = "b"
[[pages.b.panels]]
indicator = "pwn"
"""


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_titles_names_and_units_write_no_title_or_clipboard_to_the_terminal(
    tmp_path: Path,
) -> None:
    """OSC 0 (window title) and OSC 52 (clipboard) in page titles, a name and a unit: tmux
    takes both from an application (its pane title; a paste buffer, with set-clipboard
    on), so a sequence that got through would show there."""
    from lishi_tui.store.sqlite import SqliteStore
    from tests.support.tmux import Tmux

    db = tmp_path / "h.db"
    config = tmp_path / "c.toml"
    config.write_text(ESCAPING_CONFIG + f'[storage]\npath = "{db}"\n', encoding="utf-8")
    store = SqliteStore(db)
    try:
        fetched = datetime(2026, 11, 1, tzinfo=UTC)
        store.write([Observation(Reading("pwn", Period.year(2023), 5.2), "seed", fetched)])
    finally:
        store.close()
    command = [sys.executable, "-m", "lishi_tui", "--config", str(config)]
    tmux = Tmux(command, width=120, height=40, options={"set-clipboard": "on"})
    try:
        tmux.wait_for("标题甲", "剪贴乙", limit_s=60)
        tmux.press_until("1", "名称")  # the page with the panel: its name and unit drawn
        tmux.wait_for("5.2")
        title = tmux.tmux("display-message", "-p", "-t", "app", "#{pane_title}")
        assert "PWN" not in title
        assert tmux.tmux("list-buffers") == ""  # no clipboard write was taken
    finally:
        tmux.close()
