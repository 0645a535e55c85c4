"""What the dashboard needs of the collector it runs in its own process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class CollectorLike(Protocol):
    """What the app needs of ``lishi_tui.collector.Collector``."""

    async def run_forever(self) -> None: ...

    def refresh(self, source_id: str | None = None) -> object: ...

    async def stop(self) -> None: ...

    def states(self) -> Mapping[str, object]: ...
