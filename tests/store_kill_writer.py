"""Test helper: writes large batches to a SQLite store, printing each batch number once committed.

Usage: python tests/store_kill_writer.py DB_PATH BATCH_SIZE BATCHES
Batch n holds BATCH_SIZE observations of indicator ``batch{n}``, so a reader can count it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def batch(n: int, size: int) -> list[Observation]:
    now = datetime.now(UTC)
    return [
        Observation(
            Reading(f"batch{n}", Period.instant(EPOCH + timedelta(minutes=i)), value=float(i)),
            source="kill-test",
            fetched_at=now,
        )
        for i in range(size)
    ]


def main(argv: list[str]) -> int:
    path, size, batches = Path(argv[0]), int(argv[1]), int(argv[2])
    store = SqliteStore(path)
    for n in range(batches):
        store.write(batch(n, size))
        print(n, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
