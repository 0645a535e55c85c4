"""Storage faults, probed as an attacker would: each is one clear line naming the file or
server and what to do, a non-zero exit, and nothing already stored lost. Disk full and
read-only are real (a small tmpfs, a read-only bind mount)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector.lock import CollectorLock
from lishi_tui.domain.model import Observation, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.domain.sanity import InsaneReading
from lishi_tui.store.sqlite import SCHEMA_VERSION, SqliteStore

# A plugin whose source returns three readings, offline: a stand-in for any real source.
PLUGIN = """
from lishi_tui import hookimpl
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.sources.api import SourceType


def fetch(ctx):
    return [Reading("gdp_growth", Period.year(y), 5.0 + y - 2020) for y in (2021, 2022, 2023)]


@hookimpl
def lishi_register_source_types(register):
    register(SourceType("offline", fetch))
"""


def setup(tmp_path: Path, storage: str) -> Path:
    (tmp_path / "p").mkdir(exist_ok=True)
    (tmp_path / "p" / "offline.py").write_text(PLUGIN)
    config = tmp_path / "c.toml"
    config.write_text(
        '[app]\ndemo = false\ncollector = "off"\n'
        f'[plugins]\ndirs = ["{tmp_path / "p"}"]\n'
        f"[storage]\n{storage}\n"
        '[sources.local]\ntype = "offline"\ninterval = "1h"\nindicators = ["gdp_growth"]\n'
    )
    return config


def cli(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "LISHI_TUI_LANG": "en", **(env or {})},
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr and no traceback."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


def count(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT count(*) FROM observations").fetchone()[0])
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filled(db: Path) -> int:
    """Store the three readings into ``db`` through the real CLI; how many are stored."""
    done = cli(setup(db.parent, f'path = "{db}"'), "fetch", "--once")
    assert done.returncode == 0, done.stderr
    return count(db)


# -- refused before anything is written --------------------------------------------------------


def test_a_folder_as_the_database(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    line = one_line_error(cli(setup(tmp_path, f'path = "{folder}"'), "show"))
    assert line == (
        f"lishi-tui: history {folder} is a folder, not an SQLite file: "
        f"set [storage] path to a file, e.g. {folder / 'lishi.db'}"
    )
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("target", ["/dev/null", "/proc/version"])
def test_a_device_or_proc_entry_as_the_database(tmp_path: Path, target: str) -> None:
    for command in (("show",), ("fetch", "--once")):
        line = one_line_error(cli(setup(tmp_path, f'path = "{target}"'), *command))
        assert line.startswith(f"lishi-tui: history {target} is not an ordinary file")


def test_garbage_bytes_as_the_database_are_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(bytes(range(256)) * 16)
    before = digest(db)
    for command in (("show",), ("fetch", "--once")):
        line = one_line_error(cli(setup(tmp_path, f'path = "{db}"'), *command))
        assert f"history {db} is not an SQLite database" in line
        assert "left untouched" in line
    assert digest(db) == before


def test_a_database_from_a_newer_schema_is_never_written(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    stored = filled(db)
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    con.execute("ALTER TABLE observations RENAME COLUMN value TO amount")  # as a newer one might
    con.close()
    before = digest(db)
    for command in (("show",), ("fetch", "--once")):
        line = one_line_error(cli(setup(tmp_path, f'path = "{db}"'), *command))
        assert f"history {db} was written by a newer lishi-tui" in line
        assert f"schema version {SCHEMA_VERSION + 3}; this one knows up to {SCHEMA_VERSION}" in line
    assert digest(db) == before and stored == 3


def test_a_mysql_url(tmp_path: Path) -> None:
    config = setup(tmp_path, 'backend = "postgresql"\nurl = "mysql://x"')
    line = one_line_error(cli(config, "show"))
    assert line.startswith(
        "lishi-tui: [storage] url must start with postgresql:// (it is mysql://…)"
    )


def test_a_postgres_url_typo_never_echoes_the_password(tmp_path: Path) -> None:
    config = setup(
        tmp_path, 'backend = "postgresql"\nurl = "postgresq://lishi:${PGPW}@127.0.0.1:9/db"'
    )
    done = cli(config, "fetch", "--once", env={"PGPW": "hunter2-pg-secret"})
    line = one_line_error(done)
    assert "postgresq://…" in line
    assert "hunter2-pg-secret" not in done.stdout + done.stderr


def test_postgres_unreachable(tmp_path: Path) -> None:
    from tests.support.httpserver import closed_port

    port = closed_port()
    url = f"postgresql://lishi:${{PGPW}}@127.0.0.1:{port}/lishi"
    done = cli(
        setup(tmp_path, f'backend = "postgresql"\nurl = "{url}"'),
        "show",
        env={"PGPW": "pw-SECRET-1"},
    )
    line = one_line_error(done)
    assert line.startswith(f"lishi-tui: PostgreSQL at 127.0.0.1:{port}/lishi: ")
    assert line.endswith("check that the server is running and reachable, and [storage] url")
    assert "pw-SECRET-1" not in done.stdout + done.stderr


# -- the collector lock ------------------------------------------------------------------------


def test_the_lock_path_a_folder(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    stored = filled(db)
    (tmp_path / "h.db.collector.lock").unlink(missing_ok=True)
    (tmp_path / "h.db.collector.lock").mkdir()
    line = one_line_error(cli(setup(tmp_path, f'path = "{db}"'), "collect"))
    assert line == (
        f"lishi-tui: the collector lock {tmp_path / 'h.db.collector.lock'} is a folder: "
        "remove it and start again"
    )
    assert count(db) == stored


def test_two_collectors_through_a_symlink_share_one_lock(tmp_path: Path) -> None:
    db = tmp_path / "real" / "h.db"
    db.parent.mkdir()
    SqliteStore(db).close()
    link = tmp_path / "link.db"
    link.symlink_to(db)
    first, second = CollectorLock(db), CollectorLock(link)
    try:
        assert first.acquire()
        assert not second.acquire(), "a second collector got in through the symlink"
    finally:
        first.release()
        second.release()


# -- real read-only and full filesystems ---------------------------------------------------------


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here ({done.stderr.strip() or done.returncode})")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(a folder, the same folder through a read-only bind mount)."""
    source, view = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    _mount("--bind", str(source), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield source, view
    finally:
        subprocess.run(["umount", str(view)], check=False)


def test_a_read_only_mount(tmp_path: Path, read_only: tuple[Path, Path]) -> None:
    source, view = read_only
    stored = filled(source / "h.db")
    before = digest(source / "h.db")
    for command in (("fetch", "--once"), ("collect",)):
        line = one_line_error(cli(setup(tmp_path, f'path = "{view / "h.db"}"'), *command))
        assert line.startswith(f"lishi-tui: history {view / 'h.db'} is read-only") or (
            f"the collector lock {view / 'h.db.collector.lock'} cannot be created" in line
        ), line
    assert digest(source / "h.db") == before and count(source / "h.db") == stored


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk))
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last block."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_at_start(tmp_path: Path, small_disk: Path) -> None:
    _fill(small_disk)
    for command in (("fetch", "--once"), ("show",), ("collect",)):
        line = one_line_error(cli(setup(tmp_path, f'path = "{small_disk / "new.db"}"'), *command))
        assert line.startswith(f"lishi-tui: history {small_disk / 'new.db'}: the disk is full"), (
            line
        )


