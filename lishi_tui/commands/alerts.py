"""``lishi-tui alerts``: its arguments; what it does is in ``alerts_run``, imported when it runs.

Every command's parser is built at each start, the dashboard's too: the alert engine, rules and
store tables this command works with are imported only when an alerts command is run.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Mapping
from typing import TextIO

from lishi_tui.commands.common import Handler, add_common


def _later(name: str) -> Handler:
    def run(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
        handler: Handler = getattr(importlib.import_module("lishi_tui.commands.alerts_run"), name)
        return handler(args, env, out, err)

    return run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "alerts",
        help="current alerts; history, ack, silence, test",
        description="Alerts the collector evaluated, from the store. Without an action: the "
        "alerts now pending, firing, without data or in error.",
    )
    add_common(parser)
    parser.add_argument("--json", action="store_true", help="a JSON array of alert instances")
    parser.add_argument("--all", action="store_true", help="include alerts back to normal")
    parser.set_defaults(handler=_later("run_list"))
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION")

    history = actions.add_parser("history", help="state changes, newest first")
    add_common(history)
    history.add_argument("alert", nargs="?", help="one alert's id (RULE/SUBJECT)")
    history.add_argument("--limit", type=int, default=50)
    history.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    history.set_defaults(handler=_later("run_history"))

    ack = actions.add_parser("ack", help="acknowledge an alert: it stops repeating")
    add_common(ack)
    ack.add_argument("alert", help="the alert's id (RULE/SUBJECT)")
    ack.add_argument("--reason", required=True, help="why, for the record")
    ack.set_defaults(handler=_later("run_ack"))

    silence = actions.add_parser("silence", help="send nothing about an alert or rule for a while")
    add_common(silence)
    silence.add_argument("target", help="an alert id (RULE/SUBJECT) or a rule id")
    silence.add_argument("--for", dest="duration", required=True, help='e.g. "2h", "1d"')
    silence.add_argument("--reason", required=True, help="why, for the record")
    silence.set_defaults(handler=_later("run_silence"))

    test = actions.add_parser("test", help="evaluate a rule now; print what it would send")
    add_common(test)
    test.add_argument("rule", help="the rule's id ([alerts.<id>])")
    test.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    test.set_defaults(handler=_later("run_test"))
