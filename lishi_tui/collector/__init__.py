"""The collector: runs every source on its own schedule and stores what they return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lishi_tui.collector.collector import Collector, SourceState

__all__ = ["Collector", "SourceState"]


def __getattr__(name: str) -> Any:
    # Lazy: lishi_tui.collector.lock (taken by the dashboard even with --no-collector) must not
    # import httpx through this package's __init__.
    if name in __all__:
        from lishi_tui.collector import collector

        return getattr(collector, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
