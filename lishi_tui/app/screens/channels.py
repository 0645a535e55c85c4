"""The plugins screen's notification channels: each configured notifier and its last delivery."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text

from lishi_tui.app.formatting import literal
from lishi_tui.app.i18n import t
from lishi_tui.domain.periods import CHINA_TZ
from lishi_tui.notify.api import ChannelHealth, NotifierConfig, channel_health
from lishi_tui.notify.health import load_health
from lishi_tui.store.base import Store

CHANNEL_COLUMNS = (
    "col.name",
    "col.type",
    "col.state",
    "col.last_delivery",
    "col.last_success",
    "col.failures",
    "col.last_error",
)
CHANNEL_COLUMNS_NARROW = ("col.name", "col.state", "col.last_delivery", "col.failures")


def read_channel_health(store: Store) -> dict[str, ChannelHealth]:
    """Every channel's latest outcome: the store's (any process), or this process's if newer."""
    seen = load_health(store)
    for nid, here in channel_health().items():
        stored = seen.get(nid)
        if stored is None or here.at > stored.at:
            seen[nid] = here
    return seen


def _when(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return t("none", lang)
    return moment.astimezone(CHINA_TZ).strftime("%m-%d %H:%M")


def channel_rows(
    notifiers: Mapping[str, NotifierConfig], health: Mapping[str, ChannelHealth], lang: str
) -> tuple[dict[str, dict[str, Text]], dict[str, Text]]:
    """Table cells per notifier id, and the one-line detail of each (the error in full)."""
    rows: dict[str, dict[str, Text]] = {}
    details: dict[str, Text] = {}
    for nid, notifier in notifiers.items():
        h = health.get(nid)
        if not notifier.enabled:
            status = Text(t("state.disabled", lang), "dim")
        elif h is None:
            status = Text(t("state.never_sent", lang), "dim")
        elif h.ok:
            status = Text(t("state.ok", lang), "green")
        else:
            status = Text(t("state.failing", lang), "bold reverse yellow")
        error = literal(h.error, "yellow") if h and h.error else Text(t("none", lang))
        rows[nid] = {
            "col.name": literal(nid),
            "col.type": literal(notifier.type),
            "col.state": status,
            "col.last_delivery": Text(_when(h.at if h else None, lang)),
            "col.last_success": Text(_when(h.last_ok_at if h else None, lang)),
            "col.failures": Text(str(h.failures_in_row if h else 0)),
            "col.last_error": error,
        }
        line = Text("▸ ")
        line.append_text(literal(nid, "bold"))
        for key in ("col.type", "col.last_success", "col.last_error"):
            line.append(f"  {t(key, lang)}: ", "dim")
            line.append_text(rows[nid][key])
        details[nid] = line
    return rows, details
