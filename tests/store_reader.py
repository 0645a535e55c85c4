"""Test helper: reads a SQLite store in a loop until a stop file appears, reporting what it saw.

Usage: python tests/store_reader.py DB_PATH STOP_FILE
Prints ``reads=N cursor=C distinct_cursors=D`` and exits 1 on the first error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lishi_tui.store.sqlite import SqliteStore


def main(argv: list[str]) -> int:
    path, stop = Path(argv[0]), Path(argv[1])
    reads, cursor, seen = 0, 0, {0}
    store = SqliteStore(path)
    while not stop.exists() or reads < 20:
        if reads % 25 == 24:  # reopening exercises the open path (pragmas, schema check) too
            store.close()
            store = SqliteStore(path)
        cursor, changed = store.changes_since(cursor)
        store.latest(sorted(changed))
        for indicator in list(store.latest())[:3]:
            store.history(indicator, limit=100)
        seen.add(cursor)
        reads += 1
    store.close()
    print(f"reads={reads} cursor={cursor} distinct_cursors={len(seen)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
