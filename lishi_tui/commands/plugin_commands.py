"""Subcommands from plugins (``lishi_register_commands``): found, added to the parser, run isolated.

Plugins are loaded for the parser only when the command line names a command that is not
built in (or asks for ``--help``), so the built-in commands start as fast as before. The
registry loaded here is handed on to the command, so plugins are loaded once.
"""

from __future__ import annotations

import argparse
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from lishi_tui.commands import BUILTIN_COMMANDS
from lishi_tui.commands.api import CommandContext, PluginCommand
from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, add_common, open_runtime
from lishi_tui.registry import Registry
from lishi_tui.text import clean

# Top-level options that take a value: the word after them is not the command.
_VALUED = ("--config", "--db", "--role")


def command_word(argv: Sequence[str]) -> str | None:
    """The command a command line names (the first word that is not an option), if any."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--":
            return None
        if word in _VALUED:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def needs_plugin_commands(argv: Sequence[str]) -> bool:
    word = command_word(argv)
    if word is None:
        return any(w in ("-h", "--help") for w in argv)
    return word not in BUILTIN_COMMANDS


def _config_arg(argv: Sequence[str]) -> Path | None:
    for n, word in enumerate(argv):
        if word == "--config" and n + 1 < len(argv):
            return Path(argv[n + 1])
        if word.startswith("--config="):
            return Path(word.split("=", 1)[1])
    return None


def load_for_parser(argv: Sequence[str], env: Mapping[str, str]) -> Registry | None:
    """The plugins the config at ``--config`` (or the usual places) allows; None if that
    config cannot even say which plugins load (the command then reports it as usual)."""
    from lishi_tui.config.errors import ConfigError
    from lishi_tui.config.loader import plugin_settings, read_raw
    from lishi_tui.config.locate import locate_config
    from lishi_tui.plugin_host import load_plugins

    try:
        raw = read_raw(locate_config(_config_arg(argv), env))
        settings = plugin_settings(raw, env)
    except (ConfigError, OSError):
        return None
    return load_plugins(settings, env=env)


def add_plugin_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    registry: Registry,
    err: TextIO,
) -> None:
    """A parser for each plugin command; one whose name is taken is refused with a warning."""
    for name, command in sorted(registry.commands.items()):
        owner = registry.command_owner.get(name, "?")
        if name in BUILTIN_COMMANDS or name in sub.choices:
            print(
                clean(f"plugin {owner}: command {name!r} is already a lishi-tui command; ignored"),
                file=err,
            )
            continue
        parser = sub.add_parser(name, help=clean(command.help, single_line=True, limit=200))
        add_common(parser, suppress=True)
        problem = None
        if command.configure is not None:
            try:
                command.configure(parser)
            except Exception as exc:
                problem = f"its arguments could not be declared: {_describe(exc)}"
        parser.set_defaults(handler=_Runner(command, owner, registry, problem))


class _Runner:
    """The handler of one plugin command: opens the runtime, runs it, contains what it raises."""

    def __init__(
        self, command: PluginCommand, owner: str, registry: Registry, problem: str | None
    ) -> None:
        self.command, self.owner, self.registry, self.problem = command, owner, registry, problem

    def __call__(
        self, args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO
    ) -> int:
        if self.problem is not None:
            return self._failed(err, self.problem)
        runtime = open_runtime(args, env, registry=self.registry)
        ctx = CommandContext(args=args, runtime=runtime, env=env, out=out, err=err)
        try:
            code = self.command.run(ctx)
        except (KeyboardInterrupt, BrokenPipeError):
            raise  # the user's Ctrl+C, a reader that left: handled as for any command
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else 1)
        except Exception as exc:
            return self._failed(err, f"failed: {_describe(exc)}")
        if code is None:
            return EXIT_OK
        if isinstance(code, bool) or not isinstance(code, int):
            return self._failed(err, f"returned {code!r:.40}, not an exit code")
        return code

    def _failed(self, err: TextIO, what: str) -> int:
        message = f"lishi-tui {self.command.name}: the command from plugin {self.owner} {what}"
        print(clean(message, single_line=True, limit=500), file=err)
        return EXIT_FAILED


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        text += f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})"
    return text
