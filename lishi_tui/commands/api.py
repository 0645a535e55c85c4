"""What a command plugin provides (PluginCommand) and its run function receives (CommandContext).

A command is registered through ``lishi_register_commands`` (see ``lishi_tui.hookspecs``)
and becomes ``lishi-tui NAME``. This module imports neither Textual nor httpx.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from lishi_tui.bootstrap import Runtime
    from lishi_tui.config.schema import Config
    from lishi_tui.registry import Registry
    from lishi_tui.store.base import Store

COMMAND_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class CommandContext:
    """What a plugin command's ``run`` gets: its parsed arguments and the loaded runtime."""

    args: argparse.Namespace  # what ``configure`` declared, parsed
    runtime: Runtime
    env: Mapping[str, str]
    out: TextIO  # standard output
    err: TextIO  # standard error: say what went wrong here

    @property
    def config(self) -> Config:
        """The validated configuration (the same the dashboard and ``fetch`` use)."""
        return self.runtime.config

    @property
    def registry(self) -> Registry:
        """What every plugin registered: source types, indicators, formats, commands."""
        return self.runtime.registry

    def open_store(self, *, writable: bool = False) -> Store:
        """The configured history; close it when done (``with contextlib.closing(...)``)."""
        return self.runtime.open_store(writable=writable)


CommandRunner = Callable[[CommandContext], "int | None"]
CommandConfigurer = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class PluginCommand:
    """A ``lishi-tui`` subcommand: its name, one line of help, its arguments and its body.

    ``configure(parser)`` adds the command's arguments to its ``argparse`` parser (``--config``
    and ``--db`` are already there). ``run(ctx)`` does the work and returns the exit code
    (None is 0). A name a built-in command has is refused; anything ``run`` raises is one
    line on standard error and exit code 1, never a traceback.
    """

    name: str
    help: str
    run: CommandRunner
    configure: CommandConfigurer | None = None
    description: str = ""


def validate_command(item: Any) -> None:
    """Raise TypeError/ValueError if a registered object is not a usable PluginCommand."""
    if not isinstance(item, PluginCommand):
        raise TypeError(f"expected a PluginCommand, got {type(item).__name__}: {item!r:.80}")
    if not isinstance(item.name, str) or not COMMAND_NAME.match(item.name):
        raise ValueError(
            f"command name {item.name!r} must be lower-case letters, digits and -,"
            " starting with a letter"
        )
    if not callable(item.run):
        raise TypeError(f"command {item.name!r}: run is not callable")
    if item.configure is not None and not callable(item.configure):
        raise TypeError(f"command {item.name!r}: configure is not callable")
