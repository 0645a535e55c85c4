"""A PostgreSQL history written by a newer lishi-tui is refused in one line, untouched."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from urllib.parse import quote

import pytest

from lishi_tui.cli import main

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_dsn: str) -> Iterator[str]:
    """A postgresql:// URL whose search_path is a fresh schema."""
    import psycopg
    from psycopg import sql

    schema = f"lishi_newer_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{pg_dsn}?options={quote(f'-c search_path={schema}')}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv), {})
    return code, out.getvalue(), err.getvalue()


def test_a_newer_postgres_schema_is_refused_untouched(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    (tmp_path / "data.csv").write_text("period,value\n2021,51\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        '[app]\ndemo = false\ncollector = "off"\n'
        f'[storage]\nbackend = "postgresql"\nurl = "{pg_url}"\n'
        '[sources.s]\ntype = "csv"\ninterval = "1h"\npath = "data.csv"\n'
        'period_column = "period"\nvalue_column = "value"\nindicator = "tertiary_share"\n',
        encoding="utf-8",
    )
    code, out, err = run("--config", str(config), "fetch", "--once")
    assert code == 0, out + err
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(
            "INSERT INTO lishi_migrations (module, step, name, applied_at)"
            " VALUES ('core', 999, 'future', now())"
        )
        before = con.execute("SELECT COUNT(*) FROM observations").fetchone()
        steps = con.execute("SELECT COUNT(*) FROM lishi_migrations").fetchone()
    for argv in (("show",), ("fetch", "--once")):
        code, out, err = run("--config", str(config), *argv)
        assert code == 1, (argv, out, err)
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "newer lishi-tui" in lines[0], err
        assert "Traceback" not in err
    with psycopg.connect(pg_url, autocommit=True) as con:
        assert con.execute("SELECT COUNT(*) FROM observations").fetchone() == before
        assert con.execute("SELECT COUNT(*) FROM lishi_migrations").fetchone() == steps
