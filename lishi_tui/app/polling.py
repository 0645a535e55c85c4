"""What one store poll read on its worker thread, and how a poll tells that a source ran."""

from __future__ import annotations

from dataclasses import dataclass, field

from lishi_tui.app.snapshot import IndicatorView
from lishi_tui.store.base import SourceHealth


@dataclass(frozen=True)
class PollRead:
    """What one poll read from the store on its worker thread."""

    version: int
    cursor: int
    health: dict[str, SourceHealth]
    views: dict[str, IndicatorView]  # indicators with new observations on screen, re-read
    status_only: frozenset[str]  # indicators whose source ran but stored nothing new
    changed: frozenset[str] = frozenset()  # every indicator with new observations
    depths: dict[str, int] = field(default_factory=dict)  # history points of each view read


def run_key(health: SourceHealth | None) -> tuple[object, ...] | None:
    """What identifies a source's last run: a poll compares it to see which sources ran."""
    if health is None or health.last_run is None:
        return None
    run = health.last_run
    return (run.started_at, run.ok, run.error)


__all__ = ["PollRead", "run_key"]
