"""Reading a config file: its text, what tomllib makes of it, and located syntax errors."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lishi_tui import toml_cache
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.lines import LineMap

_BARE_KEY_CHAR = re.compile(r"[A-Za-z0-9_-]")
_NOT_BARE = re.compile(r"[^\s=.\[\]{},\"']+")


@dataclass(frozen=True)
class RawConfig:
    """A config file as read: its text, what tomllib made of it, and where each key sits."""

    path: Path
    text: str
    data: Mapping[str, Any]
    lines: LineMap

    @property
    def base_dir(self) -> Path:
        return self.path.parent


def read_raw(path: Path) -> RawConfig:
    """Read and parse a TOML file; unreadable files and syntax errors become a ``ConfigError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(path, None, "", "config file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigIssue(path, None, "", f"config file is not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise ConfigError(
            [ConfigIssue(path, None, "", f"cannot read config file: {exc.strerror}")]
        ) from None
    return parse_raw(path, text)


def parse_raw(path: Path, text: str) -> RawConfig:
    """Parse config text already read (``path`` names it in errors and anchors relative paths)."""
    try:
        data = toml_cache.loads(text)  # tomllib's tables, kept between runs by lishi-tui
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([syntax_issue(path, text, exc)]) from None
    except RecursionError:
        data = None
    if data is None or _deeper_than(data, MAX_DEPTH):
        # Nothing a config says needs more; deeper nesting only exhausts recursion later.
        raise ConfigError(
            [ConfigIssue(path, None, "", f"arrays or tables nested more than {MAX_DEPTH} deep")]
        )
    return RawConfig(path, text, data, LineMap(text))


MAX_DEPTH = 16


def _deeper_than(data: object, limit: int) -> bool:
    """Whether arrays and tables nest more than ``limit`` deep (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return False


def syntax_issue(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigIssue:
    """A tomllib error as a located issue, with a hint where a common mistake explains it."""
    message = str(exc)
    # tomllib appends "(at line L, column C)"; keep the line as a number, the column in the text.
    m = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if m:
        line, column = int(m[1]), int(m[2])
        detail = message[: m.start()].rstrip()
        hint = _unquoted_key_hint(text, line, column)
        return ConfigIssue(path, line, "", f"TOML syntax error: {detail} (column {column}){hint}")
    m = re.search(r"\(at end of document\)$", message)
    if m:
        last = text.count("\n") + 1
        detail = message[: m.start()].rstrip()
        return ConfigIssue(path, last, "", f"TOML syntax error: {detail} (at end of file)")
    return ConfigIssue(path, None, "", f"TOML syntax error: {message}")


def _unquoted_key_hint(text: str, line: int, column: int) -> str:
    """TOML bare keys are ASCII only: ``区县 = 1`` must be written ``"区县" = 1``."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    row = lines[line - 1]
    start = column - 1
    if start >= len(row) or _BARE_KEY_CHAR.match(row[start]) or row[start].isascii():
        return ""
    m = _NOT_BARE.match(row, start)
    word = m[0] if m else row[start]
    return (
        f"; a key that is not plain ASCII letters, digits, '_' or '-' must be quoted: "
        f'write "{word}" instead of {word}'
    )


__all__ = ["RawConfig", "parse_raw", "read_raw", "syntax_issue"]
