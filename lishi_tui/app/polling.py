"""Following the store from the watcher's thread: what a commit changed, read there, and
handed to the UI only when it touches what is on screen.

The watcher thread (``lishi_tui.app.watcher``) sees that something was committed; the
``StoreFollower`` then reads, on that same thread, the new observations, the sources'
runs and the alerts, and compares them with what the dashboard shows. Only a change to an
indicator on the page on screen, or to the alerts, is posted to the app (one ``PollRead``);
what changed off screen is only marked stale, and read when its page is shown. So a commit
that changes nothing on screen (a demo feed ticking on another page) costs the event loop
nothing: no message, no worker, no refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lishi_tui.app.snapshot import IndicatorView, read_view
from lishi_tui.collector.heartbeat import is_stale
from lishi_tui.store.base import Heartbeat, SourceHealth, Store

if TYPE_CHECKING:
    from lishi_tui.app.widgets.alert_badge import AlertRow
    from lishi_tui.domain.model import Indicator


@dataclass(frozen=True)
class PollRead:
    """What one look at the store read on the watcher's thread, for the page on screen."""

    version: int
    cursor: int
    health: dict[str, SourceHealth]
    views: dict[str, IndicatorView]  # indicators with new observations on screen, re-read
    status_only: frozenset[str]  # indicators on screen whose source ran, nothing new stored
    changed: frozenset[str] = frozenset()  # every indicator with new observations
    depths: dict[str, int] = field(default_factory=dict)  # history points of each view read
    alerts: tuple[AlertRow, ...] | None = None  # the alert rows, when they changed
    generation: int = 0  # the follower's reset count when read (older reads are dropped)
    collector_moved: bool = False  # the collector's heartbeat came, went or went stale


def run_key(health: SourceHealth | None) -> tuple[object, ...] | None:
    """What identifies a source's last run: a look compares it to see which sources ran."""
    if health is None or health.last_run is None:
        return None
    run = health.last_run
    return (run.started_at, run.ok, run.error)


@dataclass(frozen=True)
class Shown:
    """What the follower needs to know of the dashboard, asked at each look (a reload
    replaces the config and the panels)."""

    indicators: Callable[[], Mapping[str, Indicator]]
    panelled: Callable[[], Collection[str]]  # indicators some panel shows, on any page
    on_screen: Callable[[], Mapping[str, int]]  # the page shown: id -> history points drawn
    source_of: Callable[[str], str | None]  # the source of the figure shown, if any
    include_demo: Callable[[], bool]
    clock: Callable[[], datetime]


