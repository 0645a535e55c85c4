"""Subcommands that live in their own modules, each registered by one line below.

A module named here provides ``register(sub)``: it adds its parser to the
``lishi-tui`` subparsers and sets ``handler`` with ``parser.set_defaults``.
A handler is called as ``handler(args, env, out, err)`` and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib

# One line per command module; keep it sorted.
COMMAND_MODULES: tuple[str, ...] = (
    "lishi_tui.commands.alerts",
    "lishi_tui.commands.config",
    "lishi_tui.commands.export",
    "lishi_tui.commands.plugin",
    "lishi_tui.commands.redact",
    "lishi_tui.commands.view",
)

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


def register_all(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every command module's parser to ``sub``."""
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
