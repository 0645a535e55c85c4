"""Plugin subcommands: added to ``lishi-tui``, given the runtime, isolated when they fail, and
never allowed to replace a built-in command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lishi_tui.cli import build_parser, main
from lishi_tui.commands import BUILTIN_COMMANDS
from lishi_tui.commands.plugin_commands import command_word, needs_plugin_commands

PLUGIN = """
from lishi_tui.plugin import PluginCommand, hookimpl


def configure(parser):
    parser.add_argument("indicator")
    parser.add_argument("--shout", action="store_true")


def name_of(ctx):
    indicator = ctx.config.indicators.get(ctx.args.indicator)
    if indicator is None:
        print(f"unknown indicator {ctx.args.indicator!r}", file=ctx.err)
        return 2
    name = indicator.name("en")
    print(name.upper() if ctx.args.shout else name, file=ctx.out)
    return None


def explode(ctx):
    raise ValueError("the office API moved")


def bad_arguments(parser):
    parser.add_argument("--x", type="not a type")
    raise RuntimeError("cannot declare")


def returns_three(ctx):
    return 3


def returns_text(ctx):
    return "done"


def exits(ctx):
    raise SystemExit(4)


@hookimpl
def lishi_register_commands(register):
    register(PluginCommand("name-of", "print an indicator's English name", name_of, configure))
    register(PluginCommand("explode", "fails", explode))
    register(PluginCommand("bad-args", "cannot declare its arguments", returns_three, bad_arguments))
    register(PluginCommand("three", "exit code 3", returns_three))
    register(PluginCommand("text", "returns a string", returns_text))
    register(PluginCommand("exits", "raises SystemExit(4)", exits))
    register(PluginCommand("show", "tries to replace a built-in", returns_three))
    register(PluginCommand("Bad Name", "not a command name", returns_three))
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "office_tools.py").write_text(PLUGIN, encoding="utf-8")
    path = tmp_path / "lishi.toml"
    bundled = Path(__file__).resolve().parents[2] / "config" / "lishi.toml"
    path.write_text(
        f'[plugins]\ndirs = ["{folder}"]\n\n' + bundled.read_text(encoding="utf-8"), "utf-8"
    )
    return path


def run(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(config), *args], env={})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_plugin_command_gets_its_arguments_and_the_config(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(config, capsys, "name-of", "requests_done", "--shout")
    assert (code, out) == (0, "CITIZEN REQUESTS HANDLED\n")
    code, out, err = run(config, capsys, "name-of", "nope")
    assert code == 2 and "unknown indicator 'nope'" in err


def test_what_a_command_raises_or_returns_is_one_line_and_an_exit_code(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(config, capsys, "explode")
    assert code == 1
    assert (
        "lishi-tui explode: the command from plugin office_tools failed: "
        "ValueError: the office API moved (office_tools.py:" in err
    )
    assert "Traceback" not in err
    code, _, err = run(config, capsys, "bad-args")
    assert code == 1 and "its arguments could not be declared: " in err
    assert run(config, capsys, "three")[0] == 3
    assert run(config, capsys, "exits")[0] == 4
    code, _, err = run(config, capsys, "text")
    assert code == 1 and "returned 'done', not an exit code" in err


def test_a_built_in_name_is_refused_with_a_warning_naming_the_plugin(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(config, capsys, "show", "--json", "requests_done")
    assert code == 0 and '"indicator": "requests_done"' in out  # the built-in show ran
    assert (
        "plugin office_tools" in err
        and "command 'show' is a built-in lishi-tui command; a plugin cannot replace it" in err
    )
    assert "command name 'Bad Name' must be" in err


def test_help_lists_plugin_commands_and_the_bundled_one(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--config", str(config), "--help"], env={})
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "name-of" in text and "print an indicator's English name" in text
    assert "formats" in text  # the bundled exports plugin's command


def test_the_bundled_formats_command_lists_formats_and_panel_kinds(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(config, capsys, "formats")
    assert code == 0
    rows = [line.split()[:2] for line in out.splitlines() if line.startswith("  ")]
    assert ["csv", "exports"] in rows and ["markdown", "exports"] in rows
    assert ["stat", "panels"] in rows and ["gauge", "panels"] in rows


def test_a_raising_command_in_a_real_process_prints_no_traceback(config: Path) -> None:
    lishi = Path(sys.executable).parent / "lishi-tui"
    done = subprocess.run(
        [str(lishi), "--config", str(config), "explode"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "the office API moved" in done.stderr


def test_builtin_command_names_are_the_parsers() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices or ()) == BUILTIN_COMMANDS


@pytest.mark.parametrize(
    ("argv", "word", "loads"),
    [
        (["show", "--json"], "show", False),
        (["--config", "x.toml", "--db", "h.db", "fetch"], "fetch", False),
        (["--role", "viewer"], None, False),
        (["--config", "show", "name-of", "x"], "name-of", True),
        (["--help"], None, True),
        (["formats"], "formats", True),
    ],
)
def test_plugins_are_loaded_for_the_parser_only_for_a_command_not_built_in(
    argv: list[str], word: str | None, loads: bool
) -> None:
    assert command_word(argv) == word
    assert needs_plugin_commands(argv) is loads
