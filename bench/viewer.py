"""One viewer process for bench/readers.py: polls the store as the dashboard does, for a while.

``python bench/viewer.py DB START SECONDS REFRESH_S`` polls from the epoch time START (so that
20 viewers starting Python at once do not count their own start-up) and prints one JSON line: how many reads, how many
"database is locked" errors (and other errors), and for each new ``clock`` figure seen, how long
after it was written it was seen.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lishi_tui.store.sqlite import SqliteStore


def main() -> None:
    db, start = Path(sys.argv[1]), float(sys.argv[2])
    seconds, refresh = float(sys.argv[3]), float(sys.argv[4])
    locked = other = reads = 0
    latencies: list[float] = []
    errors: list[str] = []
    store = SqliteStore(db)
    cursor, _ = store.changes_since(0)
    time.sleep(max(0.0, start - time.time()))
    cursor, _ = store.changes_since(cursor)
    end = start + seconds
    seen_version = -1
    while time.time() < end:
        try:
            # What the dashboard does: a cheap version check, the real reads only on change.
            version = store.version()
            reads += 1
            if version == seen_version:
                time.sleep(refresh)
                continue
            seen_version = version
            cursor, changed = store.changes_since(cursor)
            reads += 1
            if changed:
                # What a dashboard does next: read the latest figure of what changed.
                latest = store.latest(sorted(changed))
                reads += 1
                clock = latest.get("clock")
                if clock is not None and clock.value is not None and "clock" in changed:
                    latencies.append(time.time() - clock.value)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                locked += 1
            else:
                other += 1
                errors.append(str(exc))
        time.sleep(refresh)
    store.close()
    result = {
        "reads": reads,
        "locked": locked,
        "other": other,
        "errors": errors[:3],
        "latencies": latencies,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
