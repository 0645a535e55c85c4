"""Subcommands that live in their own modules, each registered by one line below.

A module named here (by the command it adds) provides ``register(sub)``: it adds its parser to the
``lishi-tui`` subparsers and sets ``handler`` with ``parser.set_defaults``.
A handler is called as ``handler(args, env, out, err)`` and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Collection

# One line per command module, by the command it adds; keep it sorted.
COMMAND_MODULES: dict[str, str] = {
    "alerts": "lishi_tui.commands.alerts",
    "config": "lishi_tui.commands.config",
    "export": "lishi_tui.commands.export",
    "plugin": "lishi_tui.commands.plugin",
    "redact": "lishi_tui.commands.redact",
    "view": "lishi_tui.commands.view",
}

# Every built-in command name, the ones cli.py adds itself too: a plugin may not take one.
# (A test checks this against the parser.)
BUILTIN_COMMANDS: frozenset[str] = frozenset(
    {
        "alerts",
        "collect",
        "config",
        "export",
        "fetch",
        "plugin",
        "plugins",
        "redact",
        "show",
        "view",
    }
)


def register_all(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    only: Collection[str] | None = None,
) -> None:
    """Add every command module's parser to ``sub`` (with ``only``, just those commands')."""
    for command, module in COMMAND_MODULES.items():
        if only is None or command in only:
            importlib.import_module(module).register(sub)
