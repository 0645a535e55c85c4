"""The code of generated dataclass methods, compiled once and kept between runs (issue 16).

``dataclasses`` writes each class's methods (``__init__``, ``__repr__``, ``__eq__``, and for a
frozen class ``__setattr__``, ``__delattr__`` and ``__hash__``) as source text and compiles
each with ``exec`` as the class is made: on Python 3.11 about 0.4 ms for a plain class and
0.7 ms for a frozen one. About 150 classes are made before the dashboard's first frame
(lishi-tui's and Textual's), some 100 ms of a start near half a second.

The text depends only on the class's declaration, never on the values it refers to (those
reach the code through the namespace ``exec`` is given), so its compiled code can be kept as
a ``.pyc`` keeps a module's. ``install`` gives the ``dataclasses`` module an ``exec`` of its
own that looks the text up first and compiles only what is new; ``save`` keeps what is known
in one marshalled file in the user's cache folder, under this Python's bytecode magic
number. A missing, stale or damaged file is compiled afresh, exactly as without it, and a
file that is not the user's own, or that others may write, is not read.

``lishi-tui`` and ``python -m lishi_tui`` install it before their first import; code that
imports ``lishi_tui`` (tests, plugins) never does. Nothing is written when Python is told not
to write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

# Past this many entries a save keeps only what this process used: texts of classes since
# changed or removed do not pile up.
MAX_ENTRIES = 4000
_HEADER = importlib.util.MAGIC_NUMBER + b"lishi-tui dataclass code 1\n"

_known: dict[str, CodeType] = {}
_used: set[str] = set()
_path: Path | None = None
_new = 0
_writes_held = False  # see hold_writes


def cache_file(kind: str, suffix: str) -> Path:
    """A cache file of this Python's in the user's cache folder: ``<kind>.<tag>.<suffix>``."""
    import platformdirs

    tag = sys.implementation.cache_tag or "python"
    return Path(platformdirs.user_cache_dir("lishi-tui")) / f"{kind}.{tag}.{suffix}"


def default_path() -> Path:
    return cache_file("dataclasses", "marshal")


def read_private(path: Path, header: bytes) -> bytes | None:
    """The bytes after ``header`` in a cache file that is this user's alone, else None.

    A file that is missing, unreadable, not the user's own or writable by others, or that
    starts otherwise (another Python's, another format's) is as good as none.
    """
    try:
        with path.open("rb") as file:
            if not _own_and_private(os.fstat(file.fileno())):
                return None  # code anyone else could have written is not run
            data = file.read()
    except OSError:
        return None
    return data[len(header) :] if data.startswith(header) else None


def hold_writes() -> None:
    """Write no cache file from now on, in this process (``write_private`` declines): for a
    command refused at the door, which leaves nothing behind (``lishi-tui view`` without a
    terminal)."""
    global _writes_held
    _writes_held = True


def write_private(path: Path, data: bytes) -> bool:
    """Replace the cache file at ``path`` with ``data`` in one step (a reader sees the old
    file or the new one, never part of one); False, with the old file kept, on any trouble
    (a read-only home, a full disk) or once ``hold_writes`` was called."""
    if _writes_held:
        return False
    import tempfile  # only when there is something to write

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # made 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    return True


def read_table(path: Path, header: bytes) -> dict[Any, Any]:
    """The marshalled dict in a private cache file (``read_private``); {} if there is none
    or it is damaged. Callers keep only the entries of the types they wrote."""
    data = read_private(path, header)
    if data is None:
        return {}
    try:
        table = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}


def write_table(
    path: Path, header: bytes, known: dict[Any, Any], used: list[Any], max_entries: int
) -> bool:
    """Write ``known`` marshalled after ``header`` (``write_private``); past ``max_entries``
    only the entries this process ``used``, so that stale ones do not pile up."""
    table = known if len(known) <= max_entries else {k: known[k] for k in used if k in known}
    try:
        data = marshal.dumps(table)
    except (ValueError, TypeError):  # an entry marshal cannot write: the old file is kept
        return False
    return write_private(path, header + data)


def _read(path: Path) -> dict[str, CodeType]:
    table = read_table(path, _HEADER)
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _own_and_private(st: os.stat_result) -> bool:
    """The file is this user's and nobody else may write it (as ssh asks of its keys)."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's cache folder is the user's
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _exec(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
    """``exec`` for ``dataclasses``: the text's kept code, else compiled as ``exec`` does."""
    global _new
    if isinstance(source, str):
        code = _known.get(source)
        if code is None:
            code = compile(source, "<string>", "exec")
            _known[source] = code
            _new += 1
        _used.add(source)
        source = code
    builtins.exec(source, globals_, locals_)


def install(path: Path | None = None) -> None:
    """Read the kept code and route ``dataclasses``' compiling through it (once)."""
    global _path
    if _path is not None:
        return
    _path = path if path is not None else default_path()
    _known.update(_read(_path))
    vars(dataclasses)["exec"] = _exec  # found before the builtin by dataclasses' own code
    atexit.register(save)  # what was made after the dashboard's first frame, or by a command


def uninstall() -> None:
    """Give ``dataclasses`` the builtin ``exec`` back and forget what was read."""
    global _path, _new
    if vars(dataclasses).get("exec") is _exec:
        del vars(dataclasses)["exec"]
    _known.clear()
    _used.clear()
    _path = None
    _new = 0


def installed() -> bool:
    return _path is not None


def compiled_since_save() -> int:
    """How many method texts were compiled (not found kept) since the file was read or saved."""
    return _new


def save() -> bool:
    """Write the kept code if anything was compiled since it was read; True if written.

    Any trouble writing (a read-only home, a full disk) leaves the old file as it was.
    """
    global _new
    if _path is None or _new == 0 or sys.dont_write_bytecode:
        return False
    # Copies first: a plugin's hook thread may be making a class meanwhile (each copy is
    # one C call, under the interpreter lock).
    if not write_table(_path, _HEADER, dict(_known), list(_used), MAX_ENTRIES):
        return False
    _new = 0
    return True
