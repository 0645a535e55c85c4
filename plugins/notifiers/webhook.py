"""The ``webhook`` channel: one JSON POST per batch to any URL.

The body's top-level keys describe the batch's first event (the most severe, firing before
resolved): ``alert``, ``rule``, ``state``, ``severity``, ``indicator``, ``value``, ``unit``,
``period``, ``source``, ``demo``, ``since`` and more; ``events`` lists every event of the
batch with the same keys, and ``title`` / ``text`` carry the message in the UI language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lishi_tui.plugin import AlertEvent, NotifierType, Option, OptionKind, SendContext

_SEVERITY = {"critical": 0, "warning": 1, "info": 2}
_STATE = {"firing": 0, "error": 1, "nodata": 2, "resolved": 3}


def ordered(events: Sequence[AlertEvent]) -> list[AlertEvent]:
    """Most severe first, firing before resolved; otherwise in the order given."""
    return sorted(events, key=lambda e: (_STATE.get(e.state, 9), _SEVERITY.get(e.severity, 9)))


def batch_body(ctx: SendContext) -> dict[str, Any]:
    """The JSON document a webhook (or a command's stdin) receives for a batch."""
    events = ordered(ctx.events)
    message = ctx.message
    return {
        **events[0].to_json(),
        "count": len(events),
        "events": [e.to_json() for e in events],
        "title": message.title,
        "text": message.text,
        "lang": ctx.lang,
    }


async def send(ctx: SendContext) -> None:
    headers = {str(k): str(v) for k, v in (ctx.options.get("headers") or {}).items()}
    await ctx.http.post_json(ctx.options["url"], batch_body(ctx), headers=headers)


WEBHOOK = NotifierType(
    "webhook",
    send,
    {
        "url": Option(
            OptionKind.URL,
            required=True,
            secret=True,
            help="where to POST the JSON (kept out of logs: it may carry a token)",
        ),
        "headers": Option(
            OptionKind.TABLE,
            default={},
            secret=True,
            help="extra request headers, e.g. Authorization",
        ),
    },
    description="a JSON POST per batch of alerts to any URL",
)
