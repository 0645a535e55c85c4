"""Misbehaving plugins, probed as an attacker would: blocking, interrupting, lingering,
flooding; each contained at the plugin boundary while everything else keeps running."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.collector import Collector
from lishi_tui.config.schema import CollectorSettings, Config, SourceConfig
from lishi_tui.domain.model import Indicator, Reading, SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, SourceType
from lishi_tui.store.sqlite import SqliteStore

INDICATORS = ("gdp", "jobs")


def reading(indicator: str, year: int = 2023, value: float = 5.2) -> Reading:
    return Reading(indicator=indicator, period=Period.year(year), value=value)


async def good(ctx: FetchContext) -> list[Reading]:
    return [reading("jobs")]


def src(sid: str, type_: str, indicator: str = "gdp", seconds: float = 0.3) -> SourceConfig:
    return SourceConfig(
        id=sid,
        type=type_,
        interval=timedelta(hours=1),
        indicators=(indicator,),
        options={},
        timeout=timedelta(seconds=seconds),
    )


def config(tmp_path: Path, *sources: SourceConfig, **settings: Any) -> Config:
    return Config(
        path=tmp_path / "lishi.toml",
        collector=CollectorSettings(retries=0, **settings),
        sources={s.id: s for s in sources},
        indicators={i: Indicator(id=i, name_zh=i, name_en=i) for i in INDICATORS},
    )


def registry(**fetches: Any) -> Registry:
    types = {name: SourceType(name, fn) for name, fn in {"good": good, **fetches}.items()}
    return Registry(source_types=types)


async def run_once(tmp_path: Path, reg: Registry, *sources: SourceConfig, **settings: Any) -> Any:
    store = SqliteStore(tmp_path / "h.db")
    try:
        cfg = config(tmp_path, *sources, **settings)
        async with Collector(cfg, reg, store) as collector:
            outcomes = {o.source: o for o in await collector.run_once()}
        return outcomes, store.latest(), {o.source: o for o in store.fetch_log()}
    finally:
        store.close()


# -- a blocking call inside async def fetch ----------------------------------------------------


async def test_time_sleep_in_async_fetch_does_not_freeze_the_caller_loop(tmp_path: Path) -> None:
    entered = threading.Event()
    released = threading.Event()
    seen: dict[str, bool] = {}

    async def blocks(ctx: FetchContext) -> list[Reading]:
        entered.set()
        # A blocking wait: on the caller's loop it would stop the releaser below from
        # ever running, and the wait would end only by its own limit.
        seen["released"] = released.wait(10)
        return [reading("gdp")]

    async def releaser() -> None:
        # A thread waits; this coroutine, on the caller's loop, must get to run meanwhile.
        await asyncio.to_thread(entered.wait, 20)
        released.set()

    helper = asyncio.create_task(releaser())
    outcomes, latest, _ = await run_once(
        tmp_path, registry(blocks=blocks), src("b", "blocks", seconds=20), src("g", "good", "jobs")
    )
    await helper
    assert seen == {"released": True}, "the caller's loop was frozen by the plugin"
    assert outcomes["b"].ok and latest["gdp"].value == 5.2
    assert outcomes["g"].ok and latest["jobs"].value == 5.2


_stop_sleeper = threading.Event()


async def sleeps(ctx: FetchContext) -> list[Reading]:
    _stop_sleeper.wait(20)  # stands for time.sleep(20): a blocking call in async def
    return []


async def test_blocked_async_fetch_times_out_and_the_watchdog_names_it(tmp_path: Path) -> None:
    _stop_sleeper.clear()
    reg = registry(sleeps=sleeps)
    store = SqliteStore(tmp_path / "h.db")
    try:
        cfg = config(tmp_path, src("sleepy", "sleeps", seconds=0.3), src("g", "good", "jobs"))
        async with Collector(cfg, reg, store) as collector:
            first = {o.source: o for o in await collector.run_once()}
            # Still stuck: not started again, so a hung plugin cannot pile up threads.
            again = {o.source: o for o in await collector.run_once()}
    finally:
        store.close()
        _stop_sleeper.set()
    error = first["sleepy"].error
    assert error.startswith("source sleepy: FetchError: fetch timed out after 0.3 s: ")
    assert "its event loop is blocked by a blocking call in async def fetch" in error
    assert first["g"].ok and again["g"].ok
    assert "not started: its previous fetch has been stuck in plugin code" in again["sleepy"].error


# -- KeyboardInterrupt and SystemExit ------------------------------------------------------------


async def interrupts(ctx: FetchContext) -> list[Reading]:
    raise KeyboardInterrupt


def interrupts_sync(ctx: FetchContext) -> list[Reading]:
    raise KeyboardInterrupt("from a plain fetch")


async def exits(ctx: FetchContext) -> list[Reading]:
    raise SystemExit(3)


async def test_keyboard_interrupt_and_system_exit_in_fetch_are_the_plugins_errors(
    tmp_path: Path,
) -> None:
    reg = registry(interrupts=interrupts, interrupts_sync=interrupts_sync, exits=exits)
    outcomes, latest, log = await run_once(
        tmp_path,
        reg,
        src("ki", "interrupts"),
        src("ki_sync", "interrupts_sync"),
        src("ex", "exits"),
        src("g", "good", "jobs"),
    )
    assert log["ki"].error.startswith("source ki: KeyboardInterrupt (at ")
    assert "test_plugins.py" in log["ki"].error
    assert log["ki_sync"].error.startswith("source ki_sync: KeyboardInterrupt: from a plain fetch")
    assert log["ex"].error.startswith("source ex: SystemExit: 3")
    assert not any(log[s].ok for s in ("ki", "ki_sync", "ex"))
    assert outcomes["g"].ok and latest["jobs"].value == 5.2


async def test_an_interrupt_in_fetch_leaves_no_task_to_log_when_collected(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The task that raised is retrieved at the boundary. Left unretrieved, asyncio logs
    its traceback whenever the garbage collector frees it, inside whatever runs then:
    inside pytest's ast.parse of a failing test that was CPython 3.11's "AST constructor
    recursion depth mismatch", an INTERNALERROR that ended the run."""
    import gc

    reg = registry(interrupts=interrupts, exits=exits)
    outcomes, _, _ = await run_once(tmp_path, reg, src("ki", "interrupts"), src("ex", "exits"))
    assert not outcomes["ki"].ok and not outcomes["ex"].ok
    gc.collect()
    logged = [r.getMessage() for r in caplog.records if r.name == "asyncio"]
    assert logged == []


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(cwd / "c.toml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def plugin_folder(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "p").mkdir()
    for name, code in files.items():
        (tmp_path / "p" / f"{name}.py").write_text(code)
    (tmp_path / "c.toml").write_text('[storage]\npath = "h.db"\n[plugins]\ndirs = ["p"]\n')
    return tmp_path


def test_interrupt_or_exit_at_import_is_recorded_and_every_command_goes_on(tmp_path: Path) -> None:
    root = plugin_folder(
        tmp_path, ctrl_c="raise KeyboardInterrupt\n", quits="import sys\nsys.exit(3)\n"
    )
    done = cli(root, "plugins")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    ctrl_c = next(i for i, line in enumerate(lines) if line.startswith("ctrl_c "))
    assert "failed" in lines[ctrl_c]
    assert "failed to load: KeyboardInterrupt" in lines[ctrl_c + 1]
    quits = next(i for i, line in enumerate(lines) if line.startswith("quits "))
    assert "failed to load: SystemExit: 3" in lines[quits + 1]
    shown = cli(root, "show")
    assert shown.returncode == 0, shown.stderr
    assert "plugin ctrl_c" in shown.stderr and "KeyboardInterrupt" in shown.stderr


# -- a plugin's non-daemon thread --------------------------------------------------------------

LINGERS = "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,)).start()\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [(("plugins",), "lingers"), (("show",), "source:"), (("config", "check"), ": ok (")],
)
def test_a_plugins_lingering_thread_does_not_keep_a_command_alive(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    root = plugin_folder(tmp_path, lingers=LINGERS)
    done = cli(root, *args)  # before the fix: hangs an hour, killed by the 60 s limit
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


@pytest.mark.tmux
@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed")
def test_q_ends_the_dashboard_while_a_plugins_thread_lingers(tmp_path: Path) -> None:
    """The real dashboard in a terminal, with a plugin whose non-daemon thread sleeps an
    hour: `q` ends the process with status 0 (before the fix it waited for the thread)."""
    from tests.support.tmux import Tmux

    root = plugin_folder(tmp_path, lingers=LINGERS)
    command = [sys.executable, "-m", "lishi_tui", "--config", str(root / "c.toml")]
    tmux = Tmux(command, width=100, height=30, keep_pane=True)
    try:
        tmux.wait_for("q 退出", limit_s=60)
        assert tmux.exit_status() is None  # running, its plugin loaded
        # Before the fix the process outlived `q` by the thread's hour: the limit fails it.
        assert tmux.press_until_exit("q", limit_s=60) == 0
    finally:
        tmux.close()


# -- time.sleep in async def fetch, end to end ---------------------------------------------------

BLOCKS = (
    "import time\n"
    "from lishi_tui import hookimpl\n"
    "from lishi_tui.sources.api import SourceType\n"
    "async def fetch(ctx):\n"
    "    time.sleep(3600)  # a blocking call in async def: stops the loop it runs on\n"
    "async def interrupts(ctx):\n"
    "    raise KeyboardInterrupt\n"
    "def exits(ctx):\n"
    "    raise SystemExit(3)\n"
    "@hookimpl\n"
    "def lishi_register_source_types(register):\n"
    "    register(SourceType('blocks', fetch))\n"
    "    register(SourceType('interrupts', interrupts))\n"
    "    register(SourceType('exits', exits))\n"
)
STUCK_SOURCE = "".join(
    f'[sources.{name}]\ntype = "{kind}"\ninterval = "1h"\nindicator = "gdp_growth"\n'
    'timeout = "1s"\n'
    for name, kind in (("stuck", "blocks"), ("ctrl_c", "interrupts"), ("quits", "exits"))
)


def blocking_plugin(tmp_path: Path) -> Path:
    root = plugin_folder(tmp_path, blocks=BLOCKS)
    with (root / "c.toml").open("a", encoding="utf-8") as config:
        config.write(STUCK_SOURCE)
    return root


def test_fetch_once_ends_despite_a_blocking_async_fetch(tmp_path: Path) -> None:
    root = blocking_plugin(tmp_path)
    done = cli(root, "fetch", "--once")  # before the fix: hung an hour, killed at 60 s
    assert done.returncode == 1, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("ERR stuck"))
    assert "fetch timed out after 1 s" in line
    assert "its event loop is blocked by a blocking call in async def fetch" in line
    # Interrupting or exiting plugins are their own sources' errors, not the command's end.
    assert "ERR ctrl_c" in done.stdout and "KeyboardInterrupt" in done.stdout
    assert "ERR quits" in done.stdout and "SystemExit: 3" in done.stdout


@pytest.mark.tmux
@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed")
def test_the_dashboard_paints_answers_and_hangs_up_despite_a_blocking_async_fetch(
    tmp_path: Path,
) -> None:
    """Before the fix the dashboard never painted, ignored keys and SIGHUP, and outlived
    its terminal; a plugin's KeyboardInterrupt or SystemExit in a fetch ended it."""
    import os
    import signal

    from tests.support.tmux import Tmux

    root = blocking_plugin(tmp_path)
    command = [sys.executable, "-m", "lishi_tui", "--config", str(root / "c.toml")]
    tmux = Tmux(command, width=120, height=40, keep_pane=True)
    try:
        tmux.wait_for("q 退出", limit_s=60)  # painted, its collector running the source
        screen = tmux.press_until("p", "插件与数据源")  # answers keys
        # The watchdog's report; the other plugins' interrupts are their sources' errors.
        screen = tmux.wait_for("stuck", "event loop is blocked", "ctrl_c", "quits")
        os.kill(tmux.pane_pid(), signal.SIGHUP)  # its terminal goes away
        assert tmux.wait_exit() == 129, screen
    finally:
        tmux.close()


# -- a flood of readings ------------------------------------------------------------------------


async def floods(ctx: FetchContext) -> list[Reading]:
    return [reading("gdp", 1900 + i, float(i)) for i in range(12)]


async def test_readings_over_the_cap_are_refused_with_a_located_error(tmp_path: Path) -> None:
    outcomes, latest, log = await run_once(
        tmp_path, registry(floods=floods), src("f", "floods"), max_readings=5
    )
    out = outcomes["f"]
    assert not out.ok
    assert out.error == (
        "source f: returned 12 readings, more than [collector] max_readings = 5: "
        "the first 5 were kept, 7 refused"
    )
    assert out.new_observations == 5 and log["f"].error == out.error
    assert latest["gdp"].period.key == "1904"  # the kept ones are stored


# -- a manual refresh coalesces with a run in flight --------------------------------------------


async def test_refresh_while_a_run_is_in_flight_adds_no_run(tmp_path: Path) -> None:
    calls: list[int] = []
    entered = threading.Event()
    gate = threading.Semaphore(0)

    def gated(ctx: FetchContext) -> list[Reading]:
        calls.append(1)
        entered.set()
        gate.acquire(timeout=20)
        return [reading("gdp", 2000 + len(calls))]

    finished: list[SourceRunOutcome] = []
    ran = asyncio.Event()

    def on_run(outcome: SourceRunOutcome) -> None:
        finished.append(outcome)
        ran.set()

    store = SqliteStore(tmp_path / "h.db")
    cfg = config(tmp_path, src("s", "gated", seconds=30))
    collector = Collector(cfg, registry(gated=gated), store, on_run=on_run)
    forever = asyncio.create_task(collector.run_forever())
    try:
        await asyncio.to_thread(entered.wait, 20)
        for _ in range(30):  # `r` pressed 30 times during the run
            collector.refresh()
        gate.release()
        await ran.wait()
        ran.clear()
        await asyncio.sleep(0.3)  # room for a wrongly queued run to start
        assert len(calls) == 1
        entered.clear()
        collector.refresh()  # idle now: one press, one run
        await asyncio.to_thread(entered.wait, 20)
        gate.release()
        await ran.wait()
        assert len(calls) == 2 and len(finished) == 2
    finally:
        gate.release()
        await collector.stop()
        forever.cancel()
        await asyncio.gather(forever, return_exceptions=True)
        store.close()


def test_lingering_check_counts_only_live_non_daemon_threads() -> None:
    from lishi_tui.exiting import lingering_threads

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, args=(10,))
    worker.start()
    try:
        assert worker in lingering_threads()
    finally:
        stop.set()
        worker.join()
    assert worker not in lingering_threads()
    time.sleep(0)


