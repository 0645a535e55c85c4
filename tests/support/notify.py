"""Alert events and notifier configs as the notification tests (and the alerts tests) build them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lishi_tui.notify.api import AlertEvent, NotifierConfig
from tests.support.bundled import load_bundled

SINCE = datetime(2026, 12, 1, 23, 10, tzinfo=UTC)

_REGISTRY = None


def notifier_types() -> Any:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = load_bundled("notifiers")
    return _REGISTRY.notifier_types


def event(**changes: Any) -> AlertEvent:
    """A firing alert on greening acreage behind its target, with every field filled."""
    base = AlertEvent(
        alert_id="greening_pace:greening_area",
        rule_id="greening_pace",
        rule_text='kind = "pace", margin = 5',
        state="firing",
        severity="warning",
        indicator_id="greening_area",
        indicator_name="新增绿化面积",
        value=1581.0,
        unit="亩",
        period="2026",
        period_label="2026年",
        target=1787.0,
        pace="落后进度 8.2 个百分点",
        source="greening_report",
        demo=False,
        since=SINCE,
        repeat=False,
        summary="新增绿化面积落后于按期完成所需进度",
    )
    return replace(base, **changes)


def notifier(
    type_name: str,
    options: Mapping[str, Any],
    *,
    id: str = "",
    secrets: tuple[str, ...] = (),
    timeout: float = 2.0,
    retries: int = 0,
    backoff: float = 0.01,
) -> NotifierConfig:
    """A notifier of a built-in type with the type's defaults filled in, as the loader makes it."""
    channel = notifier_types()[type_name]
    full = {k: o.default for k, o in channel.options.items() if not o.required}
    full.update(options)
    return NotifierConfig(
        id=id or type_name,
        type=type_name,
        options=full,
        channel=channel,
        timeout=timedelta(seconds=timeout),
        retries=retries,
        backoff=timedelta(seconds=backoff),
        max_backoff=timedelta(seconds=max(backoff, 0.05)),
        secrets=secrets,
    )
