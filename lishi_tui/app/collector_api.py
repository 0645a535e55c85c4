"""What the dashboard needs of the collector it runs in its own process, and a collector
made only once the first frame is drawn (``DeferredCollector``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lishi_tui.config.schema import Config


class CollectorLike(Protocol):
    """What the app needs of ``lishi_tui.collector.Collector``."""

    async def run_forever(self) -> None: ...

    def refresh(self, source_id: str | None = None) -> object: ...

    async def stop(self) -> None: ...

    def states(self) -> Mapping[str, object]: ...


class DeferredCollector:
    """The dashboard's in-process collector, made when the app first runs it (after its
    first frame) rather than before the app starts: the collector's module pulls in httpx,
    which the first frame does not need (about 40 ms of a start in a pty, BENCHMARKS.md).

    ``prepare`` runs in a thread first (the imports: the event loop keeps drawing), then
    ``make(config)`` on the loop, with the config in force then (a reload before it is
    kept for it). Until made there are no states, nothing to refresh and nothing to stop.
    """

    def __init__(
        self,
        make: Callable[[Config], CollectorLike],
        config: Config,
        *,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        self._make = make
        self._config = config
        self._prepare = prepare
        self.made: CollectorLike | None = None
        self.stopped = False

    async def collector(self) -> CollectorLike | None:
        """The collector, made now if it is not yet; None once stopped."""
        if self.made is None and not self.stopped:
            if self._prepare is not None:
                await asyncio.to_thread(self._prepare)
            if not self.stopped:  # (a stop while importing: nothing to make)
                self.made = self._make(self._config)
        return None if self.stopped else self.made

    async def run_forever(self) -> None:
        if (collector := await self.collector()) is not None:
            await collector.run_forever()

    def refresh(self, source_id: str | None = None) -> object:
        return None if self.made is None else self.made.refresh(source_id)

    async def stop(self) -> None:
        self.stopped = True
        if self.made is not None:
            await self.made.stop()

    def states(self) -> Mapping[str, object]:
        return {} if self.made is None else self.made.states()

    def apply_config(self, config: Config) -> object:
        """A reload: handed to the collector, or kept for making it."""
        self._config = config
        apply = getattr(self.made, "apply_config", None)
        return None if apply is None else apply(config)