class StoreFollower:
    """The dashboard's reads of what was committed, done on the store watcher's thread.

    ``look()`` runs on the watcher's thread each time the store's version moved; it posts
    a ``PollRead`` (through ``post``) only when something on screen or the alerts changed,
    and returns whether it did. Indicators that changed off screen are kept in a stale set
    that the app takes (``take_stale``) when a page is shown, so that page shows the
    current figures. ``reset`` (the UI thread, at start and after a config reload) sets
    the point the next look reads from.
    """

    def __init__(
        self,
        store: Store,
        shown: Shown,
        post: Callable[[PollRead], object],
        *,
        alerts: Callable[[datetime], tuple[AlertRow, ...]] | None = None,
        heartbeat: bool = False,
        log: Callable[[str], object] = lambda _: None,
    ) -> None:
        self.store = store
        self.shown = shown
        self.post = post
        self.read_alerts = alerts
        self.log = log
        self.version = -1
        self.cursor = 0
        self.health: dict[str, SourceHealth] = {}  # replaced whole, never changed in place
        self.generation = 0
        self.looks = 0  # looks that read the store (tests wait on it)
        self.posted = 0  # looks that posted a PollRead
        # None: not read yet (the first look reads them even if nothing was committed).
        self._alert_rows: tuple[AlertRow, ...] | None = None if alerts is not None else ()
        self._stale: set[str] = set()
        self._lock = threading.Lock()
        # A read-only viewer's collector (another process): its last beat, read at each
        # look; the app is told only when it says something new (none, running, stopped).
        self.reads_heartbeat = heartbeat
        self.heartbeat: Heartbeat | None = None
        self._collector_state: tuple[bool, bool] | None = None

    def reset(self, version: int, cursor: int, health: dict[str, SourceHealth]) -> None:
        """The app read everything itself (start, reload): follow on from there."""
        with self._lock:
            self.version, self.cursor, self.health = version, cursor, health
            self.generation += 1
            self._stale.clear()

    def take_stale(self, ids: Collection[str]) -> set[str]:
        """Of ``ids`` (a page about to show), those that changed since they were read."""
        with self._lock:
            taken = self._stale.intersection(ids)
            self._stale -= taken
            return taken

    def look(self) -> bool:
        """Read what was committed since the last look; True when a PollRead was posted."""
        try:
            with self._lock:
                read = self._read()
        except Exception as exc:  # a store hiccup: the next commit looks again
            self.log(f"store poll failed: {exc!r}")
            return False
        finally:
            self.looks += 1
        if read is None:
            return False
        self.posted += 1
        self.post(read)
        return True

    def _read(self) -> PollRead | None:
        version = self.store.version()
        if version == self.version and self._alert_rows is not None:
            return None  # nothing committed anywhere since the last look: no reads at all
        cursor, changed = self.store.changes_since(self.cursor)
        health = self.store.health()
        ran = self._ran(health) - set(changed)
        indicators = self.shown.indicators()
        on_screen = dict(self.shown.on_screen())
        now = self.shown.clock()
        views = {
            iid: read_view(
                self.store,
                indicators[iid],
                now,
                health,
                include_demo=self.shown.include_demo(),
                history_points=on_screen[iid],
            )
            for iid in changed
            if iid in indicators and iid in on_screen
        }
        alerts: tuple[AlertRow, ...] | None = None
        if self.read_alerts is not None:
            rows = self.read_alerts(now)
            if rows != self._alert_rows:
                alerts = rows
            self._alert_rows = rows
        collector_moved = self._read_heartbeat(now)
        self.version, self.cursor, self.health = version, cursor, health
        status_only = frozenset(i for i in ran if i in on_screen)
        panelled = self.shown.panelled()
        self._stale |= {i for i in (set(changed) | ran) - set(views) - status_only if i in panelled}
        # The page may have changed while this read: what it now shows is read by the app.
        moved = not self._stale.isdisjoint(self.shown.on_screen())
        if not (views or status_only or alerts is not None or moved or collector_moved):
            return None
        depths = {iid: on_screen[iid] for iid in views}
        return PollRead(
            version,
            cursor,
            health,
            views,
            status_only,
            changed,
            depths,
            alerts=alerts,
            generation=self.generation,
            collector_moved=collector_moved,
        )

    def _read_heartbeat(self, now: datetime) -> bool:
        if not self.reads_heartbeat:
            return False
        beat = self.store.last_heartbeat()
        state = (beat is None, is_stale(beat, now))
        moved = state != self._collector_state
        self.heartbeat, self._collector_state = beat, state
        return moved

    def _ran(self, health: dict[str, SourceHealth]) -> set[str]:
        """Indicators fed by sources whose last run changed since the previous look."""
        old = self.health
        moved = {
            source
            for source in health.keys() | old.keys()
            # The store hands back the same object for a row that did not change.
            if (now := health.get(source)) is not (then := old.get(source))
            and run_key(now) != run_key(then)
        }
        if not moved:
            return set()
        indicators = self.shown.indicators()
        return {
            iid
            for iid in self.shown.panelled()
            if iid in indicators
            and (indicators[iid].source in moved or self.shown.source_of(iid) in moved)
        }


__all__ = ["PollRead", "Shown", "StoreFollower", "run_key"]
