"""``lishi-tui config``: check, init, schema, set, annotate, history and reload."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, add_common
from lishi_tui.config.errors import ConfigError
from lishi_tui.registry import PluginState, Registry
from lishi_tui.text import clean, did_you_mean, nearest

if TYPE_CHECKING:
    from lishi_tui.config.edit import Change
    from lishi_tui.config.schema import Config
    from lishi_tui.store.base import Store


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
    register_edits(actions)


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

    given = getattr(args, "path", None)
    path = given if given is not None else getattr(args, "config", None)
    try:
        runtime = load_runtime(path, env)
    except ConfigError as exc:
        for issue in exc.issues:
            print(clean(issue, single_line=True), file=err)
        print(f"{len(exc.issues)} problem(s) found", file=err)
        return EXIT_FAILED
    config = runtime.config
    for plugin in runtime.registry.plugins:
        if plugin.state is PluginState.FAILED:
            print(f"warning: plugin {clean(plugin.name)}: {clean(plugin.error)}", file=err)
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


def register_edits(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    set_ = actions.add_parser(
        "set", help="set one key (a dotted path) to a TOML value, keeping comments; audited"
    )
    add_common(set_)
    set_.add_argument("key", help="e.g. indicators.tertiary_share.target.value")
    set_.add_argument("value", help='a TOML value: 7.5, "经济", 2025-12-31, true')
    set_.set_defaults(handler=run_set)

    annotate = actions.add_parser(
        "annotate",
        help="add an annotation (author: this account, time: now) to an indicator; audited",
    )
    add_common(annotate)
    annotate.add_argument("indicator", help="the indicator's id, e.g. tertiary_share")
    annotate.add_argument("text", help="one line, e.g. 季度数据因统计口径调整不可比")
    annotate.set_defaults(handler=run_annotate)

    hist = actions.add_parser("history", help="the config changes recorded in the store")
    add_common(hist)
    hist.add_argument("--json", action="store_true", help="print a JSON array")
    hist.add_argument("--key", default="", help="only this key and the keys under it")
    hist.add_argument("--limit", type=int, default=200)
    hist.set_defaults(handler=run_history)

    reload = actions.add_parser(
        "reload", help="make every running dashboard and collector re-read the config now"
    )
    add_common(reload)
    reload.set_defaults(handler=run_reload)


def run_set(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config.edit import set_key

    editing = _editor(args, env, err)
    if editing is None:
        return EXIT_FAILED
    path, account, validate, _ = editing
    try:
        change = set_key(path, args.key, args.value, validate)
    except ConfigError as exc:
        return _refused(exc, err)
    print(f"{path}: {change.key} = {change.new} (was {change.old or 'unset'})", file=out)
    _audit(args, env, err, account, change)
    return EXIT_OK


def run_annotate(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config import audit
    from lishi_tui.config.annotations import add_annotation
    from lishi_tui.domain.periods import CHINA_TZ

    editing = _editor(args, env, err)
    if editing is None:
        return EXIT_FAILED
    path, account, validate, current = editing
    known = list(current.indicators) if current is not None else None
    if known is not None and args.indicator not in known:
        hint = did_you_mean(nearest(args.indicator, known))
        print(f"{path}: unknown indicator {args.indicator!r}{hint}", file=err)
        return EXIT_FAILED
    at = audit.now().astimezone(CHINA_TZ)
    try:
        change = add_annotation(path, args.indicator, args.text, account, at, validate)
    except ConfigError as exc:
        return _refused(exc, err)
    print(f"{path}: {change.key} = {change.new}", file=out)
    _audit(args, env, err, account, change)
    return EXIT_OK


Validate = Callable[[Path, str], None]


def _editor(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO
) -> tuple[Path, str, Validate, Config | None] | None:
    """The file to edit, the account, the validator and the config as it is (None when the
    file does not load); None (said on ``err``) when the account is a viewer here."""
    from lishi_tui.config.loader import build_config
    from lishi_tui.config.locate import locate_config
    from lishi_tui.config.reading import parse_raw
    from lishi_tui.roles import configured_operators, current_account

    path = locate_config(getattr(args, "config", None), env)
    registry = _registry(args, env)
    account = current_account(env)
    try:
        current = build_config(parse_raw(path, path.read_text(encoding="utf-8")), registry, env)
    except ConfigError:
        current = None  # a broken file may be mended by `set`; the new one is validated
    operators = configured_operators(current) if current is not None else None
    if operators is not None and account not in operators:
        print(
            f"{path}: refused: account {account!r} is a viewer here ([app] operators does not"
            " list it)",
            file=err,
        )
        return None

    def validate(p: Path, text: str) -> None:
        build_config(parse_raw(p, text), registry, env)

    return path, account, validate, current


def _refused(exc: ConfigError, err: TextIO) -> int:
    for issue in exc.issues:
        print(clean(issue, single_line=True), file=err)
    print("not written", file=err)
    return EXIT_FAILED


def _audit(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO, account: str, change: Change
) -> None:
    from lishi_tui.config import audit

    entry = audit.AuditEntry(
        audit.now(), account, audit.Origin.CLI, str(change.file), change.key, change.old, change.new
    )
    try:
        runtime_store = _open_store(args, env)
        try:
            audit.record_edits(runtime_store, [entry])
        finally:
            runtime_store.close()
    except Exception as exc:  # the edit stands; say loudly that it is not in the trail
        print(
            f"warning: the change was written but not recorded in the audit trail: {exc}", file=err
        )


def _open_store(args: argparse.Namespace, env: Mapping[str, str]) -> Store:
    from lishi_tui.commands.common import open_runtime

    return open_runtime(args, env).open_store()


def run_history(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    import json

    from lishi_tui.config import audit

    store = _open_store(args, env)
    try:
        entries = audit.history(store, key_prefix=args.key, limit=args.limit, create=False)
    finally:
        store.close()
    if args.json:
        rows = [
            {
                "at": e.at.isoformat(),
                "who": e.who,
                "origin": e.origin.value,
                "file": e.file,
                "key": e.key,
                "old": e.old,
                "new": e.new,
            }
            for e in entries
        ]
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    if not entries:
        print("no recorded config changes", file=out)
    for e in entries:
        when = e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{when}  {clean(e.who, single_line=True)}  {e.origin.value:<9}  {e.key}:"
            f" {clean(e.old or 'unset', single_line=True)} -> "
            f"{clean(e.new or 'unset', single_line=True)}",
            file=out,
        )
    return EXIT_OK


def run_reload(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Check the file, then touch it: every process watching it re-reads it within a second
    (``collect`` also re-reads on SIGHUP). A broken file is reported and still touched, so
    the running processes show the same errors."""
    import os

    from lishi_tui.config.locate import locate_config

    path = locate_config(getattr(args, "config", None), env)
    code = run_check(args, env, out, err)
    os.utime(path)
    print(f"{path}: running dashboards and collectors re-read it now", file=out)
    return code
