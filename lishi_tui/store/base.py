"""The store interface every history backend implements; callers depend on this alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from lishi_tui.domain.model import Indicator, Observation, SourceRunOutcome

if TYPE_CHECKING:
    from lishi_tui.store.schema import Schema
    from lishi_tui.store.sql import CommitHook, Dialect, Transaction


@dataclass(frozen=True)
class WriteResult:
    """What a write did: new periods, new revisions of known periods, demo figures generated
    again (each replacing the stored demo figure of its period: no revision), unchanged repeats."""

    new: int = 0
    revised: int = 0
    unchanged: int = 0
    indicators: frozenset[str] = field(default_factory=frozenset)  # touched by any row written
    regenerated: int = 0

    @property
    def stored(self) -> int:
        return self.new + self.revised + self.regenerated


@dataclass(frozen=True)
class SourceRun:
    """One source run for ``Store.write_runs``: its observations and the run to log (None:
    observations only, such as readings kept through a store fault)."""

    observations: Sequence[Observation]
    outcome: SourceRunOutcome | None


@dataclass(frozen=True)
class RunWritten:
    """What ``Store.write_runs`` did for one run: the write's effect and the run as logged."""

    result: WriteResult
    outcome: SourceRunOutcome | None


@dataclass(frozen=True)
class SourceHealth:
    """The fetch log's summary of one source."""

    source: str
    last_run: SourceRunOutcome | None
    last_success: datetime | None
    consecutive_failures: int


@dataclass(frozen=True)
class IndicatorSummary:
    """What the store knows of one indicator without reading its history (kept on write)."""

    indicator: str
    latest_real: Observation | None
    latest_demo: Observation | None
    stored_rows: int  # every revision of every period and source
    latest_rows: int  # current figures: one per period and source
    first_period_start: datetime
    last_period_start: datetime

    @property
    def latest(self) -> Observation | None:
        """The figure ``latest()`` gives: the newest real one, else the newest demo one."""
        return self.latest_real if self.latest_real is not None else self.latest_demo


@dataclass(frozen=True)
class Bucket:
    """A slice of a series aggregated in the database: [start, end) and its figures."""

    start: datetime
    end: datetime
    count: int
    low: float | None
    high: float | None
    last: float | None  # the value of the newest period in the slice
    last_start: datetime  # that period's start
    demo: bool  # some figure in the slice is synthetic


@dataclass(frozen=True)
class Heartbeat:
    """The collector's last sign of life: when, which process, since when it has run."""

    beat_at: datetime
    pid: int
    host: str
    started_at: datetime

    def age(self, now: datetime) -> float:
        """Seconds since the last beat (negative if clocks disagree)."""
        return (now - self.beat_at).total_seconds()


