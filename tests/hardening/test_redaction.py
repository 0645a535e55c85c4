"""A key that older versions stored raw (``?appid=<the key>``, an error repeating it, a cached
body echoing it) is redacted by value: on opening an old history with the config that
holds the key (the core migration), and by ``lishi-tui redact`` over every table after a
leak; on a real SQLite file and a real PostgreSQL, with no figure lost."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from lishi_tui.bootstrap import load_runtime
from lishi_tui.cli import main
from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.sources import http_cache
from lishi_tui.store.base import Store
from lishi_tui.store.core import CORE
from lishi_tui.store.schema import MIGRATIONS_TABLE

APPID = "wx-APPID-4f2c9e1b77"  # the config's key: a parameter name that says nothing
OLD_KEY = "old-KEY-0d93a5c6"  # rotated out of the config, still in old rows
ENV = {"APPID": APPID, "OLDKEY": OLD_KEY, "LISHI_TUI_LANG": "en"}
T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
STEP = next(
    n for n, s in enumerate(CORE.steps, 1) if s.name == "credentials in stored URLs redacted"
)
RAW = f"http://127.0.0.1:9/api/series?appid={APPID}&series=gdp"
OLD = f"http://127.0.0.1:9/api/series?appid={OLD_KEY}&series=gdp"


@dataclass
class History:
    config: Path
    storage: str  # the [storage] table's body


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[History]:
    """A config whose source's URL holds ``${APPID}``, on a SQLite file or a fresh
    PostgreSQL schema."""
    if request.param == "postgres":
        import psycopg
        from psycopg import sql

        dsn: str = request.getfixturevalue("pg_dsn")
        schema = f"lishi_redact_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        url = f"{dsn}?options={quote(f'-c search_path={schema}')}"
        storage = f'backend = "postgresql"\nurl = "{url}"\n'
    else:
        storage = f'path = "{tmp_path / "h.db"}"\n'
    config = tmp_path / "c.toml"
    config.write_text(
        '[app]\ndemo = false\ncollector = "off"\n'
        f"[storage]\n{storage}"
        '[sources.api]\ntype = "http_json"\ninterval = "1h"\nindicators = ["gdp_growth"]\n'
        'url = "http://127.0.0.1:9/api/series?appid=${APPID}&series=gdp"\n'
        'period = "year"\nvalue = "v"\n',
        encoding="utf-8",
    )
    yield History(config, storage)
    if request.param == "postgres":
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def open_history(history: History) -> Store:
    return load_runtime(history.config, ENV).open_store()


def seed(store: Store) -> None:
    """What versions before redaction wrote: the key raw in origins, URLs, notes, errors,
    the HTTP cache, and (by a plugin) in an indicator's stored definition."""
    rows = [
        Observation(
            Reading("gdp_growth", Period.year(y), 5.0 + y % 10 / 10, origin=RAW, note=f"via {RAW}"),
            "api",
            T0,
            fetch_url=RAW,
        )
        for y in (2019, 2020, 2021)
    ]
    rows.append(Observation(Reading("gdp_growth", Period.year(2018), 4.5, origin=OLD), "api", T0))
    rows.append(Observation(Reading("tertiary_share", Period.year(2021), 51.0), "csv", T0))
    store.write(rows)
    store.log_fetch(
        SourceRunOutcome(
            "api", T0, 1.0, ok=False, error=f"Illegal header value b'Bearer {APPID}\\n'"
        )
    )
    store.ensure(http_cache.SCHEMA)
    with store.transaction("http_cache") as tx:
        tx.execute(
            "INSERT INTO http_cache (source, url_hash, url, etag, last_modified, final_url,"
            " body, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("api", "h1", RAW, None, None, RAW, f'{{"echo": "{APPID}"}}', T0),
        )
        tx.execute(
            "INSERT INTO indicators (id, name_zh, name_en, unit, definition, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                "gdp_growth",
                "地区生产总值增速",
                "GDP growth",
                "%",
                tx.dialect.json({"note": f"see {RAW}", "keys": [APPID]}),
                T0,
            ),
        )


def as_before_the_step(store: Store) -> None:
    """The database as versions before the redaction step left it: its record goes."""
    with store.transaction("schema") as tx:
        tx.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE module = ? AND step = ?", ("core", STEP))


