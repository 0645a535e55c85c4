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

import builtins
import dataclasses
import importlib.util
from pathlib import Path
from types import CodeType
from typing import Any

from lishi_tui.kept_table import KeptTable

# Past this many entries a save keeps only what this process used: texts of classes since
# changed or removed do not pile up.
MAX_ENTRIES = 4000
_HEADER = importlib.util.MAGIC_NUMBER + b"lishi-tui dataclass code 1\n"

_table: KeptTable[str, CodeType] = KeptTable(
    "dataclasses",
    _HEADER,
    MAX_ENTRIES,
    lambda k, v: isinstance(k, str) and isinstance(v, CodeType),
)


def _exec(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
    """``exec`` for ``dataclasses``: the text's kept code, else compiled as ``exec`` does."""
    if isinstance(source, str):
        code = _table.get(source)
        if code is None:
            code = compile(source, "<string>", "exec")
            _table.put(source, code)
        source = code
    builtins.exec(source, globals_, locals_)


def install(path: Path | None = None) -> None:
    """Read the kept code and route ``dataclasses``' compiling through it (once); it is
    saved at exit too (what was made after the dashboard's first frame, or by a command)."""
    if _table.install(path):
        vars(dataclasses)["exec"] = _exec  # found before the builtin by dataclasses' own code


def uninstall() -> None:
    """Give ``dataclasses`` the builtin ``exec`` back and forget what was read."""
    if vars(dataclasses).get("exec") is _exec:
        del vars(dataclasses)["exec"]
    _table.uninstall()


def installed() -> bool:
    return _table.installed


def compiled_since_save() -> int:
    """How many method texts were compiled (not found kept) since the file was read or saved."""
    return _table.new


def save() -> bool:
    """Write the kept code if anything was compiled since it was read; True if written.

    Any trouble writing (a read-only home, a full disk) leaves the old file as it was.
    """
    return _table.save()
