"""``lishi-tui redact``: after a key leaked into the history, every secret the config
resolves (and any named with ``--env`` or read from stdin) replaced by ``***`` wherever the
store keeps text, by the rules of ``lishi_tui.store.redaction``; figures untouched."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TextIO

from lishi_tui.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_common, open_runtime


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    redact = sub.add_parser(
        "redact",
        help="replace every configured secret (and URL credentials) stored anywhere in the"
        " history by *** (after a key leaks); figures untouched",
    )
    add_common(redact, suppress=True)
    redact.add_argument(
        "--dry-run", action="store_true", help="say what would be redacted; change nothing"
    )
    redact.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME",
        help="also the value of environment variable NAME (an old key the config no longer"
        " names; repeat for more)",
    )
    redact.add_argument(
        "--stdin", action="store_true", help="also every line of standard input, one secret a line"
    )
    redact.set_defaults(handler=run_redact)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_redact(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    from lishi_tui.config.secrets import config_secrets
    from lishi_tui.roles import configured_operators, current_account
    from lishi_tui.store.redaction import MIN_SECRET_CHARS, redact_store, searchable

    runtime = open_runtime(args, env)
    account = current_account(env)
    operators = configured_operators(runtime.config)
    if not args.dry_run and operators is not None and account not in operators:
        print(
            f"redact: refused: account {account!r} is a viewer here ([app] operators does not"
            " list it)",
            file=err,
        )
        return EXIT_FAILED
    missing = [name for name in args.env if not env.get(name)]
    if missing:
        print(f"redact: environment variable(s) not set: {', '.join(missing)}", file=err)
        return EXIT_USAGE
    secrets = [*config_secrets(runtime.config), *(env[name] for name in args.env)]
    if args.stdin:
        secrets += [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    kept, short = searchable(secrets)
    for secret in short:
        print(
            f"redact: a secret of {len(secret.strip())} characters is not looked for (fewer"
            f" than {MIN_SECRET_CHARS} would match ordinary text)",
            file=err,
        )
    store = runtime.open_store(writable=not args.dry_run)
    try:
        with store.read() if args.dry_run else store.transaction("redaction") as tx:
            tables = sorted({c.table for c in tx.dialect.text_columns(tx)})
            before = {t: tx.one(f"SELECT COUNT(*) FROM {t}") for t in tables}
            found = redact_store(tx, kept, dry_run=args.dry_run)
            after = {t: tx.one(f"SELECT COUNT(*) FROM {t}") for t in tables}
            if before != after:  # cannot happen: only UPDATEs run; never commit if it did
                raise RuntimeError(f"row counts moved during redaction: {before} -> {after}")
            tx.touch(*{f.table for f in found})
    finally:
        store.close()
    verb = "would be redacted" if args.dry_run else "redacted"
    left = [f for f in found if f.key]
    for f in found:
        what = f"{_count(f.values, 'value')} in {_count(f.rows, 'row')}"
        if f.key:
            print(
                f"{f.table}.{f.column}: {what} hold a secret in a key column, not rewritten:"
                " change them by hand",
                file=out,
            )
        else:
            print(f"{f.table}.{f.column}: {what} {verb}", file=out)
    rows = sum(int(n[0]) for n in before.values() if n)
    done = [f for f in found if not f.key]
    print(
        f"{_count(sum(f.rows for f in done), 'row')} in {_count(len(done), 'column')} {verb};"
        f" {_count(len(tables), 'table')} ({_count(rows, 'row')}) searched for"
        f" {_count(len(kept), 'secret')} and URL credentials; no row added or removed",
        file=out,
    )
    return EXIT_FAILED if left else EXIT_OK
