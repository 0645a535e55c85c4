"""Textual stylesheets parsed once and kept between runs (issue 16).

Each start, Textual tokenizes and parses every stylesheet the screen uses: the app's
``app.tcss`` and the ``DEFAULT_CSS`` of each widget class, some 200 rule sets and about
10 ms of the dashboard's first frame on a 2-core machine. What a parse returns depends only
on its inputs: the text, where it was read from, its scope and precedence, and the theme's
variables. ``install`` puts a lookup in front of Textual's parser, keyed by all of those;
``save`` keeps what was parsed (pickled, in the user's cache folder, under Textual's and
Python's versions) for the next start. A missing, stale, damaged or foreign file is parsed
afresh, exactly as without it; a text that does not parse cleanly is never kept, so its
errors are reported as Textual reports them.

Only the ``lishi-tui`` dashboard installs it; tests and plugins that import the app do not.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import textual
import textual.css.stylesheet as textual_stylesheet
from textual.css.model import RuleSet

from lishi_tui import cache_files

MAX_ENTRIES = 400  # past this, a save keeps only what this process used


def textual_version() -> str:
    """Textual's installed version, from its ``.dist-info`` folder's name: what
    ``textual.__version__`` says, without importing ``importlib.metadata`` (10 ms)."""
    where = Path(textual.__file__).parent.parent
    try:
        names = [n.name for n in os.scandir(where) if n.name.endswith(".dist-info")]
    except OSError:
        names = []
    found = [n[len("textual-") : -len(".dist-info")] for n in names if n.startswith("textual-")]
    if len(found) == 1:
        return found[0]
    from importlib.metadata import version  # an unusual install: ask the slow way

    return version("textual")


def _header() -> bytes:
    return (
        f"lishi-tui parsed css 1 textual {textual_version()} "
        f"{sys.implementation.cache_tag} pickle {pickle.HIGHEST_PROTOCOL}\n"
    ).encode()


_STYLESHEET = vars(textual_stylesheet)  # its globals: where its ``parse`` is looked up

Key = tuple[str, str, str, bool, int, str]  # css, where, scope, default?, tie, variables

_real_parse: Callable[..., Iterable[RuleSet]] | None = None
_path: Path | None = None
_header_bytes = b""
_known: dict[Key, bytes] = {}  # pickled rule sets: each hit is a fresh copy
_used: set[Key] = set()
_new = 0
_digests: dict[int, tuple[object, str]] = {}  # id(variable tokens) -> (them, digest)


def default_path() -> Path:
    return cache_files.cache_dir() / "stylesheets.pickle"


def _variables_digest(variable_tokens: dict[str, Any] | None) -> str:
    if not variable_tokens:
        return ""
    kept = _digests.get(id(variable_tokens))
    if kept is not None and kept[0] is variable_tokens:
        return kept[1]
    text = repr(sorted(variable_tokens.items()))
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    _digests[id(variable_tokens)] = (variable_tokens, digest)
    return digest


def _parse(
    scope: str,
    css: str,
    read_from: tuple[str, str],
    variables: dict[str, str] | None = None,
    variable_tokens: dict[str, Any] | None = None,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
) -> Iterable[RuleSet]:
    """Textual's ``parse``, through the kept results."""
    global _new
    assert _real_parse is not None
    if variables is not None:  # not how the stylesheet calls it: no keeping
        return _real_parse(
            scope, css, read_from, variables, variable_tokens, is_default_rules, tie_breaker
        )
    key: Key = (
        css,
        repr(read_from),
        scope,
        is_default_rules,
        tie_breaker,
        _variables_digest(variable_tokens),
    )
    blob = _known.get(key)
    if blob is not None:
        try:
            rules: list[RuleSet] = pickle.loads(blob)
            _used.add(key)
            return rules
        except Exception:
            del _known[key]
    rules = list(
        _real_parse(
            scope,
            css,
            read_from,
            variable_tokens=variable_tokens,
            is_default_rules=is_default_rules,
            tie_breaker=tie_breaker,
        )
    )
    if not any(rule.errors for rule in rules):
        try:
            _known[key] = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            pass
        else:
            _used.add(key)
            _new += 1
    return rules


def _read(path: Path) -> dict[Key, bytes]:
    data = cache_files.read_private(path, _header_bytes)
    if data is None:
        return {}  # missing, another's, or written for another Textual or Python
    try:
        table = pickle.loads(data)
    except Exception:
        return {}
    if not isinstance(table, dict):
        return {}
    return {
        k: v
        for k, v in table.items()
        if isinstance(k, tuple) and len(k) == 6 and isinstance(v, bytes)
    }


def install(path: Path | None = None) -> None:
    """Read the kept stylesheets and put them in front of Textual's parser (once)."""
    global _path, _real_parse, _header_bytes
    if _path is not None:
        return
    _path = path if path is not None else default_path()
    _header_bytes = _header()
    _known.update(_read(_path))
    _real_parse = _STYLESHEET["parse"]
    _STYLESHEET["parse"] = _parse  # the name Stylesheet._parse_rules calls
    atexit.register(save)


def uninstall() -> None:
    """Give Textual its own parser back and forget what was read."""
    global _path, _real_parse, _new
    if _real_parse is not None and _STYLESHEET.get("parse") is _parse:
        _STYLESHEET["parse"] = _real_parse
    _real_parse = None
    _path = None
    _known.clear()
    _used.clear()
    _digests.clear()
    _new = 0


def installed() -> bool:
    return _path is not None


def parsed_since_save() -> int:
    """How many stylesheets were parsed (not found kept) since the file was read or saved."""
    return _new


def save() -> bool:
    """Write the kept stylesheets if any was parsed since they were read; True if written."""
    global _new
    if _path is None or _new == 0:
        return False
    known, used = dict(_known), set(_used)
    table = known if len(known) <= MAX_ENTRIES else {k: v for k, v in known.items() if k in used}
    if not cache_files.write_private(
        _path, _header_bytes + pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    ):
        return False
    _new = 0
    return True