class Store(Protocol):
    """History of observations with every revision, plus the fetch log.

    Observations are keyed by (indicator, period, source). Writing a reading whose
    value, numerator, denominator, status and qualifier equal the latest revision of
    its key changes nothing; a different one becomes revision n+1 and the latest, except
    that a demo figure generated again over a stored demo one replaces it (same revision
    number: a synthetic tick is not a revision of anything published). Where several sources give the same indicator and period, a real figure wins
    over a demo one, then the most recently fetched. ``latest`` goes further: an
    indicator's latest figure is its newest real one whenever it has any, so a demo
    series running past a published figure never stands in for it.
    """

    def write(self, observations: Sequence[Observation]) -> WriteResult:
        """Store observations in one transaction: all of them or none."""
        ...

    def upsert_indicators(self, indicators: Iterable[Indicator]) -> None:
        """Record the indicators' names and units (for other readers of the database)."""
        ...

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]:
        """Per indicator: the newest real figure, or the newest demo one if it has no real one.

        "Newest" is the newest period that has a value; a newer period without one (not
        yet published) is returned only when no period of the indicator has a value.
        """
        ...

    def history(
        self,
        indicator_id: str,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        include_demo: bool = True,
    ) -> list[Observation]:
        """Latest revision per period, oldest period first; ``limit`` keeps the newest n."""
        ...

    def revisions(
        self,
        indicator_id: str,
        period_key: str | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Observation]:
        """Every revision (all sources), newest period first, then newest revision first;
        ``limit`` and ``offset`` read one page of them."""
        ...

    def summary(self, indicator_ids: Sequence[str] | None = None) -> dict[str, IndicatorSummary]:
        """Per indicator with data: newest real and demo figure, row counts, period range,
        from a summary kept on write (no history is read)."""
        ...

    def series(
        self,
        indicator_id: str,
        *,
        start: datetime,
        end: datetime,
        buckets: int,
        include_demo: bool = True,
    ) -> list[Bucket]:
        """Current figures with period start in [start, end) aggregated in the database to at
        most ``buckets`` equal slices (count, min, max, last); empty slices are left out."""
        ...

    def series_start(
        self, indicator_id: str, *, periods: int, include_demo: bool = True
    ) -> datetime | None:
        """Where the newest ``periods`` current periods begin: the start of the oldest of
        them (of all, when fewer are stored); None when there is none. With ``series``,
        a chart of the newest n periods without reading their rows."""
        ...

    def log_fetch(self, outcome: SourceRunOutcome) -> None:
        """Append one source run to the fetch log."""
        ...

    def write_runs(self, runs: Sequence[SourceRun]) -> list[RunWritten]:
        """Several source runs in one transaction, each its observations (as ``write``)
        then its fetch-log row, with ``new_observations`` set to what this write stored.
        A run whose observations are refused at the store boundary (``InsaneReading``)
        stores none of them and is logged as failed with the reason; the others are
        written. Any other error rolls all of it back."""
        ...

    def fetch_log(self, source: str | None = None, limit: int = 50) -> list[SourceRunOutcome]:
        """Newest runs first."""
        ...

    def health(self) -> dict[str, SourceHealth]:
        """Per source: last run, last success, failures in a row."""
        ...

    def prune(self, *, fetch_log_before: datetime, demo_revisions_before: datetime) -> int:
        """Delete fetch-log runs started before ``fetch_log_before`` (never a source's last
        run) and superseded revisions of demo figures fetched before
        ``demo_revisions_before``. Real figures and their revisions are never deleted.
        Returns the number of rows deleted."""
        ...

    def downsample(self, *, instants_before: datetime, hourly_before: datetime) -> int:
        """Retention for high-frequency series: readings of instant periods older than
        ``instants_before`` become hourly buckets (count, low, high, sum, last), hourly
        buckets older than ``hourly_before`` daily ones. Figures of calendar periods and
        their revisions, and each indicator's newest figure, are never touched. ``series``
        reads the buckets with the raw readings. Returns the observation rows folded away."""
        ...

    def version(self) -> int:
        """A number that changes whenever any process commits to the store; cheap enough to
        ask many times a second before doing the real reads."""
        ...

    def changes_since(self, cursor: int) -> tuple[int, frozenset[str]]:
        """Indicators with observations stored after ``cursor`` (by any process), and the
        new cursor. ``changes_since(0)`` returns every indicator with data."""
        ...

    def heartbeat(self, pid: int, host: str, now: datetime) -> None:
        """The collector is alive at ``now`` (process ``pid`` on ``host``); it calls this
        every few seconds (see lishi_tui.collector.heartbeat)."""
        ...

    def heartbeat_in(self, tx: Transaction, pid: int, host: str, now: datetime) -> None:
        """``heartbeat`` inside a write transaction already open (a commit hook's)."""
        ...

    def last_heartbeat(self) -> Heartbeat | None:
        """The collector's last beat, or None if no collector ever wrote to this database."""
        ...

    # -- for modules with tables of their own (see lishi_tui.store.sqlstore)

    @property
    def dialect(self) -> Dialect:
        """How this backend spells the shared SQL (``name`` is "sqlite" or "postgres")."""
        ...

    def ensure(self, schema: Schema) -> None:
        """Bring ``schema``'s tables up to date in this database (idempotent, cheap after once)."""
        ...

    def transaction(self, *topics: str) -> AbstractContextManager[Transaction]:
        """One write transaction in the shared SQL; ``topics`` name what it changes."""
        ...

    def read(self) -> AbstractContextManager[Transaction]:
        """Several reads from one consistent snapshot."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of one statement in the shared SQL."""
        ...

    def add_commit_hook(self, hook: CommitHook, *, before: bool = False) -> None:
        """Run ``hook(tx)`` inside every write transaction before COMMIT, or after it."""
        ...

    def remove_commit_hook(self, hook: CommitHook) -> None:
        """Stop running ``hook`` (no error if it is not there)."""
        ...

    def close(self) -> None: ...
