"""The per-indicator summary kept on write, and the bounded reads built on it.

``indicator_summary`` holds, per indicator, the ids of its newest real and newest demo
figure, how many rows it has stored (every revision) and how many are current (one per
period and source), and the range of its periods. Writes keep it exact in the same
transaction; so ``latest()``, ``changes_since(0)`` and ``summary()`` cost the number of
indicators, never the length of their history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lishi_tui.store.rows import SERIES_ORDER, Key, RevisionPlan
from lishi_tui.store.schema import Migration
from lishi_tui.store.sql import Transaction

# One indicator's newest current row of one kind (demo or not): an index walk that stops at
# the first row of that kind. The newest period WITH a figure wins: a newer blank period
# (next month's empty column, NBS hasdata false) is "not yet published", never the latest;
# a blank one is the latest only when no period of that kind has a figure.
_NEWEST_ROW = (
    "SELECT o.id FROM observations AS o WHERE o.indicator = {who} AND {{is_latest}}"
    " AND o.demo = {demo} EXTRA ORDER BY " + SERIES_ORDER + " LIMIT 1"
)


def _newest(who: str, demo: str) -> str:
    row = _NEWEST_ROW.format(who=who, demo=demo)
    return (
        f"COALESCE(({row.replace('EXTRA', 'AND o.value IS NOT NULL')}), "
        f"({row.replace('EXTRA', '')}))"
    )


SUMMARY_MIGRATION = Migration(
    "indicator summary, revisions index",
    f"""
    -- revisions() pages in this order without sorting an indicator's whole history.
    CREATE INDEX observations_revisions
        ON observations (indicator, period_start DESC, revision DESC, fetched_at DESC, id DESC);
    CREATE TABLE indicator_summary (
        indicator    TEXT PRIMARY KEY,
        latest_real  {{bigint}},
        latest_demo  {{bigint}},
        stored_rows  {{bigint}} NOT NULL,
        latest_rows  {{bigint}} NOT NULL,
        first_start  {{bigint}} NOT NULL,
        last_start   {{bigint}} NOT NULL
    );
    INSERT INTO indicator_summary
        (indicator, latest_real, latest_demo, stored_rows, latest_rows, first_start, last_start)
    SELECT g.indicator,
        (SELECT o.id FROM observations AS o WHERE o.indicator = g.indicator AND {{is_latest}}
         AND o.demo = {{false}} ORDER BY {SERIES_ORDER} LIMIT 1),
        (SELECT o.id FROM observations AS o WHERE o.indicator = g.indicator AND {{is_latest}}
         AND o.demo = {{true}} ORDER BY {SERIES_ORDER} LIMIT 1),
        COUNT(*), SUM(CASE WHEN g.is_latest = {{true}} THEN 1 ELSE 0 END),
        MIN(g.period_start), MAX(g.period_start)
    FROM observations AS g GROUP BY g.indicator
    """,
)

LATEST_WITH_FIGURE_MIGRATION = Migration(
    "latest is the newest period with a figure",
    "UPDATE indicator_summary SET"
    f" latest_real = {_newest('indicator_summary.indicator', '{false}')},"
    f" latest_demo = {_newest('indicator_summary.indicator', '{true}')}",
)

# A write's counts and period range folded into its indicator's row; its newest figures are
# set by _NEWEST_UPDATE after the write's rows are in (a new row starts with none).
_UPSERT = """
    INSERT INTO indicator_summary
        (indicator, latest_real, latest_demo, stored_rows, latest_rows, first_start, last_start)
    VALUES (?, NULL, NULL, ?, ?, ?, ?)
    ON CONFLICT (indicator) DO UPDATE SET
        stored_rows = indicator_summary.stored_rows + excluded.stored_rows,
        latest_rows = indicator_summary.latest_rows + excluded.latest_rows,
        first_start = {least}(indicator_summary.first_start, excluded.first_start),
        last_start = {greatest}(indicator_summary.last_start, excluded.last_start)
"""

# The newest figure of one kind looked up again for every indicator of a list, in one
# statement (an index walk each that stops at the first row of that kind).
_NEWEST_UPDATE = {
    demo: "UPDATE indicator_summary SET latest_{kind} = {newest}"
    " WHERE indicator IN (SELECT k.c0 FROM {{keys}} AS k)".format(
        kind="demo" if demo else "real",
        newest=_newest("indicator_summary.indicator", "{true}" if demo else "{false}"),
    )
    for demo in (False, True)
}


@dataclass
class _Touched:
    stored: int = 0
    new_keys: int = 0
    first: int = 0
    last: int = 0
    kinds: set[bool] = field(default_factory=set)  # demo flags whose newest may have moved


def record_write(tx: Transaction, plans: Sequence[tuple[RevisionPlan, dict[Key, bool]]]) -> None:
    """Fold the inserted rows of a transaction's writes into the summary, once they are in:
    three statements however many writes and indicators (one upsert of the counts, one
    look-up of the newest figure for each kind that may have moved).

    Each plan comes with its ``stored_demo``: for keys that already had a current row,
    whether it was demo (superseding it may move the newest figure of that kind).
    """
    touched: dict[str, _Touched] = {}
    for plan, stored_demo in plans:
        for obs, key, revision, start, replaces in plan.rows:
            t = touched.get(key[0])
            if t is None:
                t = touched[key[0]] = _Touched(first=start, last=start)
            elif start < t.first:
                t.first = start
            elif start > t.last:
                t.last = start
            t.kinds.add(obs.reading.demo)
            if replaces:  # a regenerated demo figure took the place of the row it deleted
                continue
            t.stored += 1
            if revision == 1:
                t.new_keys += 1
            elif key in stored_demo:
                t.kinds.add(stored_demo[key])
    if not touched:
        return
    tx.executemany(
        _UPSERT,
        [(i, t.stored, t.new_keys, t.first, t.last) for i, t in touched.items()],
    )
    for demo in (False, True):
        ids = [(i,) for i, t in touched.items() if demo in t.kinds]
        if ids:
            table, params = tx.dialect.rows_of(1, ids)
            tx.execute(_NEWEST_UPDATE[demo].replace("{keys}", table), params)


def record_deleted(tx: Transaction, indicators: Sequence[str]) -> None:
    """Count superseded rows deleted (one entry per row) out of their indicators' totals."""
    counts: dict[str, int] = {}
    for indicator in indicators:
        counts[indicator] = counts.get(indicator, 0) + 1
    tx.executemany(
        "UPDATE indicator_summary SET stored_rows = stored_rows - ? WHERE indicator = ?",
        [(n, i) for i, n in counts.items()],
    )
