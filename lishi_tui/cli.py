"""The ``lishi-tui`` command: the dashboard, fetch, show, plugins, collect and config."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from lishi_tui import __version__, gc_pause
from lishi_tui.commands import BUILTIN_COMMANDS, register_all
from lishi_tui.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_common,
    open_runtime,
)
from lishi_tui.commands.plugin_commands import (
    add_plugin_commands,
    command_word,
    load_for_parser,
    needs_plugin_commands,
)
from lishi_tui.config.errors import ConfigError
from lishi_tui.config.schema import resolve_language
from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.export.rows import observation_json
from lishi_tui.registry import Registry
from lishi_tui.roles import Role, RoleRefused, configured_operators, current_account, resolve_role
from lishi_tui.store.faults import StoreUnavailable, sqlite_fault
from lishi_tui.text import clean, clean_json

if TYPE_CHECKING:
    from lishi_tui.app.collector_api import CollectorLike, DeferredCollector
    from lishi_tui.bootstrap import Runtime
    from lishi_tui.config.schema import Config
    from lishi_tui.store.base import Store

_common = add_common

Subparsers = argparse._SubParsersAction  # the type of ``add_subparsers()``'s result


def _add_fetch(sub: Subparsers[argparse.ArgumentParser]) -> None:
    fetch = sub.add_parser("fetch", help="run every enabled source once and store the results")
    _common(fetch, suppress=True)
    fetch.add_argument("--once", action="store_true", help="run once and exit (the default)")
    fetch.add_argument("sources", nargs="*", metavar="SOURCE", help="only these sources")


def _add_show(sub: Subparsers[argparse.ArgumentParser]) -> None:
    show = sub.add_parser("show", help="print the latest observation of each indicator")
    _common(show, suppress=True)
    show.add_argument("--json", action="store_true", help="print a JSON array")
    show.add_argument("indicators", nargs="*", metavar="INDICATOR")


def _add_plugins(sub: Subparsers[argparse.ArgumentParser]) -> None:
    plugins = sub.add_parser("plugins", help="list plugins, what they provide and their errors")
    _common(plugins, suppress=True)
    plugins.add_argument("--json", action="store_true", help="print a JSON array")
    plugins.add_argument(
        "--trace", action="store_true", help="also show how long each import and hook call took"
    )


def _add_collect(sub: Subparsers[argparse.ArgumentParser]) -> None:
    collect = sub.add_parser("collect", help="run the collector until stopped (SIGINT/SIGTERM)")
    _common(collect, suppress=True)


# The commands this module runs itself (the others are in lishi_tui.commands), in help order.
_BUILT_HERE: dict[str, Callable[[Subparsers[argparse.ArgumentParser]], None]] = {
    "fetch": _add_fetch,
    "show": _add_show,
    "plugins": _add_plugins,
    "collect": _add_collect,
}


def build_parser(
    registry: Registry | None = None,
    err: TextIO | None = None,
    *,
    only: Collection[str] | None = None,
) -> argparse.ArgumentParser:
    """The command line; with ``registry``, the commands plugins registered too.

    ``only``: build just these built-in commands' parsers (each start builds the one its
    command line names, not all of them; argparse spends about 0.3 ms a parser)."""
    parser = argparse.ArgumentParser(
        prog="lishi-tui",
        description="Terminal dashboard for development indicators. "
        "With no command, starts the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"lishi-tui {__version__}")
    _common(parser, suppress=False)
    parser.add_argument(
        "--no-collector",
        action="store_true",
        help="dashboard only reads the store (run `lishi-tui collect` separately)",
    )
    parser.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default=None,
        help="viewer (read-only) or operator; default: operator only for the config's"
        " operator accounts",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name, add in _BUILT_HERE.items():
        if only is None or name in only:
            add(sub)
    register_all(sub, only)
    if registry is not None:
        add_plugin_commands(sub, registry, err or sys.stderr)
    return parser


def _commands_to_build(words: Sequence[str], plugins: Registry | None) -> tuple[str, ...] | None:
    """The built-in commands whose parsers this command line needs: the one it names, none
    when it names none (the dashboard), or all (None) for help or an unknown word, whose
    message lists every command."""
    word = command_word(words)
    if plugins is not None or (word is None and any(w in ("-h", "--help") for w in words)):
        return None
    if word is None:
        return ()
    return (word,) if word in BUILTIN_COMMANDS else None


def entry() -> int:
    """The ``lishi-tui`` command: ``main``, then exit without waiting for plugin threads."""
    from lishi_tui.exiting import leave

    return leave(main())


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    environ: Mapping[str, str] = os.environ if env is None else env
    out, err = sys.stdout, sys.stderr
    # A command that is not built in may be a plugin's: load plugins to know (and only then).
    plugins = load_for_parser(words, environ) if needs_plugin_commands(words) else None
    args = build_parser(plugins, err, only=_commands_to_build(words, plugins)).parse_args(words)
    if args.command not in (None, "view"):
        gc_pause.resume()  # the dashboard resumes it once its first frame is drawn
    try:
        if (handler := getattr(args, "handler", None)) is not None:
            code: int = handler(args, environ, out, err)
            return code
        match args.command:
            case None:
                return run_dashboard(args, environ)
            case "fetch":
                return run_fetch(args, environ, out, err)
            case "show":
                return run_show(args, environ, out)
            case "plugins":
                return run_plugins(args, environ, out)
            case "collect":
                return run_collect(args, environ, err)
    except ConfigError as exc:
        print(clean(exc), file=err)
        return EXIT_USAGE
    except StoreUnavailable as exc:
        print(f"lishi-tui: {clean(exc, single_line=True)}", file=err)
        return EXIT_FAILED
    except sqlite3.Error as exc:  # a fault met after opening: one line, not a traceback
        print(
            f"lishi-tui: {clean(sqlite_fault(Path('(SQLite)'), exc), single_line=True)}", file=err
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `lishi-tui show | head`: the reader left; say nothing more, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return EXIT_USAGE


_runtime = open_runtime


# -- dashboard -------------------------------------------------------------------------


def run_dashboard(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from lishi_tui.config import live
    from lishi_tui.exiting import skip_teardown

    # A broken config file starts on its last good copy (said loudly), then is watched.
    runtime, watcher = live.open_resilient(args, env, sys.stderr)
    account = current_account(env)
    try:
        role = resolve_role(
            Role(args.role) if args.role else None, account, configured_operators(runtime.config)
        )
    except RoleRefused as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if runtime.config.app.low_bandwidth and "TEXTUAL_COLOR_SYSTEM" not in os.environ:
        # 16 colours instead of 24-bit codes: most of what an update sends is colour
        # escapes, and Textual reads this setting once, when it is first imported.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "standard"
    from lishi_tui.app.app import make_app  # Textual is imported only for the dashboard

    store = runtime.open_store()
    lock = runtime.collector_lock()
    try:
        collector = None
        wants_collector = runtime.config.app.collector == "auto" and not args.no_collector
        # A second dashboard on the same database reads what the first one collects.
        if wants_collector and (lock is None or lock.acquire()):
            collector = _deferred_collector(runtime, store)
        app = make_app(
            runtime.config,
            runtime.registry,
            store,
            collector=collector,
            env=env,
            role=role,
            account=account,
            config_watcher=watcher,
        )
        app.run()
        return app.return_code or 0
    finally:
        if lock is not None:
            lock.release()
        store.close()
        skip_teardown()


def _deferred_collector(runtime: Runtime, store: Store) -> DeferredCollector:
    """The dashboard's collector, made after its first frame (httpx is imported then)."""
    from lishi_tui.app.collector_api import DeferredCollector

    def prepare() -> None:
        import lishi_tui.collector.collector  # noqa: F401  (httpx: in a thread, off the loop)

    def make(config: Config) -> CollectorLike:
        from lishi_tui.collector.collector import Collector

        return Collector(config, runtime.registry, store)

    return DeferredCollector(make, runtime.config, prepare=prepare)


