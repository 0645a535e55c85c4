"""Line numbers for TOML key paths, which tomllib does not report.

The scanner walks text that tomllib has already accepted, so it only needs to
find keys, not to judge syntax: table headers (``[a."b.c"]``, ``[[a.b]]`` with
array indexes), ``key = value`` lines, dotted keys, and keys inside inline
tables and arrays. Strings (including multi-line ones) are skipped so that a
``=`` inside them is never mistaken for a key.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections.abc import Sequence

KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def format_key_path(path: Sequence[str | int]) -> str:
    """``("pages", "eco", "panels", 1, "kind")`` -> ``pages.eco.panels[1].kind``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _BARE.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f".{text}" if out else text
    return out


class LineMap:
    """Maps key paths to the 1-based line where they are written.

    The text is scanned when a line is first asked for: a config without a mistake never
    needs one, and scanning a config of 1,000 indicators costs a third of a second.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._scanned: dict[KeyPath, int] | None = None

    @property
    def _lines(self) -> dict[KeyPath, int]:
        if self._scanned is None:
            self._scanned = {}
            # Text tomllib accepted but this scanner misreads: keep what was found so far.
            with contextlib.suppress(IndexError, ValueError):
                _Scanner(self._text, self._scanned).run()
        return self._scanned

    def exact(self, path: Sequence[str | int]) -> int | None:
        return self._lines.get(tuple(path))

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The key's own line, else the line of the nearest enclosing table, else None."""
        key = tuple(path)
        lines = self._lines
        while key:
            if key in lines:
                return lines[key]
            key = key[:-1]
        return None

    def __len__(self) -> int:
        return len(self._lines)


class _Scanner:
    def __init__(self, text: str, out: dict[KeyPath, int]) -> None:
        self.s = text
        self.i = 0
        self.out = out
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.table: KeyPath = ()
        self.array_counts: dict[KeyPath, int] = {}

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.newlines, self.i if pos is None else pos) + 1

    def record(self, path: KeyPath, line: int) -> None:
        self.out.setdefault(path, line)

    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def skip_ws(self, newlines: bool) -> None:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            else:
                return

    def run(self) -> None:
        while True:
            self.skip_ws(newlines=True)
            if self.i >= len(self.s):
                return
            if self.peek(2) == "[[":
                self.header(array=True)
            elif self.peek() == "[":
                self.header(array=False)
            else:
                self.key_value(self.table)

    def header(self, array: bool) -> None:
        line = self.line()
        self.i += 2 if array else 1
        keys = self.dotted_key()
        self.skip_ws(newlines=False)
        self.i += 2 if array else 1
        resolved: list[str | int] = []
        for n, part in enumerate(keys):
            resolved.append(part)
            last = n == len(keys) - 1
            if last and array:
                count = self.array_counts.get(tuple(resolved), 0)
                self.array_counts[tuple(resolved)] = count + 1
                self.record(tuple(resolved), line)
                resolved.append(count)
            elif tuple(resolved) in self.array_counts:
                # A sub-table of an array of tables belongs to its latest element.
                resolved.append(self.array_counts[tuple(resolved)] - 1)
            self.record(tuple(resolved), line)
        self.table = tuple(resolved)

    def dotted_key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_ws(newlines=False)
            parts.append(self.simple_key())
            self.skip_ws(newlines=False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def simple_key(self) -> str:
        c = self.peek()
        if c == '"':
            return self.basic_string()
        if c == "'":
            end = self.s.index("'", self.i + 1)
            text = self.s[self.i + 1 : end]
            self.i = end + 1
            return text
        m = _BARE.match(self.s, self.i)
        if not m:
            raise ValueError(f"no key at offset {self.i}")
        self.i = m.end()
        return m.group()

    def basic_string(self) -> str:
        j = self.i + 1
        while self.s[j] != '"':
            j += 2 if self.s[j] == "\\" else 1
        raw = self.s[self.i : j + 1]
        self.i = j + 1
        try:
            value = json.loads(raw)
        except ValueError:
            return raw[1:-1]
        return value if isinstance(value, str) else raw[1:-1]

    def key_value(self, base: KeyPath) -> None:
        line = self.line()
        keys = self.dotted_key()
        path = base
        for part in keys:
            path = (*path, part)
            self.record(path, line)
        self.skip_ws(newlines=False)
        if self.peek() != "=":
            raise ValueError(f"expected '=' at offset {self.i}")
        self.i += 1
        self.skip_ws(newlines=False)
        self.value(path)

    def value(self, path: KeyPath) -> None:
        if self.peek(3) in ('"""', "'''"):
            quote = self.peek(3)
            j = self.i + 3
            while True:
                j = self.s.index(quote, j)
                if quote == '"""' and _escaped(self.s, j):
                    j += 1
                    continue
                break
            # Up to two quotes may sit right before the closing delimiter.
            while self.s[j + 3 : j + 4] == quote[0]:
                j += 1
            self.i = j + 3
        elif self.peek() == '"':
            self.basic_string()
        elif self.peek() == "'":
            self.i = self.s.index("'", self.i + 1) + 1
        elif self.peek() == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_ws(newlines=True)
                if self.peek() == "]":
                    self.i += 1
                    return
                self.record((*path, index), self.line())
                self.value((*path, index))
                index += 1
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        elif self.peek() == "{":
            self.i += 1
            while True:
                self.skip_ws(newlines=True)
                if self.peek() == "}":
                    self.i += 1
                    return
                self.key_value(path)
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        else:
            m = re.compile(r"[^,\]}\s#]+(?:[ T][0-9][^,\]}\s#]*)?").match(self.s, self.i)
            if not m:
                raise ValueError(f"no value at offset {self.i}")
            self.i = m.end()


def _escaped(s: str, j: int) -> bool:
    backslashes = 0
    k = j - 1
    while k >= 0 and s[k] == "\\":
        backslashes += 1
        k -= 1
    return backslashes % 2 == 1
