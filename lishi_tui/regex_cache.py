"""The code of compiled regular expressions, kept between runs (issue 16).

Python turns a regular expression's text into code for its matching engine with a parser and
a code generator written in Python (``re._parser``, ``re._compiler``); only the last step,
``_sre.compile``, is C. A start of the dashboard compiles about 110 patterns that way
(Textual's CSS tokenizer, Rich, the standard library, lishi-tui's period and number parsers):
about 15 ms of CPU before its first frame, making the same code from the same text as the
start before it did.

``install`` routes ``re``'s compiling through a table of what each pattern compiled to (its
flags, code words, group count and group names), kept in the user's cache folder under this
Python's exact version and the engine's magic number. A kept pattern goes straight to
``_sre.compile``, which checks the code it is given; a new one is compiled by ``re`` itself,
and its code is kept only when the pattern made from it equals the one ``re`` made (``==`` on
patterns compares text, flags and code). A damaged entry is compiled afresh. Patterns
compiled with ``re.DEBUG``, or from anything but a plain str or bytes, pass through as before.

A warning ``re`` gives while parsing a pattern (a FutureWarning about possible set syntax) is
given on the run that first compiles it, not on the runs that find it kept.

``lishi-tui`` and ``python -m lishi_tui`` install it before their first import; code that
imports ``lishi_tui`` (tests, plugins) compiles as Python does unless it installs it.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lishi_tui.kept_table import KeptTable

_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("_sre")

MAX_ENTRIES = 600  # past this, a save keeps only the patterns this process used
_HEADER = f"lishi-tui regex code 1\n{sys.version}\n{_sre.MAGIC} {_sre.CODESIZE}\n".encode()

# (flags, code, groups - 1, group index, index group): _sre.compile's arguments after the text
Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
Key = tuple[str | bytes, int]


def _entry_ok(key: object, value: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and type(key[0]) in (str, bytes)
        and type(key[1]) is int
        and isinstance(value, tuple)
        and len(value) == 5
        and isinstance(value[1], list)
    )


_table: KeptTable[Key, Entry] = KeptTable("regex", _HEADER, MAX_ENTRIES, _entry_ok)
_original: Callable[[Any, int], re.Pattern[Any]] | None = None


def _code_of(text: str | bytes, flags: int) -> Entry:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for ``text``, as plain data."""
    tree = _parser.parse(text, flags)
    code = _compiler._code(tree, flags)
    state = tree.state
    groupindex = {str(k): int(v) for k, v in state.groupdict.items()}
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    words = [int(word) for word in code]  # opcodes are int subclasses, which marshal refuses
    return (int(flags | state.flags), words, state.groups - 1, groupindex, tuple(indexgroup))


def _compile(p: Any, flags: int = 0) -> re.Pattern[Any]:
    """``re._compiler.compile``, answered from the kept code for a pattern seen before."""
    original = _original if _original is not None else _compiler.compile
    if type(p) not in (str, bytes) or flags & re.DEBUG:
        return original(p, flags)
    key: Key = (p, int(flags))
    entry = _table.get(key)
    if entry is not None:
        try:
            return _sre.compile(p, *entry)  # type: ignore[no-any-return]
        except Exception:  # a damaged entry: compiled afresh below, and replaced
            pass
    made = original(p, flags)  # a bad pattern raises re.error here, and nothing is kept
    try:
        entry = _code_of(p, flags)
        if _sre.compile(p, *entry) == made:
            _table.put(key, entry)
    except Exception:  # a Python whose re works otherwise: nothing kept, nothing lost
        pass
    return made


def install(path: Path | None = None) -> None:
    """Read the kept code and route ``re``'s compiling through it (once)."""
    global _original
    if not _table.install(path):
        return
    _original = _compiler.compile
    _compiler.compile = _compile


def uninstall() -> None:
    """Give ``re`` its own compiling back and forget what was read."""
    global _original
    if _original is not None and _compiler.compile is _compile:
        _compiler.compile = _original
    _original = None
    _table.uninstall()


def compiled_since_save() -> int:
    """How many patterns were compiled (not found kept) since the file was read or saved."""
    return _table.new


def save() -> bool:
    """Write the kept code if a pattern was compiled since it was read; True if written."""
    return _table.save()
