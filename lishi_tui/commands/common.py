"""What every subcommand shares: exit codes, options, and opening the runtime."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from lishi_tui.bootstrap import Runtime, load_runtime
from lishi_tui.registry import PluginState, Registry
from lishi_tui.text import clean

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace, Mapping[str, str], TextIO, TextIO], int]


def add_common(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """``--config`` and ``--db``, accepted before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config", type=Path, default=default, metavar="PATH", help="the TOML config file"
    )
    parser.add_argument(
        "--db", type=Path, default=default, metavar="PATH", help="use this SQLite file for history"
    )


def open_runtime(
    args: argparse.Namespace, env: Mapping[str, str], *, registry: Registry | None = None
) -> Runtime:
    """Load config and plugins as the command line asks; plugin failures go to stderr.

    ``registry``: plugins already loaded for this command line (a plugin command's)."""
    db = getattr(args, "db", None) or (
        Path(env["LISHI_TUI_DB"]) if env.get("LISHI_TUI_DB") else None
    )
    runtime = load_runtime(getattr(args, "config", None), env, db=db, registry=registry)
    warn_plugin_errors(runtime, sys.stderr)
    return runtime


def warn_plugin_errors(runtime: Runtime, err: TextIO) -> None:
    for plugin in runtime.registry.plugins:
        if plugin.state is PluginState.FAILED:
            print(
                clean(
                    f"plugin {plugin.name} ({plugin.location}): {plugin.error}", single_line=True
                ),
                file=err,
            )
