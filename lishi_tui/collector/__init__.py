"""The collector: runs every source on its own schedule and stores what they return."""

from lishi_tui.collector.collector import Collector, SourceState

__all__ = ["Collector", "SourceState"]
