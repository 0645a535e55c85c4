"""A dashboard of many indicators for the scale bench: a generated config and a bulk-filled, cached history.

``write_config`` declares N indicators of one CSV source (never run: the bench starts the
dashboard with ``--no-collector``) on pages of eight panels, one indicator each: six stats, a
gauge and a chart, as a district office with a thousand figures would lay them out. ``filled_db``
inserts the observations in one SQLite transaction (about a million rows in a few seconds) and
summarises them as a migrated database is; the file is cached by size under the user's cache
folder, so that the 5-million-row database is built once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/scale.py`

from lishi_tui.store.rows import INSERT_COLUMNS
from lishi_tui.store.sqlite import SqliteDialect, SqliteStore
from lishi_tui.store.summary import SUMMARY_MIGRATION

PER_PAGE = 8
KINDS = ("stat", "stat", "stat", "gauge", "stat", "stat", "stat", "chart")
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
SOURCE = "bulk"
# Bump when the generated rows change, so that a cached file from an older layout is not used.
LAYOUT_VERSION = "2"


def indicator_id(n: int) -> str:
    return f"ind{n:04d}"


def page_title(page: int) -> str:
    return f"第{page + 1}页"


def write_config(folder: Path, indicators: int, *, per_page: int = PER_PAGE) -> Path:
    """A config of ``indicators`` figures on pages of ``per_page`` one-indicator panels."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bulk.csv").write_text("period,value\n2021,1\n", encoding="utf-8")
    out = [
        "[app]",
        'language = "zh"',
        'overview = "last"',
        "",
        f"[sources.{SOURCE}]",
        'type = "csv"',
        'interval = "1h"',
        'path = "bulk.csv"',
        'period_column = "period"',
        'value_column = "value"',
        "",
    ]
    for n in range(indicators):
        out += [
            f"[indicators.{indicator_id(n)}]",
            f'name_zh = "指标{n + 1:04d}"',
            f'name_en = "Indicator {n + 1:04d}"',
            'unit = "%"',
            "decimals = 0",
            'frequency = "realtime"',
            f'source = "{SOURCE}"',
            "target = { value = 80, deadline = 2026-12-31 }",
            "thresholds = { green = 70, amber = 60 }",
            "",
        ]
    pages = (indicators + per_page - 1) // per_page
    for page in range(pages):
        out += [f"[pages.p{page:03d}]", f'title_zh = "{page_title(page)}"', ""]
        for slot, n in enumerate(range(page * per_page, min((page + 1) * per_page, indicators))):
            out += [
                f"[[pages.p{page:03d}.panels]]",
                f'kind = "{KINDS[slot % len(KINDS)]}"',
                f'indicator = "{indicator_id(n)}"',
                "",
            ]
    path = folder / f"scale-{indicators}.toml"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def value_of(n: int, i: int) -> float:
    """The figure of indicator ``n`` at step ``i``: whole percents between 50 and 89."""
    return float(50 + (n * 7 + i) % 40)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lishi-tui-bench"


def filled_db(folder: Path, indicators: int, per_indicator: int, *, copy: bool = True) -> Path:
    """A copy (in ``folder``) of a cached database of ``indicators`` x ``per_indicator``
    instants, 3 s apart, summarised as a migrated database is; ``copy=False``: the cached
    file itself, for readers only (the 5M-row file is 2.2 GB)."""
    key = hashlib.sha1(f"{LAYOUT_VERSION}-{indicators}-{per_indicator}".encode()).hexdigest()[:8]
    cached = cache_dir() / f"scale-{indicators}x{per_indicator}-{key}.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(".part")
        building.unlink(missing_ok=True)
        _fill(building, indicators, per_indicator)
        building.rename(cached)
    if not copy:
        return cached
    out = folder / f"scale-{indicators}x{per_indicator}.db"
    shutil.copy(cached, out)
    return out


def _fill(path: Path, indicators: int, per_indicator: int) -> None:
    SqliteStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    fetched = FIRST.isoformat(timespec="microseconds")
    base = int(FIRST.timestamp())

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(indicators):
            ind = indicator_id(n)
            for i in range(per_indicator):
                start = base + 3 * i
                key = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                yield (ind, key, "instant", start, value_of(n, i), None, None, "normal",
                       "exact", SOURCE, "", "", fetched, 1, 1, 0, "", "")  # fmt: skip

    marks = ", ".join("?" * len(INSERT_COLUMNS.split(",")))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO observations ({INSERT_COLUMNS}) VALUES ({marks})", rows())
    conn.execute("DELETE FROM indicator_summary")
    backfill = next(s for s in SUMMARY_MIGRATION.statements() if "INSERT INTO" in s)
    conn.execute(SqliteDialect(path).sql(backfill))
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
