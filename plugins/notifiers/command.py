"""The ``command`` channel: run a local program with the batch as JSON on its stdin.

The program is started directly (an argument list, never a shell), time-limited by the
notifier's ``timeout`` and killed when it overruns. Exit 0 is delivered; exit 75
(EX_TEMPFAIL) asks for a retry; any other exit is a failure showing the end of stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

from lishi_tui.plugin import DeliveryError, NotifierType, Option, OptionKind, SendContext

from .webhook import batch_body

EX_TEMPFAIL = 75


async def send(ctx: SendContext) -> None:
    argv = [str(a) for a in ctx.options["command"]]
    if not argv or not argv[0]:
        raise DeliveryError("command is empty")
    stdin = json.dumps(batch_body(ctx), ensure_ascii=False).encode("utf-8")
    env = {**os.environ, "LISHI_TUI_NOTIFIER": ctx.notifier_id, "LISHI_TUI_LANG": ctx.lang}
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,  # a hung child's own children are not ours to wait for
        )
    except FileNotFoundError:
        raise DeliveryError(f"{argv[0]}: no such program") from None
    except PermissionError:
        raise DeliveryError(f"{argv[0]}: not executable") from None
    try:
        async with asyncio.timeout(ctx.timeout):
            _, stderr = await proc.communicate(stdin)
    except TimeoutError:
        raise DeliveryError(
            f"{argv[0]}: did not finish within {ctx.timeout:g} s (killed)", retryable=True
        ) from None
    finally:
        if proc.returncode is None:  # timed out or cancelled: no child outlives its delivery
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        detail = ctx.redact(tail[0])[:200]
        raise DeliveryError(
            f"{argv[0]} exited with {proc.returncode}" + (f": {detail}" if detail else ""),
            retryable=proc.returncode == EX_TEMPFAIL,
        )


def validate(options: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    argv = options.get("command")
    if isinstance(argv, list):
        if not argv:
            yield "command", 'needs the program to run, e.g. ["/usr/local/bin/notify"]'
        elif not all(isinstance(a, str) and a for a in argv):
            yield "command", "every item must be a non-empty string (no shell is used)"


COMMAND = NotifierType(
    "command",
    send,
    {
        "command": Option(
            OptionKind.LIST,
            required=True,
            help='the program and its arguments, e.g. ["/usr/local/bin/page-duty", "--team", "ops"]',
        ),
    },
    description="a local program with the batch as JSON on stdin (no shell)",
    validate=validate,
)
