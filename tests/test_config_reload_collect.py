"""Hot reload through `lishi-tui collect`: sources started and stopped exactly, broken saves
kept out, a start on a broken file runs on the last good copy, file edits audited."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.config import audit
from lishi_tui.config.schema import StorageSettings
from lishi_tui.store.factory import open_store

INDICATOR = """
[indicators.walk_{n}]
name_zh = "演示{n}"
unit = "%"
frequency = "daily"
"""
SOURCE = """
[sources.{sid}]
type = "demo"
interval = "{interval}"
indicator = "walk_{n}"
seed = {n}
profile = "walk"
"""


def config_text(sources: dict[str, tuple[int, str]]) -> str:
    text = "[app]\ndemo = true\n"
    for n in range(1, 4):
        text += INDICATOR.format(n=n)
    for sid, (n, interval) in sources.items():
        text += SOURCE.format(sid=sid, n=n, interval=interval)
    return text


class Collect:
    """`lishi-tui collect` in a subprocess, its stderr read line by line."""

    def __init__(self, config: Path, db: Path, state: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
        env["LISHI_TUI_STATE_DIR"] = str(state)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lishi_tui",
                "--config",
                str(config),
                "--db",
                str(db),
                "collect",
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._q: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._q.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first line from now on containing ``text``."""
        while True:
            try:
                line = self._q.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"no line with {text!r}; got:\n" + "\n".join(self.lines)
                ) from None
            self.lines.append(line)
            if text in line:
                return line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    yield tmp_path / "lishi.toml", tmp_path / "h.db", tmp_path / "state"


def test_collect_follows_the_file(paths: tuple[Path, Path, Path]) -> None:
    config, db, state = paths
    config.write_text(config_text({"a": (1, "1h"), "b": (2, "1h")}), encoding="utf-8")
    run = Collect(config, db, state)
    try:
        run.wait_for("collecting 2 source(s)")
        started = {run.wait_for("ok ").split()[1], run.wait_for("ok ").split()[1]}
        assert started == {"a", "b"}

        # b removed, c added; a untouched (its hourly schedule is not restarted).
        config.write_text(config_text({"a": (1, "1h"), "c": (3, "1h")}), encoding="utf-8")
        line = run.wait_for("config reloaded")
        assert "started c" in line and "stopped b" in line and "restarted" not in line
        assert run.wait_for("ok ").split()[1] == "c"

        # A broken save: not applied, the located error in the log.
        good = config.read_text(encoding="utf-8")
        config.write_text(
            good.replace('interval = "1h"', 'interval = "1 hour"', 1), encoding="utf-8"
        )
        run.wait_for("config not applied")
        located = run.wait_for("sources.a.interval")
        assert f"{config}:" in located
        run.stop()
        runs_of_a = [ln for ln in run.lines if ln.startswith("ok ") and ln.split()[1] == "a"]
        assert len(runs_of_a) == 1  # its schedule survived both reloads
    finally:
        run.stop()

    # A start on the broken file runs on the last good copy, loudly.
    again = Collect(config, db, state)
    try:
        again.wait_for("CONFIG BROKEN: starting on the last good copy")
        again.wait_for("sources.a.interval")
        again.wait_for("collecting 2 source(s)")
        ran = {again.wait_for("ok ").split()[1], again.wait_for("ok ").split()[1]}
        assert ran == {"a", "c"}
    finally:
        again.stop()

    store = open_store(StorageSettings(path=db), base_dir=db.parent)
    try:
        keys = {(e.key, e.origin) for e in audit.history(store)}
    finally:
        store.close()
    assert ("sources.c.type", audit.Origin.FILE) in keys
    assert ("sources.b.type", audit.Origin.FILE) in keys


def test_an_edit_from_the_shell_is_recorded_once_while_collect_watches(
    paths: tuple[Path, Path, Path],
) -> None:
    """`config set` and `config annotate` record their change (origin cli); `collect` sees
    the same change in the file and must not record it a second time as a file edit."""
    config, db, state = paths
    config.write_text(config_text({"a": (1, "1h")}), encoding="utf-8")
    run = Collect(config, db, state)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    env["LISHI_TUI_STATE_DIR"] = str(state)
    base = [sys.executable, "-m", "lishi_tui", "--config", str(config), "--db", str(db), "config"]
    try:
        run.wait_for("collecting 1 source(s)")
        run.wait_for("ok ")
        subprocess.run([*base, "set", "indicators.walk_1.unit", '"万人"'], check=True, env=env)
        assert "1 key(s) changed" in run.wait_for("config reloaded")
        subprocess.run([*base, "annotate", "walk_1", "口径调整"], check=True, env=env)
        assert "3 key(s) changed" in run.wait_for("config reloaded")  # text, author, at
        # By hand, in an editor: that one is a file edit.
        config.write_text(
            config.read_text(encoding="utf-8").replace('"万人"', '"人"'), encoding="utf-8"
        )
        run.wait_for("config reloaded")
    finally:
        run.stop()
    store = open_store(StorageSettings(path=db), base_dir=db.parent)
    try:
        rows = [(e.key, e.origin, e.new) for e in audit.history(store)]
    finally:
        store.close()
    assert [(k, o) for k, o, _ in rows] == [
        ("indicators.walk_1.unit", audit.Origin.FILE),
        ("indicators.walk_1.annotations[0]", audit.Origin.CLI),
        ("indicators.walk_1.unit", audit.Origin.CLI),
    ]
    assert rows[0][2] == '"人"' and rows[2][2] == '"万人"'
