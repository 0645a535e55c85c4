"""The entry-point scan is reused while the install is unchanged, and redone when it changes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from lishi_tui.entry_point_cache import Found, entry_points


def test_scan_once_then_cache_until_a_path_directory_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    scans: list[str] = []

    def scanner(group: str) -> list[Found]:
        scans.append(group)
        return [Found("demo", "os.path:join", "demo-dist", "1.0")]

    cache = tmp_path / "cache" / "entry-points.json"
    first = entry_points("lishi_tui", path=cache, scanner=scanner)
    again = entry_points("lishi_tui", path=cache, scanner=scanner)
    assert first == again == [Found("demo", "os.path:join", "demo-dist", "1.0")]
    assert scans == ["lishi_tui"]  # the second answer came from the cache
    assert again[0].load() is os.path.join

    (site / "newpkg-1.0.dist-info").mkdir()  # an install changes the directory's mtime
    stat = site.stat()
    os.utime(site, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    entry_points("lishi_tui", path=cache, scanner=scanner)
    assert scans == ["lishi_tui", "lishi_tui"]

    cache.write_text("{not json", encoding="utf-8")  # a damaged cache is rebuilt, not fatal
    assert entry_points("lishi_tui", path=cache, scanner=scanner) == first
    assert len(scans) == 3


def test_a_real_scan_finds_an_installed_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    dist = site / "lishi_cache_demo-0.2.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lishi-cache-demo\nVersion: 0.2.0\n"
    )
    (dist / "entry_points.txt").write_text("[lishi_tui]\ncache_demo = json:dumps\n")
    monkeypatch.syspath_prepend(str(site))
    found = entry_points("lishi_tui", path=tmp_path / "c.json")
    demo = [f for f in found if f.name == "cache_demo"]
    assert demo == [Found("cache_demo", "json:dumps", "lishi-cache-demo", "0.2.0")]
    import json

    assert demo[0].load() is json.dumps
    assert sys.path[0] == str(site)


def test_a_directory_without_packages_does_not_void_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m lishi_tui`` puts the working directory on the path: files made there (a
    report, an export), or a start from another directory, must not make the next start
    scan every installed package again; a package installed there must."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.syspath_prepend(str(work))
    scans: list[str] = []

    def scanner(group: str) -> list[Found]:
        scans.append(group)
        return []

    cache = tmp_path / "cache" / "entry-points.json"
    entry_points("lishi_tui", path=cache, scanner=scanner)
    (work / "export.csv").write_text("a,b\n")
    stat = work.stat()
    os.utime(work, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    entry_points("lishi_tui", path=cache, scanner=scanner)
    assert scans == ["lishi_tui"]

    elsewhere = tmp_path / "elsewhere"  # started from another directory
    elsewhere.mkdir()
    monkeypatch.syspath_prepend(str(elsewhere))
    entry_points("lishi_tui", path=cache, scanner=scanner)
    assert scans == ["lishi_tui"]

    (work / "late_plugin-1.0.dist-info").mkdir()
    entry_points("lishi_tui", path=cache, scanner=scanner)
    assert scans == ["lishi_tui", "lishi_tui"]
