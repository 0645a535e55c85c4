"""Store.write_runs on every backend: several source runs in one transaction, each logged
with what it stored; a run refused at the store boundary costs only itself."""

from __future__ import annotations

from datetime import UTC, datetime

from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import SourceRun
from lishi_tui.store.sql import Transaction
from tests.support.stores import OpenStore

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def figures(indicator: str, source: str, values: list[float]) -> list[Observation]:
    return [
        Observation(Reading(indicator, Period.month(2025, m + 1), v), source, T0)
        for m, v in enumerate(values)
    ]


def test_runs_are_written_and_logged_in_one_commit(open_store: OpenStore) -> None:
    store = open_store()
    commits: list[tuple[str, ...]] = []

    def count(tx: Transaction) -> None:
        commits.append(tuple(sorted(tx.topics)))

    store.add_commit_hook(count)
    gdp = figures("gdp", "stats", [5.0, 5.2, 5.1])
    cpi = figures("cpi", "prices", [0.3, 0.1])
    written = store.write_runs(
        [
            SourceRun(gdp, SourceRunOutcome("stats", T0, 0.2, ok=True, readings=3)),
            SourceRun(cpi, SourceRunOutcome("prices", T0, 0.1, ok=True, readings=2)),
            SourceRun((), SourceRunOutcome("down", T0, 1.0, ok=False, error="HTTP 503")),
        ]
    )
    assert commits == [("fetch_log", "observations")]
    assert [w.result.new for w in written] == [3, 2, 0]
    assert [w.outcome.new_observations for w in written if w.outcome] == [3, 2, 0]
    assert written[0].result.indicators == frozenset({"gdp"})
    assert {i: o.value for i, o in store.latest().items()} == {"gdp": 5.1, "cpi": 0.1}
    logged = {run.source: run for run in store.fetch_log()}
    assert logged["stats"].new_observations == 3 and logged["stats"].ok
    assert logged["prices"].new_observations == 2
    assert logged["down"].error == "HTTP 503" and not logged["down"].ok
    assert store.health()["down"].consecutive_failures == 1

    again = store.write_runs([SourceRun(gdp, SourceRunOutcome("stats", T0, 0.2, ok=True))])
    assert again[0].result.unchanged == 3 and again[0].outcome is not None
    assert again[0].outcome.new_observations == 0


def test_a_refused_run_stores_none_of_its_figures_and_says_why(open_store: OpenStore) -> None:
    store = open_store()
    good = figures("gdp", "stats", [5.0])
    # A period in year 9999 (a CSV row "9999,6" read as a year) must never be stored.
    bad = [
        Observation(Reading("cpi", Period.month(2025, 1), 0.3), "prices", T0),
        Observation(Reading("cpi", Period.year(9999), 6.0), "prices", T0),
    ]
    written = store.write_runs(
        [
            SourceRun(bad, SourceRunOutcome("prices", T0, 0.1, ok=True, readings=2)),
            SourceRun(good, SourceRunOutcome("stats", T0, 0.1, ok=True, readings=1)),
        ]
    )
    refused, kept = written
    assert refused.result.stored == 0 and refused.outcome is not None
    assert not refused.outcome.ok
    assert "source prices" in refused.outcome.error and "9999" in refused.outcome.error
    assert kept.result.new == 1
    assert set(store.latest()) == {"gdp"}
    logged = {run.source: run for run in store.fetch_log()}
    assert not logged["prices"].ok and "outside the years" in logged["prices"].error
    assert logged["stats"].ok


def test_observations_without_a_run_are_not_logged(open_store: OpenStore) -> None:
    store = open_store()
    written = store.write_runs([SourceRun(figures("gdp", "stats", [5.0, 5.2]), None)])
    assert written[0].result.new == 2 and written[0].outcome is None
    assert store.fetch_log() == []
    assert store.write_runs([]) == []
