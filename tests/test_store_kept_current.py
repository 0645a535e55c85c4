"""What ``write_runs`` keeps of the stored rows it read (lishi_tui/store/current.py): a later
batch of unchanged figures reads none of them again, and whatever else commits meanwhile
(another process, another write of this store, a batch that rolled back) makes it read them
again. Both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import SourceRun, Store
from lishi_tui.store.sqlite import SqliteStore
from lishi_tui.store.sqlstore import SqlStore
from tests.support.stores import OpenStore

T0 = datetime(2026, 12, 2, tzinfo=UTC)


def runs(at: datetime, values: dict[int, float] | None = None, count: int = 4) -> list[SourceRun]:
    """``count`` sources, three months each; ``values`` overrides source 0's January."""
    out = []
    for i in range(count):
        observations = []
        for m in range(3):
            value = float(i * 10 + m)
            if i == 0 and m == 0 and values:
                value = values[0]
            reading = Reading(f"series{i}", Period.month(2024, m + 1), value)
            observations.append(Observation(reading, f"s{i}", at))
        observations_run = SourceRun(
            observations, SourceRunOutcome(source=f"s{i}", started_at=at, duration_s=0.1, ok=True)
        )
        out.append(observations_run)
    return out


class Lookups:
    """Counts the store's reads of stored latest rows (``SqlStore._current``)."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        assert isinstance(store, SqlStore)
        self.n = 0
        real = store._current

        def counted(*args: object) -> object:
            self.n += 1
            return real(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "_current", counted)


def january(store: Store) -> tuple[int, float | None]:
    history = [o for o in store.revisions("series0") if o.period.key == "2024-01"]
    latest = max(history, key=lambda o: o.revision)
    return latest.revision, latest.value


def test_a_batch_of_figures_read_before_reads_none_again(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store()
    lookups = Lookups(store, monkeypatch)
    store.write_runs(runs(T0))  # new: a first run into a new database
    first = lookups.n
    store.write_runs(runs(T0 + timedelta(minutes=1)))  # unchanged
    read = lookups.n
    # SQLite's insert gave the new rows' ids back: what it wrote is kept, nothing is read;
    # PostgreSQL's COPY gives none: what it wrote is read once.
    assert read == (first if isinstance(store, SqliteStore) else first + 1)
    written = store.write_runs(runs(T0 + timedelta(minutes=2)))  # unchanged again
    assert lookups.n == read
    assert [w.result.unchanged for w in written] == [3, 3, 3, 3]
    assert len(store.fetch_log(limit=100)) == 12  # every run still logged
    # A revision is found against the kept row (its id: the old row loses its flag).
    revised = store.write_runs(runs(T0 + timedelta(minutes=3), {0: 99.0}))
    assert revised[0].result.revised == 1
    assert january(store) == (2, 99.0)
    assert sum(1 for o in store.latest(["series0"]).values()) == 1


def test_another_process_writing_meanwhile_is_read(open_store: OpenStore) -> None:
    ours, theirs = open_store(), open_store()
    ours.write_runs(runs(T0))
    ours.write_runs(runs(T0 + timedelta(minutes=1)))  # kept: January is 0.0, revision 1
    theirs.write_runs(runs(T0 + timedelta(minutes=2), {0: 5.0}))  # revision 2
    # 0.0 again is a change from what is stored now (5.0): revision 3, not "unchanged".
    written = ours.write_runs(runs(T0 + timedelta(minutes=3), {0: 0.0}))
    assert written[0].result.revised == 1
    assert january(ours) == (3, 0.0)


def test_another_write_of_this_store_meanwhile_is_read(open_store: OpenStore) -> None:
    store = open_store()
    store.write_runs(runs(T0))
    store.write_runs(runs(T0 + timedelta(minutes=1)))
    store.write(runs(T0 + timedelta(minutes=2), {0: 5.0})[0].observations)  # revision 2
    written = store.write_runs(runs(T0 + timedelta(minutes=3), {0: 0.0}))
    assert written[0].result.revised == 1
    assert january(store) == (3, 0.0)


def test_a_batch_that_rolled_back_leaves_nothing_kept(
    open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store()
    assert isinstance(store, SqlStore)
    store.write_runs(runs(T0))
    store.write_runs(runs(T0 + timedelta(minutes=1)))

    def fails(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(store, "_log_all", fails)
        with pytest.raises(OSError):  # its revision of January is rolled back
            store.write_runs(runs(T0 + timedelta(minutes=2), {0: 5.0}))
    assert january(store) == (1, 0.0)
    written = store.write_runs(runs(T0 + timedelta(minutes=3), {0: 5.0}))
    assert written[0].result.revised == 1
    assert january(store) == (2, 5.0)


def mixed(at: datetime, step: int) -> list[SourceRun]:
    """Batches that exercise every decision: new periods, unchanged repeats, revisions,
    demo figures generated again, and two runs of one batch writing the same key."""
    out = runs(at, {0: float(step // 2)})  # source 0's January revised every other step
    demo = Observation(
        Reading("series9", Period.month(2024, 1 + step % 2), float(step), demo=True), "demo", at
    )
    again = Observation(Reading("series1", Period.month(2024, 1), float(100 + step)), "s1", at)
    outcome = SourceRunOutcome(source="demo", started_at=at, duration_s=0.1, ok=True)
    out.append(SourceRun([demo], outcome))
    if step % 3 == 0:  # s1 again in the same batch, after its first run planned January
        out.append(SourceRun([again], replace(outcome, source="s1")))
    return out


def test_what_is_kept_decides_as_a_store_that_reads_everything(tmp_path: Path) -> None:
    """The same batches into a store that keeps what it wrote, and one by one into a new
    store object each time (which reads every stored row): the same decisions and rows."""
    kept = SqliteStore(tmp_path / "kept.db")
    results_kept, results_read = [], []
    try:
        for step in range(8):
            at = T0 + timedelta(minutes=step)
            results_kept.append([w.result for w in kept.write_runs(mixed(at, step))])
            with SqliteStore(tmp_path / "read.db") as fresh:
                results_read.append([w.result for w in fresh.write_runs(mixed(at, step))])
        assert results_kept == results_read
        assert any(r.revised for batch in results_kept for r in batch)
        assert any(r.regenerated for batch in results_kept for r in batch)
        assert any(r.unchanged for batch in results_kept for r in batch)
        with SqliteStore(tmp_path / "read.db") as fresh:
            for indicator in ("series0", "series1", "series9"):
                assert [
                    (o.period.key, o.revision, o.value, o.demo) for o in kept.revisions(indicator)
                ] == [
                    (o.period.key, o.revision, o.value, o.demo) for o in fresh.revisions(indicator)
                ]
                assert kept.latest([indicator]) == fresh.latest([indicator])
    finally:
        kept.close()
