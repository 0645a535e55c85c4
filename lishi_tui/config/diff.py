"""Which sources a new config adds, removes or changes (what a hot reload restarts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lishi_tui.config.schema import SourceConfig


@dataclass(frozen=True)
class SourceDiff:
    """Sources by what a new config does to them."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff_sources(old: Mapping[str, SourceConfig], new: Mapping[str, SourceConfig]) -> SourceDiff:
    """Which sources start, stop, or restart with new settings; the rest are untouched."""
    return SourceDiff(
        added=tuple(s for s in new if s not in old),
        removed=tuple(s for s in old if s not in new),
        changed=tuple(s for s in new if s in old and new[s] != old[s]),
    )
