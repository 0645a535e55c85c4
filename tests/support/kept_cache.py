"""What the tests of the caches kept between runs share: one installed on a file of the
test's own, and a "next run" that reads that file afresh as a new process would."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest


class KeptCache(Protocol):
    """A cache module: ``dataclass_cache``, ``toml_cache``, ``regex_cache``."""

    def install(self, path: Path | None = None) -> None: ...

    def uninstall(self) -> None: ...


def installed(
    cache: KeptCache,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forget: Callable[[], None] = lambda: None,
) -> Iterator[Path]:
    """For a ``cache`` fixture: ``cache`` installed on ``path`` (saves allowed, whatever
    ``PYTHONDONTWRITEBYTECODE`` says), uninstalled after; ``forget`` empties whatever memory
    answers before the cache (``re.purge``), at the start and at the end."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    next_run(cache, path, forget)
    yield path
    cache.uninstall()
    forget()


def next_run(cache: KeptCache, path: Path, forget: Callable[[], None] = lambda: None) -> None:
    """What a new process does: read the file afresh."""
    cache.uninstall()
    cache.install(path)
    forget()