# -- fetch and collect -----------------------------------------------------------------


def _outcome_line(outcome: SourceRunOutcome) -> str:
    mark = "ok " if outcome.ok else "ERR"
    head = f"{mark} {clean(outcome.source, single_line=True):<24} {outcome.duration_s:6.2f}s"
    if outcome.ok:
        body = f"{outcome.readings} readings, {outcome.new_observations} new"
        if outcome.skipped:
            first = clean(outcome.skipped[0], single_line=True, limit=80)
            body += f", {len(outcome.skipped)} skipped ({first})"
        return f"{head}  {body}"
    return f"{head}  {clean(outcome.error, single_line=True, limit=400)}"


def run_fetch(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    runtime = _runtime(args, env)
    from lishi_tui.collector.collector import Collector

    unknown = [s for s in args.sources if s not in runtime.config.sources]
    if unknown:
        print(f"unknown source(s): {', '.join(unknown)}", file=err)
        return EXIT_USAGE
    store = runtime.open_store(writable=True)
    try:
        total = len(args.sources or runtime.config.sources)
        print(f"fetching {total} source(s) once…", file=out, flush=True)

        def report(outcome: SourceRunOutcome) -> None:
            print(_outcome_line(outcome), file=out, flush=True)

        collector = Collector(runtime.config, runtime.registry, store, on_run=report)
        outcomes = asyncio.run(_fetch_once(collector, args.sources or None))
    finally:
        store.close()
    failed = [o for o in outcomes if not o.ok]
    stored = sum(o.new_observations for o in outcomes)
    print(
        f"{len(outcomes)} source(s) run, {len(failed)} failed, {stored} new observation(s)",
        file=out,
    )
    return EXIT_FAILED if failed else EXIT_OK


async def _fetch_once(collector: Any, sources: list[str] | None) -> list[SourceRunOutcome]:
    try:
        result: list[SourceRunOutcome] = await collector.run_once(sources)
        return result
    finally:
        await collector.stop()


def run_collect(args: argparse.Namespace, env: Mapping[str, str], err: TextIO) -> int:
    from lishi_tui.collector.collector import Collector
    from lishi_tui.config import live

    # A broken config file starts on its last good copy (said loudly), then is watched.
    runtime, watcher = live.open_resilient(args, env, err)

    lock = runtime.collector_lock()
    if lock is not None and not lock.acquire():
        holder = lock.holder()
        print(
            f"another collector (pid {holder or '?'}) is already collecting into this database;"
            " stop it first, or run the dashboard with --no-collector",
            file=err,
        )
        return EXIT_FAILED
    store = runtime.open_store(writable=True)

    def report(outcome: SourceRunOutcome) -> None:
        print(_outcome_line(outcome), file=err, flush=True)

    collector = Collector(runtime.config, runtime.registry, store, on_run=report)

    async def main_loop() -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        reload_now = asyncio.Event()
        loop.add_signal_handler(signal.SIGHUP, reload_now.set)
        following = asyncio.create_task(
            live.follow_collector(watcher, collector, store, err, force=reload_now)
        )
        task = asyncio.create_task(collector.run_forever())
        waiter = asyncio.create_task(stopping.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        print("stopping: finishing the write in progress…", file=err, flush=True)
        await collector.stop()
        task.cancel()
        following.cancel()
        await asyncio.gather(task, following, return_exceptions=True)
        waiter.cancel()

    print(
        f"collecting {len(runtime.config.sources)} source(s); Ctrl+C or SIGTERM stops",
        file=err,
        flush=True,
    )
    try:
        asyncio.run(main_loop())
    finally:
        store.close()
        if lock is not None:
            lock.release()
    return EXIT_OK


# -- show ------------------------------------------------------------------------------


def run_show(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    runtime = _runtime(args, env)
    config = runtime.config
    wanted = list(args.indicators) or list(config.indicators)
    unknown = [i for i in wanted if i not in config.indicators]
    if unknown:
        print(f"unknown indicator(s): {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    store = runtime.open_store()
    try:
        latest = store.latest(wanted, include_demo=config.app.demo)
    finally:
        store.close()
    lang = resolve_language(config.app.language, env)
    now = datetime.now(UTC)
    secrets = [s for src in config.sources.values() for s in src.secrets]
    rows = [
        observation_json(config.indicators[i], latest.get(i), lang=lang, now=now, secrets=secrets)
        for i in wanted
    ]
    if args.json:
        json.dump(clean_json(rows), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    for row in rows:
        out.write(_show_line(row) + "\n")
    return EXIT_OK


def _show_line(row: Mapping[str, Any]) -> str:
    if row["value"] is None:
        figure = "—"
    else:
        symbol = {"at_least": "≥", "at_most": "≤", "about": "≈"}.get(row["qualifier"] or "", "")
        figure = f"{symbol}{row['value']:,.{row['decimals']}f} {row['unit']}".strip()
        if row["numerator"] is not None and row["denominator"] is not None:
            figure += f" ({row['numerator']:g}/{row['denominator']:g})"
    parts = [
        row["name"],
        figure,
        row["period_label"] or "",
        f"[{row['status']}]",
        f"source: {row['source'] or '—'}",
    ]
    if row["demo"]:
        parts.append("DEMO 演示数据")
    if row["freshness"] == "stale":
        parts.append("stale")
    # Every part may come from a config or a plugin (a unit with an OSC sequence, a name).
    return "  ".join(clean(p, single_line=True) for p in parts if p)


# -- plugins ---------------------------------------------------------------------------


def run_plugins(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    path = getattr(args, "config", None)
    from lishi_tui.config.loader import plugin_settings, read_raw
    from lishi_tui.config.locate import locate_config
    from lishi_tui.plugin_host import load_plugins

    # Plugins are listed even when the rest of the config is invalid.
    raw = read_raw(locate_config(path, env))
    registry = load_plugins(plugin_settings(raw, env), env=env)
    rows: list[dict[str, Any]] = [
        {
            "name": p.name,
            "version": p.version,
            "origin": p.origin.value,
            "location": p.location,
            "state": p.state.value,
            "hooks": p.hooks,
            "source_types": p.source_types,
            "indicators": p.indicators,
            "notifiers": p.notifiers,
            "panel_kinds": p.panel_kinds,
            "export_formats": p.export_formats,
            "commands": p.commands,
            "error": p.error,
            "seconds": {k: round(v, 6) for k, v in p.seconds.items()},
        }
        for p in registry.plugins
    ]
    if args.json:
        json.dump(clean_json(rows), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    for row in rows:
        provides = ", ".join(
            row["source_types"]
            + [f"notifier {n}" for n in row["notifiers"]]
            + [f"panel {k}" for k in row["panel_kinds"]]
            + [f"export {f}" for f in row["export_formats"]]
            + [f"command {c}" for c in row["commands"]]
            + [f"{len(row['indicators'])} indicators"]
        )
        line = f"{row['name']:<20} {row['state']:<8} {row['origin']:<11} {provides}"
        out.write(clean(line, single_line=True) + "\n")
        if row["error"]:
            out.write(f"    error: {clean(row['error'], single_line=True)}\n")
        if args.trace:
            for step, seconds in row["seconds"].items():
                out.write(f"    {seconds * 1000:8.1f} ms  {step}\n")
    return EXIT_OK