# -- a double-gzip bomb ---------------------------------------------------------------------


def _double_gzip_bomb(decoded: int) -> bytes:
    import gzip
    import zlib

    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    parts = [inner.compress(zeros) for _ in range(decoded >> 20)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), 9)


async def test_a_double_gzip_bomb_is_refused_with_memory_bounded(http_server: Any) -> None:
    import tracemalloc

    from lishi_tui.sources.api import FetchError
    from lishi_tui.sources.http import HttpClient

    body = _double_gzip_bomb(256 << 20)  # 256 MiB of zeros in a body of a few kB
    assert len(body) < 64 * 1024
    http_server.route("/bomb", body, headers={"Content-Encoding": "gzip, gzip"})
    cap = 1 << 20
    client = HttpClient(CollectorSettings(max_bytes=cap, timeout=timedelta(seconds=20)))
    try:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as info:
                # The source's timeout bounds a hang: tracemalloc on a loaded machine makes
                # the inflating slow, and a 0.3 s one failed as a timeout instead.
                view = client.for_source(src("s", "t", seconds=60), {})
                await view.get(http_server.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        await client.aclose()
    assert info.value.message == f"response larger than {cap} bytes once decompressed"
    # Before the fix httpx inflated each layer whole: hundreds of MiB before any check.
    assert peak < 8 * cap, f"peak {peak / 2**20:.1f} MiB"


async def test_gzip_and_deflate_bodies_still_decode(http_server: Any) -> None:
    import gzip
    import zlib

    from lishi_tui.sources.http import HttpClient

    text = "地区生产总值 5.2\n".encode() * 2000
    http_server.route("/gz", gzip.compress(text), headers={"Content-Encoding": "gzip"})
    http_server.route("/df", zlib.compress(text), headers={"Content-Encoding": "deflate"})
    http_server.route(
        "/two", gzip.compress(gzip.compress(text)), headers={"Content-Encoding": "gzip, gzip"}
    )
    client = HttpClient(CollectorSettings(max_bytes=len(text), timeout=timedelta(seconds=5)))
    try:
        view = client.for_source(src("s", "t", seconds=60), {})
        for path in ("/gz", "/df", "/two"):
            assert (await view.get(http_server.url(path))).content == text
        assert http_server.requests_to("/gz")[0].headers["accept-encoding"] == "gzip, deflate"
    finally:
        await client.aclose()


# -- SIGTERM gives the terminal back ----------------------------------------------------------

PANE = "#{pane_dead} #{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag}"


@pytest.mark.tmux
@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed")
def test_sigterm_restores_the_terminal(tmp_path: Path) -> None:
    import os
    import signal

    from tests.app_support import launcher_command, open_store
    from tests.support.tmux import Tmux

    db = tmp_path / "lishi.db"
    open_store(db).close()
    tmux = Tmux(launcher_command(db), width=100, height=30, keep_pane=True)
    try:
        tmux.wait_for("地区生产总值增速")
        assert tmux.tmux("display-message", "-p", "-t", "app", PANE).split() == ["0", "1", "1", "1"]
        os.kill(tmux.pane_pid(), signal.SIGTERM)
        status = tmux.wait_exit()
        state = tmux.tmux("display-message", "-p", "-t", "app", PANE)
        # Ended by its own exit, not by the signal; out of the alternate screen, no mouse
        # reporting left on.
        assert status >= 0, f"killed by signal {-status}"
        assert state.split() == ["1", "0", "0", "0"]
    finally:
        tmux.close()
