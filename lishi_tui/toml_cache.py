"""What tomllib made of each config file's text, kept between runs (issue 16).

Every start parses the operator's config and each plugin's declarations (``indicators.toml``
and the like): about 5 ms of tomllib on the bundled set, before the first frame, to get the
same tables from the same text as the last start did. ``install`` keeps each text's tables,
pickled, under a digest of the text itself, so an edited file (any byte of it) is parsed
afresh and never answered from an older copy; a text that does not parse is never kept, so
its error is tomllib's own, located as always. ``loads`` hands every caller a fresh copy.

The file is one marshalled table in the user's cache folder, read only when it is the
user's own and nobody else may write it (``kept_table.read_table``): unpickling runs
code, as the dataclass code cache's marshalled code does. ``lishi-tui`` and ``python -m
lishi_tui`` install it; code that imports ``lishi_tui`` (tests, plugins) parses as before.
"""

from __future__ import annotations

import hashlib
import pickle
import tomllib
from pathlib import Path
from typing import Any

from lishi_tui.kept_table import KeptTable

MAX_ENTRIES = 256  # past this, a save keeps only the texts this process read
_HEADER = b"lishi-tui parsed toml 1\n"

_table: KeptTable[bytes, bytes] = KeptTable(
    "toml", _HEADER, MAX_ENTRIES, lambda k, v: isinstance(k, bytes) and isinstance(v, bytes)
)


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, from the kept tables when this exact text was parsed before."""
    if not _table.installed:
        return tomllib.loads(text)
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    blob = _table.get(key)
    if blob is not None:
        try:
            data = pickle.loads(blob)
        except Exception:  # a damaged entry: parsed afresh below, and replaced
            data = None
        if isinstance(data, dict):
            return data
    data = tomllib.loads(text)  # a syntax error leaves here, and nothing is kept
    _table.put(key, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    return data


def install(path: Path | None = None) -> None:
    """Read the kept tables and answer ``loads`` from them from now on (once)."""
    _table.install(path)


def uninstall() -> None:
    _table.uninstall()


def save() -> bool:
    """Write the kept tables if a text was parsed since they were read; True if written."""
    return _table.save()
