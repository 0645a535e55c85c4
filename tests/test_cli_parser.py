"""The command line builds only the parsers it needs, and still reads every command line
as the full parser does."""

from __future__ import annotations

import argparse

import pytest

from lishi_tui import cli
from lishi_tui.commands import BUILTIN_COMMANDS


def _built(words: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sub-command parsers ``main`` builds for ``words`` (stopped before running)."""
    made: list[str] = []
    real = argparse._SubParsersAction.add_parser

    def add_parser(self: argparse._SubParsersAction, name: str, **kw: object) -> object:  # type: ignore[type-arg]
        made.append(name)
        return real(self, name, **kw)  # type: ignore[arg-type]

    class Stop(Exception):
        pass

    def stop(self: argparse.ArgumentParser, *a: object, **kw: object) -> None:
        raise Stop

    monkeypatch.setattr(argparse._SubParsersAction, "add_parser", add_parser)
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", stop)
    with pytest.raises(Stop):
        cli.main(words, env={})
    return made


def test_the_dashboard_builds_no_command_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _built(["--config", "fetch", "--no-collector"], monkeypatch) == []


def test_a_named_command_builds_its_own_parser_only(monkeypatch: pytest.MonkeyPatch) -> None:
    made = _built(["--db", "x.db", "config", "check", "a.toml"], monkeypatch)
    # config's own actions (check, init, ...) are its parser's; no other top-level command
    assert set(made) & BUILTIN_COMMANDS == {"config"}
    assert _built(["show", "--json"], monkeypatch) == ["show"]


@pytest.mark.parametrize("words", [["--help"], ["-h", "--config", "a.toml"]])
def test_help_builds_every_command(words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(_built(words, monkeypatch)) >= BUILTIN_COMMANDS


def test_an_unknown_command_is_named_among_all_of_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--config", "/nonexistent.toml", "fecth"], env={})
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'fecth'" in err
    for name in BUILTIN_COMMANDS:
        assert f"'{name}'" in err


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--no-collector", "--role", "viewer"],
        ["--config", "a.toml", "fetch", "src1", "src2"],
        ["show", "--json", "gdp"],
        ["config", "check", "a.toml"],
        ["alerts", "history"],
        ["view", "--role", "viewer"],
    ],
)
def test_the_namespace_is_the_full_parsers(words: list[str]) -> None:
    only = cli._commands_to_build(words, None)
    assert only is not None and len(only) <= 1

    def read(parser: argparse.ArgumentParser) -> dict[str, object]:
        # a handler is a closure made by each build: compare what it is and what it holds
        return {
            k: (v.__qualname__, [c.cell_contents for c in v.__closure__ or ()])
            if callable(v)
            else v
            for k, v in vars(parser.parse_args(words)).items()
        }

    assert read(cli.build_parser(only=only)) == read(cli.build_parser())
