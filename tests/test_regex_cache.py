"""Regular expressions' compiled code kept between runs: a kept pattern is the very pattern
``re`` makes (same text, flags and code), matches as it does, and a damaged, foreign or
unusual entry is compiled as ``re`` compiles it."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lishi_tui import regex_cache
from tests.support import kept_cache

# Chosen to cover what the code words encode: named and numbered groups, back references,
# look-arounds, inline and passed flags, possessive-free repeats, classes with ranges and
# negation, Unicode text, bytes, and verbose mode.
PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<year>\d{4})年(?:(?P<month>\d{1,2})月)?", 0),
    (r"^\s*([+-]?\d+(?:\.\d+)?)\s*(%|万元|亿元)?$", 0),
    (r"(?i)q(?P<q>[1-4])\s+(?P=q)", 0),
    (r"(?<=\$)\d+(?!\.)", re.MULTILINE),
    (r"[^\W\d_]+|[а-я]+", re.IGNORECASE),
    (rb"\x00[\x01-\x7f]{2,5}?\xff", 0),
    (
        r"""(?x) (?P<key> [a-z_]+ )  # a key
             \s* = \s* (?P<value> .+ )""",
        0,
    ),
    (r"(a)|b", re.ASCII | re.DOTALL),
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # re's own cache would answer before ours: emptied as a new process's is.
    path = tmp_path / "cache" / "regex.marshal"
    yield from kept_cache.installed(regex_cache, path, monkeypatch, forget=re.purge)


def next_run(path: Path) -> None:
    kept_cache.next_run(regex_cache, path, forget=re.purge)


def compiled(n: int) -> Any:
    """``re.compile`` of the n-th pattern above."""
    text, flags = PATTERNS[n]
    return re.compile(text, flags)


def plain(text: str | bytes, flags: int) -> re.Pattern[str] | re.Pattern[bytes]:
    """The pattern Python itself makes, with the cache out of the way."""
    compile_ = regex_cache._original or re._compiler.compile  # type: ignore[attr-defined]
    return compile_(text, flags)


def test_kept_patterns_are_the_patterns_re_makes(cache: Path) -> None:
    for n in range(len(PATTERNS)):
        compiled(n)
    assert regex_cache.compiled_since_save() == len(PATTERNS)
    assert regex_cache.save() and cache.exists()
    assert not regex_cache.save()  # nothing new since

    next_run(cache)
    for n, (text, flags) in enumerate(PATTERNS):
        kept = compiled(n)
        assert kept == plain(text, flags)  # text, flags and every code word
        assert kept.groupindex == plain(text, flags).groupindex
    assert regex_cache.compiled_since_save() == 0  # every one found kept

    # And they match as Python's do, read off by hand.
    m = compiled(0).match("2024年11月")
    assert m is not None and m.group("year", "month") == ("2024", "11")
    assert compiled(0).groupindex == {"year": 1, "month": 2}
    m = compiled(1).match(" -12.5 亿元")
    assert m is not None and m.groups() == ("-12.5", "亿元")
    assert compiled(2).match("Q3 3") and not compiled(2).match("Q3 4")
    assert compiled(3).findall("$12 $3.5\n$7") == ["12", "7"]
    assert compiled(5).match(b"\x00ab\xff")
    m = compiled(6).match("unit = 万元")
    assert m is not None and m.group("value") == "万元"
    assert compiled(7).flags & re.ASCII


def test_a_pattern_that_does_not_compile_raises_as_before_and_is_not_kept(cache: Path) -> None:
    with pytest.raises(re.error) as caught:
        re.compile(r"(unclosed")
    assert "missing )" in str(caught.value)
    assert (r"(unclosed", 0) not in regex_cache._table.known
    assert regex_cache.compiled_since_save() == 0


def test_debug_and_str_subclasses_pass_through(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Text(str):
        pass

    re.compile(Text(r"a+b"))
    re.compile(r"c+d", re.DEBUG)
    assert "MAX_REPEAT" in capsys.readouterr().out  # re's own debug listing, still printed
    assert not regex_cache._table.known  # neither kept (marshal would refuse the first)


def test_a_damaged_entry_is_compiled_afresh(cache: Path) -> None:
    text = r"(?P<n>\d+)-(?P=n)"
    re.compile(text)
    regex_cache.save()
    header = regex_cache._HEADER
    table = marshal.loads(cache.read_bytes()[len(header) :])
    flags, _code, groups, groupindex, indexgroup = table[(text, 0)]
    table[(text, 0)] = (flags, [9999, 1, 2], groups, groupindex, indexgroup)  # not SRE code
    cache.write_bytes(header + marshal.dumps(table))
    os.chmod(cache, 0o600)

    next_run(cache)
    pattern = re.compile(text)
    assert pattern == plain(text, 0)
    assert pattern.match("12-12") and not pattern.match("12-13")
    assert regex_cache.compiled_since_save() == 1  # compiled, and the entry replaced


def test_a_file_others_may_write_or_of_another_python_is_not_read(cache: Path) -> None:
    re.compile(r"x{2,}y")
    regex_cache.save()
    if hasattr(os, "getuid"):
        os.chmod(cache, 0o666)
        next_run(cache)
        re.compile(r"x{2,}y")
        assert regex_cache.compiled_since_save() == 1
        os.chmod(cache, 0o600)
    cache.write_bytes(cache.read_bytes().replace(sys.version.encode(), b"3.0.0", 1))
    next_run(cache)
    re.compile(r"x{2,}y")
    assert regex_cache.compiled_since_save() == 1


def test_a_long_run_of_new_patterns_keeps_a_bounded_table(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regex_cache._table, "max_entries", 3)
    monkeypatch.setattr(regex_cache._table, "max_in_memory", 6)  # as a table of 3 has
    for n in range(20):
        re.compile(f"item-{n}-[a-z]+")  # a pattern made from changing text
    assert len(regex_cache._table.known) == 6  # max_in_memory, then no more
    assert re.compile("item-19-[a-z]+").match("item-19-x")  # still compiled, just not kept


def test_uninstall_gives_re_its_own_compiling_back(tmp_path: Path) -> None:
    regex_cache.uninstall()
    own = re._compiler.compile  # type: ignore[attr-defined]
    regex_cache.install(tmp_path / "regex.marshal")
    assert re._compiler.compile is not own  # type: ignore[attr-defined]
    regex_cache.uninstall()
    assert re._compiler.compile is own  # type: ignore[attr-defined]


def test_the_command_keeps_the_code_of_what_it_compiled(tmp_path: Path) -> None:
    """``python -m lishi_tui`` installs it first: a run leaves the file in the user's cache
    folder holding the patterns of lishi-tui's own parsers, and the next run finds them."""
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    config = tmp_path / "lishi.toml"
    config.write_text('[app]\nlanguage = "en"\n', encoding="utf-8")
    argv = [sys.executable, "-m", "lishi_tui", "--config", str(config), "config", "check"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [kept] = (tmp_path / "cache" / "lishi-tui").glob("regex.*.marshal")
    table = marshal.loads(kept.read_bytes()[len(regex_cache._HEADER) :])
    assert len(table) > 10
    first = kept.stat().st_mtime_ns
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert kept.stat().st_mtime_ns == first  # nothing new to write: everything was found