def tables(store: Store) -> list[str]:
    with store.read() as tx:
        if tx.dialect.name == "postgres":
            rows = tx.query(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        else:
            rows = tx.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(str(r[0]) for r in rows)


def everything(store: Store) -> str:
    """Every cell of every table, as text."""
    return "\n".join(repr(row) for t in tables(store) for row in store.query(f"SELECT * FROM {t}"))


def counts(store: Store) -> dict[str, int]:
    return {t: int(store.query(f"SELECT COUNT(*) FROM {t}")[0][0]) for t in tables(store)}


def figures(store: Store) -> list[tuple[Any, ...]]:
    return store.query(
        "SELECT indicator, period_key, source, revision, value, numerator, denominator,"
        " status, qualifier, is_latest, demo FROM observations ORDER BY indicator, period_key"
    )


def run(history: History, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--config", str(history.config), *argv], ENV)
    return code, out.getvalue() + err.getvalue()


def test_opening_an_old_history_redacts_the_configs_key_by_value(history: History) -> None:
    store = open_history(history)
    try:
        seed(store)
        as_before_the_step(store)
        before, kept = counts(store), figures(store)
    finally:
        store.close()
    store = open_history(history)  # the migration runs, knowing the config's secrets
    try:
        origins = {r[0] for r in store.query("SELECT origin FROM observations")}
        assert "http://127.0.0.1:9/api/series?appid=***&series=gdp" in origins
        (run_,) = store.fetch_log("api")
        assert run_.error == "Illegal header value b'Bearer ***\\n'"
        stored = store.query("SELECT origin, fetch_url, note FROM observations")
        assert APPID not in repr(stored)
        assert OLD in origins  # a key the config does not know is left to `lishi-tui redact`
        # No row lost or added, but the step's own record.
        assert counts(store) == {**before, MIGRATIONS_TABLE: before[MIGRATIONS_TABLE] + 1}
        assert figures(store) == kept
    finally:
        store.close()


def test_redact_removes_every_secret_from_every_table_and_keeps_every_figure(
    history: History,
) -> None:
    store = open_history(history)
    try:
        seed(store)
        before, kept = counts(store), figures(store)
        assert APPID in everything(store) and OLD_KEY in everything(store)
    finally:
        store.close()

    code, said = run(history, "redact", "--dry-run")
    assert code == 0, said
    assert "observations.origin: 1 value in 3 rows would be redacted" in said
    assert "http_cache.body: 1 value in 1 row would be redacted" in said
    store = open_history(history)
    try:
        assert APPID in everything(store)  # a dry run changes nothing
    finally:
        store.close()

    code, said = run(history, "redact", "--env", "OLDKEY")
    assert code == 0, said
    assert APPID not in said and OLD_KEY not in said
    for column in ("origin", "fetch_url", "note"):
        assert f"observations.{column}: " in said
    for where in ("fetch_log.error", "http_cache.url", "http_cache.body", "indicators.definition"):
        assert f"{where}: 1 value in 1 row redacted" in said
    assert "no row added or removed" in said
    store = open_history(history)
    try:
        text = everything(store)
        assert APPID not in text and OLD_KEY not in text
        assert counts(store) == before  # no row lost or added, in any table
        assert figures(store) == kept  # every figure, period, revision as it was
        (definition,) = store.query("SELECT definition FROM indicators WHERE id = 'gdp_growth'")
        assert "see http://127.0.0.1:9/api/series?appid=***&series=gdp" in repr(definition)
        assert store.latest()["gdp_growth"].value == 5.1
    finally:
        store.close()

    code, said = run(history, "redact")  # nothing left to do
    assert code == 0 and said.startswith("0 rows in 0 columns redacted"), said


def test_redact_refuses_a_short_secret_and_an_unset_variable(history: History) -> None:
    code, said = run(history, "redact", "--env", "NOT_SET")
    assert code == 2 and "not set: NOT_SET" in said
    store = open_history(history)
    try:
        seed(store)
        kept = figures(store)
    finally:
        store.close()
    short = {**ENV, "SHORT": "2021"}  # a "key" that is also a year in every period column
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--config", str(history.config), "redact", "--env", "SHORT"], short)
    assert code == 0, out.getvalue() + err.getvalue()
    assert "a secret of 4 characters is not looked for" in err.getvalue()
    store = open_history(history)
    try:
        assert figures(store) == kept  # "2021" is still a period, not "***"
    finally:
        store.close()


def test_a_secret_in_a_key_column_is_reported_not_rewritten(history: History) -> None:
    store = open_history(history)
    try:
        store.write([Observation(Reading("gdp_growth", Period.year(2021), 6.1), f"s-{APPID}", T0)])
    finally:
        store.close()
    code, said = run(history, "redact")
    assert code == 1
    assert "observations.source: 1 value in 1 row hold a secret in a key column" in said
    assert APPID not in said
    store = open_history(history)
    try:
        assert store.latest()["gdp_growth"].value == 6.1  # the row is untouched
    finally:
        store.close()