def _obs(year: int) -> Observation:
    reading = Reading("gdp", Period.year(year), float(year - 2000))
    return Observation(reading, "s", datetime(2024, 1, 1, tzinfo=UTC), fetch_url="file:x")


async def test_a_running_collector_keeps_its_readings_through_a_full_disk(small_disk: Path) -> None:
    from lishi_tui.collector import Collector
    from lishi_tui.config.schema import CollectorSettings, Config, SourceConfig
    from lishi_tui.domain.model import Indicator
    from lishi_tui.registry import Registry
    from lishi_tui.sources.api import FetchContext, SourceType

    year = iter(range(2001, 2100))

    def fetch(ctx: FetchContext) -> list[Reading]:
        return [Reading("gdp", Period.year(next(year)), 1.0, note="x" * 3000)]

    store = SqliteStore(small_disk / "h.db")
    store.write([_obs(2000)])
    source = SourceConfig("s", "t", timedelta(hours=1), ("gdp",), {})
    config = Config(
        path=small_disk / "c.toml",
        collector=CollectorSettings(retries=0),
        sources={"s": source},
        indicators={"gdp": Indicator("gdp", "gdp", "gdp")},
    )
    collector = Collector(config, Registry(source_types={"t": SourceType("t", fetch)}), store)
    try:
        filler = _fill(small_disk)
        failed = [await collector.run_source("s") for _ in range(3)]
        assert all(not o.ok for o in failed)
        assert "not stored yet: the disk is full" in failed[-1].error
        assert len(store.latest(["gdp"])) == 1  # what was stored is still there
        filler.unlink()  # the fault clears: the next run writes everything it kept
        resumed = await collector.run_source("s")
        assert resumed.ok, resumed.error
        history = store.history("gdp")
        assert sorted(o.period.key for o in history) == ["2000", "2001", "2002", "2003", "2004"]
        log = store.fetch_log("s")
        assert len(log) == 4 and sum(not o.ok for o in log) == 3  # the fault reached the log
    finally:
        await collector.stop()
        store.close()


