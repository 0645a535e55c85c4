"""The dashboard's parsed CSS, kept between runs (issue 16: the first paint).

Textual parses every stylesheet the app uses (its ``app.tcss`` and each widget's
``DEFAULT_CSS``) on each start: about 8-10 ms of the first frame on a 2-core machine, for
rules that change only when the text, the theme's variables or Textual itself does.
``attach`` routes the parsing of Textual's ``Stylesheet`` through a table of the rules
parsed before, keyed by all that the parse reads (the CSS text, where it was read from, its
defaults flag, tie breaker and scope, and every variable's value); ``save`` keeps the table
in one pickled file in the user's cache folder, stamped with this Python and the Textual
installed (read once, as it is attached). What is not in the table is parsed as Textual
parses it, so a missing, stale or damaged file only costs the parse: CSS that has errors is
never kept (its errors are reported as without the cache), and a file that is not the user's
own, or that others may write, is not read (unpickling runs code, as a ``.pyc`` does).

Only ``lishi-tui`` (``lishi_tui.__main__``) installs it, beside the dataclass code cache; code
that imports lishi-tui (tests, plugins) parses as Textual does unless it installs it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lishi_tui.kept_table import cache_file, read_private, write_private

if TYPE_CHECKING:
    from textual.css.model import RuleSet
    from textual.css.stylesheet import Stylesheet

# A save keeps at most this many themes' tables, and per theme this many parsed texts; past
# that, what this process used (older themes and texts since changed do not pile up).
MAX_THEMES = 4
MAX_TEXTS = 400

Variables = tuple[tuple[str, str], ...]
Key = tuple[str, Any, bool, int, str]  # css, read_from, is_default_rules, tie_breaker, scope
Table = dict[Variables, dict[Key, list["RuleSet"]]]

_table: Table = {}
_used: dict[Variables, set[Key]] = {}
_path: Path | None = None
_stamp: bytes | None = None  # the header of the Textual this process parses with (attach)
_new = 0
_original: Callable[..., list[RuleSet]] | None = None


def _header() -> bytes | None:
    """What the kept rules are valid for: this Python, and the Textual installed (its
    distribution's name and version, and its CSS modules' sizes and times); None if that
    cannot be told. (``textual.__version__`` would import ``importlib.metadata``: 18 ms.)"""
    import textual

    package = Path(textual.__file__).parent
    parts = [sys.version]
    try:
        with os.scandir(package.parent) as names:
            parts += sorted(n.name for n in names if n.name.startswith(("textual-", "textual.")))
        for module in ("model", "parse", "styles", "tokenize", "_style_properties"):
            st = os.stat(package / "css" / f"{module}.py")
            parts.append(f"{module} {st.st_size} {st.st_mtime_ns}")
    except OSError:
        return None
    return importlib.util.MAGIC_NUMBER + f"lishi-tui css 1 {' | '.join(parts)}\n".encode()


def default_path() -> Path:
    return cache_file("css", "pickle")


def install(path: Path | None = None) -> None:
    """Say where the kept rules live; ``attach`` then reads them (once)."""
    global _path
    if _path is None:
        _path = path if path is not None else default_path()
        atexit.register(save)


def attach() -> None:
    """Read the kept rules and route Textual's CSS parsing through them, if installed."""
    global _original, _stamp
    if _path is None or _original is not None:
        return
    from textual.css.stylesheet import Stylesheet

    _stamp = _header()
    _table.update(_read(_path, _stamp))
    _original = Stylesheet._parse_rules
    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def uninstall() -> None:
    """Give Textual its own parsing back and forget what was read."""
    global _path, _new, _original, _stamp
    if _original is not None:
        from textual.css.stylesheet import Stylesheet

        Stylesheet._parse_rules = _original  # type: ignore[method-assign]
        _original = None
    _table.clear()
    _used.clear()
    _path = None
    _stamp = None
    _new = 0


def parsed_since_save() -> int:
    """How many CSS texts were parsed (not found kept) since the file was read or saved."""
    return _new


def _parse_rules(
    self: Stylesheet,
    css: str,
    read_from: Any,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list[RuleSet]:
    """``Stylesheet._parse_rules``: Textual's own cache, then the kept rules, then a parse."""
    global _new
    key: Key = (css, read_from, is_default_rules, tie_breaker, scope)
    try:
        return self._parse_cache[key]
    except KeyError:
        pass
    variables: Variables = tuple(sorted(self._variables.items()))
    rules = _table.get(variables, {}).get(key)
    if rules is None:
        assert _original is not None
        rules = _original(self, css, read_from, is_default_rules, tie_breaker, scope)
        if any(rule.errors for rule in rules):
            return rules  # reported by Textual, and parsed again next time
        _table.setdefault(variables, {})[key] = rules
        _new += 1
    else:
        self._parse_cache[key] = rules
    _used.setdefault(variables, set()).add(key)
    return rules


def _read(path: Path, header: bytes | None) -> Table:
    data = None if header is None else read_private(path, header)
    if data is None:
        return {}
    import pickle  # Textual's import has made it by now

    try:
        table = pickle.loads(data)
    except Exception:  # a damaged or outdated file is only a lost cache
        return {}
    if not isinstance(table, dict):
        return {}
    return {
        v: texts
        for v, texts in table.items()
        if isinstance(v, tuple)
        and isinstance(texts, dict)
        and all(
            isinstance(k, tuple) and len(k) == 5 and isinstance(r, list) for k, r in texts.items()
        )
    }


def save() -> bool:
    """Write the kept rules if anything was parsed since they were read; True if written.

    Any trouble writing (a read-only home, a full disk) leaves the old file as it was.
    """
    global _new
    if _path is None or _stamp is None or _new == 0 or sys.dont_write_bytecode:
        return False
    themes = list(_table)
    if len(themes) > MAX_THEMES:
        themes = [v for v in themes if v in _used][-MAX_THEMES:]
    table: Table = {}
    for variables in themes:
        texts = _table[variables]
        if len(texts) > MAX_TEXTS:
            used = _used.get(variables, set())
            texts = {k: r for k, r in texts.items() if k in used}
        table[variables] = texts
    import pickle

    try:
        data = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a rule Textual may one day make unpicklable
        return False
    if not write_private(_path, _stamp + data):
        return False
    _new = 0
    return True
