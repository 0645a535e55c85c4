"""The files lishi-tui keeps in the user's cache folder to start faster (issue 16).

What such a file holds is run or rebuilt as if it were the program's own (compiled code,
parsed stylesheets), so it is read only when it is this user's and nobody else may write it,
and written whole or not at all: a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("lishi-tui"))


def own_and_private(st: os.stat_result) -> bool:
    """The file is this user's and nobody else may write it (as ssh asks of its keys)."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's cache folder is the user's
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def read_private(path: Path, header: bytes) -> bytes | None:
    """What follows ``header`` in ``path``; None when missing, unreadable, another's or
    another format's."""
    try:
        with path.open("rb") as file:
            if not own_and_private(os.fstat(file.fileno())):
                return None  # what anyone else could have written is not run
            data = file.read()
    except OSError:
        return None
    if not data.startswith(header):
        return None
    return data[len(header) :]


def write_private(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` in one step; False (the old file kept) on any trouble,
    or when Python is told not to write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``)."""
    if sys.dont_write_bytecode:
        return False
    import tempfile  # only when there is something to write

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    return True
