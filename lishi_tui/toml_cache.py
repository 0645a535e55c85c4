"""What tomllib made of each config file's text, kept between runs (issue 16).

Every start parses the operator's config and each plugin's declarations (``indicators.toml``
and the like): about 5 ms of tomllib on the bundled set, before the first frame, to get the
same tables from the same text as the last start did. ``install`` keeps each text's tables,
pickled, under a digest of the text itself, so an edited file (any byte of it) is parsed
afresh and never answered from an older copy; a text that does not parse is never kept, so
its error is tomllib's own, located as always. ``loads`` hands every caller a fresh copy.

The file is one marshalled table in the user's cache folder, read only when it is the
user's own and nobody else may write it (``dataclass_cache.read_table``): unpickling runs
code, as the dataclass code cache's marshalled code does. ``lishi-tui`` and ``python -m
lishi_tui`` install it; code that imports ``lishi_tui`` (tests, plugins) parses as before.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import sys
import tomllib
from pathlib import Path
from typing import Any

from lishi_tui.dataclass_cache import cache_file, read_table, write_table

MAX_ENTRIES = 256  # past this, a save keeps only the texts this process read
_HEADER = b"lishi-tui parsed toml 1\n"

_known: dict[bytes, bytes] = {}
_used: set[bytes] = set()
_path: Path | None = None
_new = 0


def default_path() -> Path:
    return cache_file("toml", "marshal")


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, from the kept tables when this exact text was parsed before."""
    global _new
    if _path is None:
        return tomllib.loads(text)
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    blob = _known.get(key)
    if blob is not None:
        try:
            data = pickle.loads(blob)
        except Exception:  # a damaged entry: parsed afresh below, and replaced
            data = None
        if isinstance(data, dict):
            _used.add(key)
            return data
    data = tomllib.loads(text)  # a syntax error leaves here, and nothing is kept
    _known[key] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    _used.add(key)
    _new += 1
    return data


def _read(path: Path) -> dict[bytes, bytes]:
    table = read_table(path, _HEADER)
    return {k: v for k, v in table.items() if isinstance(k, bytes) and isinstance(v, bytes)}


def install(path: Path | None = None) -> None:
    """Read the kept tables and answer ``loads`` from them from now on (once)."""
    global _path
    if _path is not None:
        return
    _path = path if path is not None else default_path()
    _known.update(_read(_path))
    atexit.register(save)


def uninstall() -> None:
    global _path, _new
    _known.clear()
    _used.clear()
    _path = None
    _new = 0


def save() -> bool:
    """Write the kept tables if a text was parsed since they were read; True if written."""
    global _new
    if _path is None or _new == 0 or sys.dont_write_bytecode:
        return False
    # Copies: a config reload may parse meanwhile.
    if not write_table(_path, _HEADER, dict(_known), list(_used), MAX_ENTRIES):
        return False
    _new = 0
    return True
