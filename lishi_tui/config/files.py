"""Atomic file writes (temporary file, fsync, rename) that keep the previous copy as ``.bak``."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def backup_path(path: Path) -> Path:
    """Where the previous copy of ``path`` is kept."""
    return path.with_name(path.name + ".bak")


def atomic_write_text(path: Path, text: str, *, keep_backup: bool = True) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new, never half.

    The temporary file sits in the same folder because a rename is only atomic
    within one file system.
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    old_mode: int | None = None
    if path.exists():
        old_mode = path.stat().st_mode & 0o7777
        if keep_backup:
            shutil.copy2(path, backup_path(path))
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; keep the old file's mode, or what a plain open() would give.
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def write_generated_toml(path: Path, data: Mapping[str, Any], *, keep_backup: bool = True) -> None:
    """Write a file the program owns (e.g. UI state) as TOML; never use this on a person's file."""
    import tomli_w  # only when a file is generated: not on a dashboard's start

    atomic_write_text(Path(path), tomli_w.dumps(dict(data)), keep_backup=keep_backup)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (e.g. Windows).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
