"""The dataclass method code kept between runs: the same classes, compiled once, never wrong."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lishi_tui import dataclass_cache
from tests.support import kept_cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cache" / "dataclasses.marshal"
    yield from kept_cache.installed(dataclass_cache, path, monkeypatch)


def next_run(path: Path) -> None:
    kept_cache.next_run(dataclass_cache, path)


def make_classes() -> tuple[type, type, type]:
    """Two classes whose generated text is the same but whose defaults differ, and a
    frozen one with a factory: what the kept code must not mix up."""

    @dataclass
    class One:
        x: int = 1
        tags: list[str] = field(default_factory=list)

    @dataclass
    class Two:
        x: int = 2
        tags: list[str] = field(default_factory=lambda: ["two"])

    @dataclass(frozen=True)
    class Point:
        lat: float
        lon: float = 0.5

    return One, Two, Point


def check(one: type, two: type, point: type) -> None:
    assert one().x == 1 and one().tags == [] and one().tags is not one().tags
    assert two().x == 2 and two().tags == ["two"]
    assert repr(one(5)) == "make_classes.<locals>.One(x=5, tags=[])"
    assert one(3) == one(3) and one(3) != one(4)
    p = point(1.0)
    assert p.lon == 0.5 and p == point(1.0, 0.5) and hash(p) == hash(point(1.0, 0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.lat = 2.0
    with pytest.raises(TypeError):
        point()


def test_classes_made_through_the_cache_behave_as_without_it(cache: Path) -> None:
    check(*make_classes())
    assert dataclass_cache.compiled_since_save() > 0  # nothing kept yet: all compiled


def test_saved_code_is_used_by_the_next_run_and_nothing_is_compiled_again(cache: Path) -> None:
    make_classes()
    assert dataclass_cache.save()
    assert cache.is_file()
    assert not dataclass_cache.save()  # nothing new since

    next_run(cache)
    check(*make_classes())
    assert dataclass_cache.compiled_since_save() == 0
    assert not dataclass_cache.save()


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"\x00" * 64, None],
    ids=["empty", "garbage", "zeros", "truncated"],
)
def test_a_damaged_file_is_compiled_afresh(cache: Path, content: bytes | None) -> None:
    make_classes()
    assert dataclass_cache.save()
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2] if content is None else content)

    next_run(cache)
    check(*make_classes())
    assert dataclass_cache.compiled_since_save() > 0
    assert dataclass_cache.save()  # and mended
    next_run(cache)
    make_classes()
    assert dataclass_cache.compiled_since_save() == 0


def test_past_its_size_a_save_keeps_only_what_this_run_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_classes()
    assert dataclass_cache.save()
    next_run(cache)
    monkeypatch.setattr(dataclass_cache._table, "max_entries", 0)

    @dataclass
    class Other:
        only_here: str = ""

    assert dataclass_cache.compiled_since_save() > 0
    assert dataclass_cache.save()  # Other's texts; make_classes' were not used in this run
    next_run(cache)
    make_classes()
    assert dataclass_cache.compiled_since_save() > 0


def another_pythons(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF  # another bytecode magic number
    path.write_bytes(bytes(data))


def writable_by_others(path: Path) -> None:
    assert path.stat().st_mode & 0o077 == 0  # written private
    path.chmod(0o666)


@pytest.mark.parametrize("spoil", [another_pythons, writable_by_others])
def test_a_file_of_another_python_or_that_others_may_write_is_not_read(
    cache: Path, spoil: Callable[[Path], None]
) -> None:
    make_classes()
    assert dataclass_cache.save()
    spoil(cache)
    next_run(cache)
    make_classes()
    assert dataclass_cache.compiled_since_save() > 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_folder_it_cannot_write_leaves_no_file_and_raises_nothing(cache: Path) -> None:
    cache.parent.mkdir()
    cache.parent.chmod(0o500)
    try:
        make_classes()
        assert not dataclass_cache.save()
        assert list(cache.parent.iterdir()) == []
    finally:
        cache.parent.chmod(0o700)


def test_a_path_it_cannot_write_leaves_no_file_and_raises_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    dataclass_cache.uninstall()
    dataclass_cache.install(blocker / "dataclasses.marshal")
    try:
        make_classes()
        assert not dataclass_cache.save()
    finally:
        dataclass_cache.uninstall()
    assert blocker.read_text() == ""


def test_nothing_is_written_when_python_writes_no_bytecode(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    make_classes()
    assert not dataclass_cache.save()
    assert not cache.exists()


def test_uninstall_gives_dataclasses_the_builtin_exec_back(cache: Path) -> None:
    assert "exec" in vars(dataclasses)
    dataclass_cache.uninstall()
    assert "exec" not in vars(dataclasses)
    check(*make_classes())


def run(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(home)
    env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_command_keeps_the_code_and_its_next_start_compiles_nothing(tmp_path: Path) -> None:
    start = (
        "import sys; sys.argv = ['lishi-tui', '--version']\n"
        "from lishi_tui import __main__, dataclass_cache as c\n"
        "try:\n"
        "    __main__.entry()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(c.installed(), c.compiled_since_save())\n"
    )
    first = run(start, tmp_path)
    assert first.returncode == 0, first.stderr
    kept = list(tmp_path.rglob("dataclasses.*.marshal"))
    assert len(kept) == 1
    assert first.stdout.split()[-2:][0] == "True"
    second = run(start, tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split()[-2:] == ["True", "0"]


def test_importing_lishi_tui_installs_nothing(tmp_path: Path) -> None:
    done = run(
        "import dataclasses, lishi_tui.cli, lishi_tui.app.app\n"
        "from lishi_tui import dataclass_cache as c\n"
        "print(c.installed(), 'exec' in vars(dataclasses))\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
    assert not list(tmp_path.rglob("dataclasses.*"))
