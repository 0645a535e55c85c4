"""A batch of runs with new, revised and regenerated figures costs the same statements
however many runs it holds (issue 16: the first run into a new database), and writes exactly
what the same runs written one at a time would: every provenance field, the revision
numbers, the per-indicator summary, the fetch log and health. Both backends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import NamedTuple

from lishi_tui.domain.model import Observation, ObservationStatus, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import IndicatorSummary, SourceRun, Store
from lishi_tui.store.sqlite import SqliteStore
from tests.support.stores import OpenStore
from tests.test_collector_cost import statements

MONTHS = 4
T0 = datetime(2026, 12, 2, tzinfo=UTC)


def value(i: int, m: int, step: int, demo: bool) -> float | None:
    if m == MONTHS - 1 and not demo:  # next month's blank column
        return None
    return float(i + m + (step if m % 2 else 0))


def status(i: int, m: int, step: int, demo: bool) -> ObservationStatus:
    if value(i, m, step, demo) is None:
        return ObservationStatus.MISSING
    return ObservationStatus.PROVISIONAL if m == 0 else ObservationStatus.NORMAL


def runs(count: int, at: datetime, step: int, prefix: str) -> list[SourceRun]:
    """``count`` sources: every fourth a demo feed, every third run failing (no figures);
    ``step`` moves the values of half the months (revisions, or regenerated demo figures)."""
    out = []
    for i in range(count):
        url = f"http://127.0.0.1/{prefix}/{i}.json?step={step}"
        demo = i % 4 == 0
        ok = (i + step) % 3 != 0
        observations = [
            Observation(
                Reading(
                    f"{prefix}{i}",
                    Period.month(2024, m + 1),
                    value(i, m, step, demo),
                    status=status(i, m, step, demo),
                    origin=f"origin {i}",
                    demo=demo,
                    note=f"注{m}" if m == 1 else "",
                    note_en="note" if m == 1 else "",
                ),
                f"src_{prefix}{i}",
                at,
                fetch_url=url,
            )
            for m in range(MONTHS)
        ]
        outcome = SourceRunOutcome(
            source=f"src_{prefix}{i}",
            started_at=at,
            duration_s=0.01 * (i + 1),
            ok=ok,
            bytes_received=100 + i,
            readings=MONTHS,
        )
        out.append(SourceRun(observations if ok else [], outcome))
    return out


def rounds(count: int, prefix: str) -> list[list[SourceRun]]:
    """Three rounds a minute apart: all new, then changed, then changed again."""
    return [runs(count, T0 + timedelta(minutes=s), s, prefix) for s in range(3)]


def test_new_and_revised_figures_cost_the_same_statements_however_many_runs(
    open_store: OpenStore,
) -> None:
    store = open_store()
    sent: dict[int, list[int]] = {}
    for count in (8, 40):
        sent[count] = [
            statements(store, partial(store.write_runs, batch))
            for batch in rounds(count, f"n{count}_")
        ]
    # A batch of 8 runs and one of 40 send the same statements, first run or later.
    assert sent[8] == sent[40], sent
    assert max(sent[40]) <= 14, sent


class Snapshot(NamedTuple):
    summary: dict[str, IndicatorSummary]
    latest: dict[str, Observation]
    revisions: dict[str, list[Observation]]
    history: dict[str, list[Observation]]
    log: Sequence[tuple[object, ...]]
    health: Mapping[str, tuple[object, ...]]


def snapshot(store: Store, prefix: str, count: int) -> Snapshot:
    """What readers see of the ``prefix`` indicators and every run."""
    ids = [f"{prefix}{i}" for i in range(count)]
    revisions = {i: store.revisions(i) for i in ids}
    history = {i: store.history(i) for i in ids}
    log = sorted(
        (o.source, o.started_at, o.ok, o.duration_s, o.new_observations, o.bytes_received)
        for o in store.fetch_log(limit=10_000)
    )
    health = {
        s: (h.last_success, h.consecutive_failures, h.last_run) for s, h in store.health().items()
    }
    return Snapshot(store.summary(ids), store.latest(ids), revisions, history, log, health)


def write_each(store: Store, batches: Sequence[Sequence[SourceRun]]) -> None:
    for batch in batches:
        for run in batch:
            store.write_runs([run])


def test_a_batch_writes_what_its_runs_written_in_turn_would(
    open_store: OpenStore, tmp_path: Path
) -> None:
    count = 9
    batched = open_store()
    for batch in rounds(count, "b"):
        written = batched.write_runs(batch)
        assert len(written) == len(batch)
    reference = SqliteStore(tmp_path / "reference.db")
    try:
        write_each(reference, rounds(count, "b"))
        expected = snapshot(reference, "b", count)
    finally:
        reference.close()
    got = snapshot(batched, "b", count)
    assert got == expected
    summary, latest, revisions = got.summary, got.latest, got.revisions
    # Read off the rounds: source 1 (real) ran at steps 0 and 1 (every third run fails) and
    # revised month 2; source 0 (demo) ran at steps 1 and 2 and regenerated month 2 in
    # place (one row, revision 1); a blank last month is never the latest.
    feb = {s: [o for o in revisions[f"b{s}"] if o.reading.period.key == "2024-02"] for s in (0, 1)}
    assert [(o.revision, o.reading.value) for o in feb[1]] == [(2, 3.0), (1, 2.0)]
    assert [(o.revision, o.reading.value) for o in feb[0]] == [(1, 3.0)]
    assert latest["b1"].reading.period.key == "2024-03"
    assert (summary["b1"].stored_rows, summary["b1"].latest_rows) == (5, 4)
    assert summary["b0"].latest_demo is not None and summary["b0"].latest_real is None
    assert summary["b1"].latest_real == latest["b1"]
    new = feb[1][0]
    assert (new.reading.note, new.reading.note_en, new.source, new.fetch_url, new.fetched_at) == (
        "注1",
        "note",
        "src_b1",
        "http://127.0.0.1/b/1.json?step=1",
        T0 + timedelta(minutes=1),
    )