# -- poisoned readings -------------------------------------------------------------------------


def test_the_store_refuses_an_insane_reading(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    try:
        with pytest.raises(InsaneReading, match="period 9999 is outside the years 1900-2200"):
            store.write([_obs(9999)])
        assert store.latest() == {}
    finally:
        store.close()


def test_a_plugins_year_9999_is_skipped_and_reported(tmp_path: Path) -> None:
    plugin = PLUGIN.replace("for y in (2021, 2022, 2023)", "for y in (2022, 9999)")
    (tmp_path / "p").mkdir()
    config = setup(tmp_path, f'path = "{tmp_path / "h.db"}"')
    (tmp_path / "p" / "offline.py").write_text(plugin)
    done = cli(config, "fetch", "--once")
    assert done.returncode == 0, done.stderr
    assert "1 skipped (gdp_growth 9999: period 9999 is outside the years 1900-2200)" in done.stdout
    shown = cli(config, "show", "gdp_growth")
    assert shown.returncode == 0 and "2022" in shown.stdout


def poisoned(tmp_path: Path) -> tuple[Path, Path, int]:
    """(config, database, rows stored): gdp_growth 2021-2023 with 2023 moved to year 9999
    and 2022's value made infinite, as an older lishi-tui (or a hand edit) may have left."""
    db = tmp_path / "h.db"
    stored = filled(db)
    con = sqlite3.connect(db)
    # As an older lishi-tui (or a hand edit) may have left them: year 9999 and an infinity.
    con.execute(
        "UPDATE observations SET period_start = ?, period_key = '9999' WHERE period_key = '2023'",
        (int(datetime(9999, 1, 1, tzinfo=UTC).timestamp()),),
    )
    con.execute("UPDATE observations SET value = 9e999 WHERE period_key = '2022'")
    con.commit()
    con.close()
    return setup(tmp_path, f'path = "{db}"'), db, stored


def test_every_reader_survives_a_poisoned_row_already_stored(tmp_path: Path) -> None:
    config, db, stored = poisoned(tmp_path)
    for command in (("show",), ("show", "--json"), ("show", "gdp_growth")):
        done = cli(config, *command)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert "skipped a stored row" in done.stderr and "gdp_growth 9999" in done.stderr

    from lishi_tui.store.sqlite import SqliteStore

    store = SqliteStore(db)
    try:
        assert [o.period.key for o in store.history("gdp_growth")] == ["2021"]
        assert len(store.revisions("gdp_growth")) == 1
    finally:
        store.close()
    assert count(db) == stored  # skipped, never deleted


async def test_the_dashboard_survives_a_poisoned_row_already_stored(tmp_path: Path) -> None:
    from lishi_tui.app import make_app
    from lishi_tui.bootstrap import load_runtime
    from tests.support.waiting import until_shown

    config, db, stored = poisoned(tmp_path)
    runtime = load_runtime(config, {"LISHI_TUI_LANG": "en"})
    store = runtime.open_store()
    try:
        app = make_app(runtime.config, runtime.registry, store)
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_detail("gdp_growth")  # reads the whole history, poisoned rows too
            shown = await until_shown(pilot, "2021")
            assert app.is_running and "9999" not in shown
    finally:
        store.close()
    assert count(db) == stored


async def test_the_dashboard_tells_of_a_full_disk_and_when_it_clears(small_disk: Path) -> None:
    """A dashboard running its collector on a history that fills up: one notice naming the
    fault, one when writes succeed again, and every reading kept meanwhile is then stored."""
    import dataclasses

    from lishi_tui.app.app import make_app
    from lishi_tui.app.i18n import t
    from lishi_tui.collector import Collector
    from lishi_tui.config.schema import SourceConfig
    from lishi_tui.roles import Role
    from lishi_tui.sources.api import FetchContext, SourceType
    from tests.app_support import FIXED_NOW, build_config, build_registry

    year = iter(range(2001, 2100))

    def fetch(ctx: FetchContext) -> list[Reading]:
        return [Reading("gdp_growth", Period.year(next(year)), 5.0, note="x" * 3000)]

    source = SourceConfig("report", "t", timedelta(hours=1), ("gdp_growth",), {})
    config = dataclasses.replace(build_config(), sources={"report": source})
    registry = dataclasses.replace(build_registry(), source_types={"t": SourceType("t", fetch)})
    store = SqliteStore(small_disk / "h.db")
    runs: list[SourceRunOutcome] = []
    collector = Collector(config, registry, store, on_run=runs.append)
    app = make_app(
        config,
        registry,
        store,
        collector=collector,
        clock=lambda: FIXED_NOW,
        env={},
        role=Role.OPERATOR,
    )

    def notices() -> list[str]:
        return [str(n.message) for n in app._notifications]

    def stored() -> list[str]:
        return sorted(o.period.key for o in store.history("gdp_growth"))

    async def until(condition: Callable[[], bool], pilot: Any, what: str) -> None:
        from tests.support.waiting import until as shared_until

        await shared_until(
            pilot, condition, what=what, show=lambda: f"notices: {notices()}; runs: {runs}"
        )

    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(lambda: stored() == ["2001"], pilot, "the first run stored")
            filler = _fill(small_disk)
            await pilot.press("r")
            await until(lambda: any("the disk is full" in n for n in notices()), pilot, "fault")
            fault = next(n for n in notices() if "the disk is full" in n)
            assert "not stored yet" in fault and str(small_disk / "h.db") in fault
            await until(lambda: len(runs) == 2, pilot, "the failed run reported")
            await pilot.press("r")  # a second failing run says nothing more
            await until(lambda: len(runs) == 3, pilot, "another failed run")
            assert not runs[2].ok and "the disk is full" in runs[2].error
            assert sum("the disk is full" in n for n in notices()) == 1
            assert stored() == ["2001"]  # what was stored is still there
            filler.unlink()
            await pilot.press("r")
            writable = t("error.store_writable", app.lang)
            await until(lambda: writable in notices(), pilot, "cleared")
            assert stored() == ["2001", "2002", "2003", "2004"]  # nothing fetched was lost
            await pilot.press("q")
    finally:
        store.close()
