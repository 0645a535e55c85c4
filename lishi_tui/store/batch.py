"""What a transaction's writes send to the observations table, gathered so that a batch of
source runs costs the same statements as one run (``SqlStore.write_runs``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.store.current import Current
from lishi_tui.store.rows import INSERT_COLUMNS, Key, RevisionPlan
from lishi_tui.store.sql import Dialect, Transaction
from lishi_tui.store.summary import record_write


class WriteBatch:
    """The rows a transaction's writes will change, sent as one statement of each kind
    (flags taken off, stored demo rows replaced, rows inserted, the summary folded) before
    anything reads them back, so that a batch of runs costs the same statements as one."""

    def __init__(self) -> None:
        self.superseded: list[Any] = []
        self.replaced: list[Any] = []
        self.rows: list[tuple[Any, ...]] = []
        self.plans: list[tuple[RevisionPlan, dict[Key, bool]]] = []

    def clear(self) -> None:
        self.superseded, self.replaced, self.rows, self.plans = [], [], [], []

    def add(
        self,
        plan: RevisionPlan,
        stored_demo: dict[Key, bool],
        stored_time: Callable[[datetime], Any],
        flags: tuple[Any, Any],
    ) -> None:
        self.superseded += plan.superseded
        self.replaced += plan.replaced
        self.rows += plan.insert_rows(stored_time, flags)
        self.plans.append((plan, stored_demo))

    def send(self, tx: Transaction) -> dict[Key, Current]:
        """Write what was planned (in this order: a key's stored latest row loses its flag
        before its new one is inserted) and start empty. Returns each written key's new
        latest row as ``SqlStore._current`` would read it, where the backend gave the
        inserted ids (SQLite's RETURNING; PostgreSQL's COPY gives none: nothing)."""
        d = tx.dialect
        if self.superseded:
            where, params = d.in_ids("id", self.superseded)
            tx.execute(f"UPDATE observations SET is_latest = ? WHERE {where}", [False, *params])
        if self.replaced:
            where, params = d.in_ids("id", self.replaced)
            tx.execute(f"DELETE FROM observations WHERE {where}", params)
        written: dict[Key, Current] = {}
        if self.rows:
            back = d.insert_rows(tx.conn, "observations", INSERT_COLUMNS, self.rows, _RETURNING)
            if back is not None:
                ids = {(r[1], r[2], r[3]): r[0] for r in back if r[4]}
                for plan, _ in self.plans:
                    for key in plan.latest_in_batch:
                        if (new_id := ids.get(key)) is not None:  # else: read next time
                            _, revision, values, demo = plan.current[key]
                            written[key] = (new_id, revision, values, demo)
        record_write(tx, [p for p in self.plans if p[0].rows])
        self.clear()
        return written


# What the insert gives back to know each written key's new latest row (see ``send``).
_RETURNING = "id, indicator, period_key, source, is_latest"


def fetch_row(dialect: Dialect, o: SourceRunOutcome) -> tuple[Any, ...]:
    """A run's fetch_log row in FETCH_COLUMNS order."""
    return (
        o.source,
        o.started_at,
        o.duration_s,
        o.ok,
        o.error,
        o.bytes_received,
        o.readings,
        o.new_observations,
        dialect.json(list(o.skipped)),
    )


__all__ = ["WriteBatch", "fetch_row"]
