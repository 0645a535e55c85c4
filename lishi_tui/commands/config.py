"""``lishi-tui config``: check, init, schema, set, history and reload."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, add_common
from lishi_tui.config.errors import ConfigError
from lishi_tui.registry import PluginState, Registry
from lishi_tui.text import clean


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help="check, create, describe or edit a config file")
    add_common(config)
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="validate a config file (exit 0 if valid)")
    add_common(check)
    check.add_argument("path", nargs="?", type=Path, help="default: the config in use")
    check.set_defaults(handler=run_check)

    init = actions.add_parser("init", help="write a commented starter config and its schema")
    add_common(init)
    init.add_argument("path", type=Path)
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of comments")
    init.set_defaults(handler=run_init)

    schema = actions.add_parser("schema", help="print the JSON Schema of the config (for editors)")
    add_common(schema)
    schema.add_argument("--output", "-o", type=Path, help="write it to this file instead")
    schema.set_defaults(handler=run_schema)


def _registry(args: argparse.Namespace, env: Mapping[str, str]) -> Registry:
    """The plugins the config in use loads; the built-in ones when it cannot be read."""
    from lishi_tui.config.loader import plugin_settings, read_raw
    from lishi_tui.config.locate import locate_config
    from lishi_tui.config.schema import PluginSettings
    from lishi_tui.plugin_host import load_plugins

    try:
        settings = plugin_settings(read_raw(locate_config(getattr(args, "config", None), env)), env)
    except ConfigError:
        settings = PluginSettings()
    return load_plugins(settings, env=env)


def run_check(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.bootstrap import load_runtime

    path = args.path if args.path is not None else getattr(args, "config", None)
    try:
        runtime = load_runtime(path, env)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=err)
        print(f"{len(exc.issues)} problem(s) found", file=err)
        return EXIT_FAILED
    config = runtime.config
    for plugin in runtime.registry.plugins:
        if plugin.state is PluginState.FAILED:
            print(f"warning: plugin {plugin.name}: {clean(plugin.error)}", file=err)
    print(
        f"{config.path}: ok ({len(config.sources)} sources, {len(config.indicators)} indicators,"
        f" {len(config.pages)} pages)",
        file=out,
    )
    return EXIT_OK


def run_init(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config.jsonschema import schema_text
    from lishi_tui.config.schema import PluginSettings
    from lishi_tui.config.starter import SCHEMA_NAME, write_starter
    from lishi_tui.plugin_host import load_plugins

    # The starter uses the built-in plugins only, so its schema names exactly those.
    schema = schema_text(load_plugins(PluginSettings(), env=env))
    try:
        write_starter(args.path, force=args.force, lang=args.lang, schema=schema)
    except FileExistsError as exc:
        print(exc, file=err)
        return EXIT_FAILED
    print(f"wrote {args.path} and {args.path.with_name(SCHEMA_NAME)}", file=out)
    return EXIT_OK


def run_schema(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config.jsonschema import schema_text, write_schema

    registry = _registry(args, env)
    if args.output is not None:
        write_schema(args.output, registry)
        print(f"wrote {args.output}", file=err)
        return EXIT_OK
    out.write(schema_text(registry))
    return EXIT_OK
