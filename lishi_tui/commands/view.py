"""``lishi-tui view``: the dashboard for one SSH session, which never collects and never writes.

OpenSSH starts it for each official (``ForceCommand`` or ``command="..."`` in
``authorized_keys``, see docs/deploy.md); one ``lishi-tui collect`` service fills the
database it reads. Without a terminal it refuses at once and touches nothing.

Like the dashboard it follows its config file (lishi_tui.config.live): a valid save is
applied in place, a broken one is shown as a banner while the last good config stays in
force, and a start on a broken file runs on the last good copy (``collect`` keeps it; see
docs/config.md, "Hot reload") and says so. A viewer reads that copy but never writes it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from lishi_tui import kept_table
from lishi_tui.commands.common import EXIT_FAILED, EXIT_USAGE, add_common
from lishi_tui.roles import Role, RoleRefused, configured_operators, current_account, resolve_role

if TYPE_CHECKING:
    from lishi_tui.bootstrap import Runtime
    from lishi_tui.config.reload import ConfigWatcher

# Textual settings a session keeps; every other TEXTUAL_* variable (TEXTUAL_SCREENSHOT
# writes a file, TEXTUAL=devtools connects out) is dropped before Textual is imported.
KEPT_TEXTUAL_VARIABLES = ("TEXTUAL_COLOR_SYSTEM",)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "view",
        help="the dashboard only: never collects, never writes (for SSH sessions)",
        description="Show the dashboard on this terminal, reading what `lishi-tui collect`"
        " stores. A viewer (the default) can only look; an operator may also edit and"
        " acknowledge, recorded with the account name.",
    )
    add_common(parser)
    parser.add_argument(
        "--role",
        dest="view_role",
        choices=[r.value for r in Role],
        default=argparse.SUPPRESS,
        help="viewer (default) or operator",
    )
    parser.add_argument(
        "--low-bandwidth",
        action="store_true",
        help="16 colours and at most one update a second, whatever the config says",
    )
    parser.set_defaults(handler=run_view)


def has_terminal() -> bool:
    """Both ends of the session are a terminal (no pty: ``ssh host cmd`` without -t)."""
    return os.isatty(0) and os.isatty(1)


def run_view(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if not has_terminal():
        print("lishi-tui view needs a terminal (connect with ssh -t)", file=err)
        kept_table.hold_writes()  # refused: not even the caches' files are written
        return EXIT_FAILED
    from lishi_tui.config import live

    requested = Role(getattr(args, "view_role", None) or getattr(args, "role", None) or "viewer")
    # A broken config file starts on its last good copy (said loudly), then is watched.
    runtime, watcher = live.open_resilient(args, env, err, remember=False)
    if args.low_bandwidth:
        app_settings = dataclasses.replace(runtime.config.app, low_bandwidth=True)
        config = dataclasses.replace(runtime.config, app=app_settings)
        runtime = dataclasses.replace(runtime, config=config)
    account = current_account(env)
    try:
        role = resolve_role(requested, account, configured_operators(runtime.config))
    except RoleRefused as exc:
        print(exc, file=err)
        return EXIT_USAGE
    missing = missing_history(runtime)
    if missing is not None:
        print(missing, file=err)
        return EXIT_FAILED
    return run_app(runtime, env, role=role, account=account, config_watcher=watcher)


def missing_history(runtime: Runtime) -> str | None:
    """Why there is nothing to view, when the SQLite file does not exist (opening it would
    create it: a viewer writes nothing)."""
    from lishi_tui.store.factory import SQLITE_BACKENDS, sqlite_path

    storage = runtime.config.storage
    if storage.backend.lower() not in SQLITE_BACKENDS:
        return None
    path = sqlite_path(storage, base_dir=runtime.config.base_dir)
    if path.exists():
        return None
    return f"no history at {path}: start the collector first (lishi-tui collect)"


def drop_textual_variables() -> None:
    for name in [n for n in os.environ if n.startswith("TEXTUAL")]:
        if name not in KEPT_TEXTUAL_VARIABLES:
            del os.environ[name]


def run_app(
    runtime: Runtime,
    env: Mapping[str, str],
    *,
    role: Role,
    account: str,
    config_watcher: ConfigWatcher | None = None,
) -> int:
    """Run the dashboard, without a collector, until it is quit or the terminal goes away."""
    drop_textual_variables()
    if runtime.config.app.low_bandwidth and "TEXTUAL_COLOR_SYSTEM" not in os.environ:
        # 16 colours instead of 24-bit codes: most of what an update sends is colour
        # escapes, and Textual reads this setting once, when it is first imported.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "standard"
    from lishi_tui.app.app import make_app  # Textual is imported only for the dashboard
    from lishi_tui.exiting import skip_teardown

    store = runtime.open_store()
    try:
        app = make_app(
            runtime.config,
            runtime.registry,
            store,
            env=env,
            role=role,
            account=account,
            config_watcher=config_watcher,
        )
        app.run()
        return app.return_code or 0
    finally:
        store.close()
        skip_teardown()
