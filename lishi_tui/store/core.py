"""The store's own tables, written once for SQLite and PostgreSQL (migration module "core")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lishi_tui.store.redaction import redact_stored_urls
from lishi_tui.store.retention import ROLLUPS_MIGRATION
from lishi_tui.store.schema import Migration, Schema
from lishi_tui.store.summary import LATEST_WITH_FIGURE_MIGRATION, SUMMARY_MIGRATION

if TYPE_CHECKING:
    from lishi_tui.store.sql import Transaction

_TABLES = """
CREATE TABLE indicators (
    id          TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    definition  {json} NOT NULL,
    updated_at  {time} NOT NULL
);
CREATE TABLE observations (
    id            {id},
    indicator     TEXT NOT NULL,
    period_key    TEXT NOT NULL,
    period_kind   TEXT NOT NULL,
    period_start  {bigint} NOT NULL,
    value         {float},
    numerator     {float},
    denominator   {float},
    status        TEXT NOT NULL,
    qualifier     TEXT NOT NULL,
    source        TEXT NOT NULL,
    origin        TEXT NOT NULL,
    fetch_url     TEXT NOT NULL,
    fetched_at    {time} NOT NULL,
    revision      INTEGER NOT NULL,
    is_latest     {bool} NOT NULL,
    demo          {bool} NOT NULL,
    note          TEXT NOT NULL,
    UNIQUE (indicator, period_key, source, revision)
);
-- One latest revision per key; also the lookup a write makes for the keys it touches.
CREATE UNIQUE INDEX observations_current
    ON observations (indicator, period_key, source) WHERE {is_latest};
-- latest() and history() walk this in order and stop early.
CREATE INDEX observations_series
    ON observations (indicator, period_start DESC, demo, fetched_at DESC, id DESC)
    WHERE {is_latest};
CREATE TABLE fetch_log (
    id                {id},
    source            TEXT NOT NULL,
    started_at        {time} NOT NULL,
    duration          {float} NOT NULL,
    ok                {bool} NOT NULL,
    error             TEXT NOT NULL,
    bytes             {bigint} NOT NULL,
    readings          INTEGER NOT NULL,
    new_observations  INTEGER NOT NULL,
    skipped           {json} NOT NULL
);
CREATE INDEX fetch_log_source ON fetch_log (source, started_at DESC, id DESC)
"""

# A summary row per source, so that health() does not read the whole fetch log; built from
# the log a database already has.
_SOURCE_HEALTH = """
CREATE TABLE source_health (
    source                TEXT PRIMARY KEY,
    last_run_id           {bigint} NOT NULL,
    last_success          {time},
    consecutive_failures  INTEGER NOT NULL
);
INSERT INTO source_health (source, last_run_id, last_success, consecutive_failures)
SELECT s.source,
    (SELECT g.id FROM fetch_log AS g WHERE g.source = s.source
     ORDER BY g.started_at DESC, g.id DESC LIMIT 1),
    (SELECT MAX(g.started_at) FROM fetch_log AS g WHERE g.source = s.source AND g.ok = {true}),
    (SELECT COUNT(*) FROM fetch_log AS g WHERE g.source = s.source AND g.ok = {false}
     AND (NOT EXISTS (SELECT 1 FROM fetch_log AS x WHERE x.source = s.source AND x.ok = {true})
          OR g.started_at > (SELECT MAX(x.started_at) FROM fetch_log AS x
                             WHERE x.source = s.source AND x.ok = {true})))
FROM (SELECT DISTINCT source FROM fetch_log) AS s
"""

# The collector says it is alive; lishi_commits is PostgreSQL's version() counter (SQLite's
# data_version does that job there, so the row just sits).
_HEARTBEAT = """
CREATE TABLE collector_heartbeat (
    name        TEXT PRIMARY KEY,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    started_at  {time} NOT NULL,
    beat_at     {time} NOT NULL
);
CREATE TABLE lishi_commits (n {bigint} NOT NULL);
INSERT INTO lishi_commits (n) VALUES (0)
"""

# Before step 8, a note in two languages was kept in the one note column: the Chinese form,
# this separator, then the English form (a note with no English form had no separator).
JOINED_NOTE_SEPARATOR = "\x1f"


def split_joined_notes(tx: Transaction) -> None:
    """The migration step: give the English note a column of its own and move each joined
    note's English form into it (the Chinese form stays in ``note``)."""
    tx.execute("ALTER TABLE observations ADD COLUMN note_en TEXT NOT NULL DEFAULT ''")
    joined = tx.query(
        "SELECT id, note FROM observations WHERE note LIKE ?", (f"%{JOINED_NOTE_SEPARATOR}%",)
    )
    split = []
    for row_id, note in joined:
        zh, _, en = note.partition(JOINED_NOTE_SEPARATOR)
        split.append((zh, en, row_id))
    tx.executemany("UPDATE observations SET note = ?, note_en = ? WHERE id = ?", split)


CORE = Schema(
    "core",
    [
        Migration("indicators, observations, fetch log", _TABLES),
        Migration("source health summary", _SOURCE_HEALTH),
        Migration("collector heartbeat, commit counter", _HEARTBEAT),
        SUMMARY_MIGRATION,
        LATEST_WITH_FIGURE_MIGRATION,
        ROLLUPS_MIGRATION,
        Migration("credentials in stored URLs redacted", redact_stored_urls),
        Migration("observation notes in English in their own column", split_joined_notes),
    ],
)
