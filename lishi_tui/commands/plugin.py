"""``lishi-tui plugin new NAME``: scaffold a plugin package (see ``lishi_tui.scaffold``)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from lishi_tui.scaffold import KINDS

    plugin = sub.add_parser("plugin", help="write a new plugin package")
    actions = plugin.add_subparsers(dest="plugin_command", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new", help="write an installable plugin package that passes its own tests"
    )
    new.add_argument("name", help="the plugin's name, e.g. office-api")
    new.add_argument("--kind", choices=KINDS, default="source", help="what the plugin provides")
    new.add_argument(
        "--dir", type=Path, default=Path("."), help="write DIR/NAME/ (default: this folder)"
    )
    new.set_defaults(handler=run_new)


def run_new(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.scaffold import Names, ScaffoldError, write_plugin

    try:
        root = write_plugin(args.name, args.kind, args.dir)
    except (ScaffoldError, OSError) as exc:
        print(f"plugin new: {exc}", file=err)
        return EXIT_FAILED
    names = Names.of(args.name)
    print(f"wrote {root} ({args.kind} plugin {names.module!r}, package {names.dist})", file=out)
    print(f"next: pip install -e '{root}[test]' && pytest {root}", file=out)
    return EXIT_OK
