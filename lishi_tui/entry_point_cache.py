"""The plugin entry points of installed packages, cached by a fingerprint of the install.

Scanning every installed distribution's metadata costs hundreds of milliseconds at each
start (most of it before the first frame). The answer only changes when a package is
installed, upgraded or removed, which changes the modification time of the directory on
``sys.path`` that holds it; so the scan's result is kept with those times and reused while
they match. Any trouble reading or writing the cache falls back to scanning.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CACHE_VERSION = 1


@dataclass(frozen=True)
class Found:
    """One entry point: its name, ``module:attr`` value and the distribution that gave it."""

    name: str
    value: str
    dist: str
    version: str

    def load(self) -> object:
        module, _, attr = self.value.partition(":")
        obj: object = importlib.import_module(module.strip())
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj


DIST_SUFFIXES = (".dist-info", ".egg-info", ".egg-link")


def fingerprint(paths: list[str] | None = None) -> list[list[object]]:
    """Each directory on ``sys.path`` that holds an installed distribution, with its
    modification time (ns); the others do not count.

    ``python -m lishi_tui`` puts the working directory first on the path: its time moves
    with every file made there, it changes with every directory the command is started
    from, and it holds no installed package. A package installed into a directory that
    had none adds that directory's entry.
    """
    out: list[list[object]] = [[sys.version]]
    for entry in paths if paths is not None else sys.path:
        try:
            with os.scandir(entry or ".") as names:
                holds = any(n.name.endswith(DIST_SUFFIXES) for n in names)
            if holds:
                out.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            continue  # not a directory (a zip, a missing path): nothing to scan in it
    return out


def cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("lishi-tui")) / "entry-points.json"


def scan(group: str) -> list[Found]:
    import importlib.metadata

    found = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = ep.dist
        found.append(
            Found(ep.name, ep.value, dist.name if dist else "", dist.version if dist else "")
        )
    return found


def entry_points(
    group: str,
    *,
    path: Path | None = None,
    scanner: Callable[[str], list[Found]] = scan,
) -> list[Found]:
    """The group's entry points, from the cache when the install has not changed."""
    where = path or cache_file()
    print_ = fingerprint()
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        if (
            data.get("version") == CACHE_VERSION
            and data.get("fingerprint") == print_
            and group in data.get("groups", {})
        ):
            return [Found(*item) for item in data["groups"][group]]
    except (OSError, ValueError, TypeError, AttributeError):
        data = {}
    found = scanner(group)
    groups = data.get("groups", {}) if data.get("fingerprint") == print_ else {}
    groups[group] = [[f.name, f.value, f.dist, f.version] for f in found]
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=where.parent, delete=False, suffix=".tmp"
        ) as tmp:
            json.dump({"version": CACHE_VERSION, "fingerprint": print_, "groups": groups}, tmp)
        os.replace(tmp.name, where)
    except OSError:
        pass  # a read-only home: scan again next time
    return found
