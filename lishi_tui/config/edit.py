"""Safe edits of a person's config file: one key set, comments and layout kept, checked, atomic.

``set_key`` edits with tomlkit (style-preserving), keeps only the changed lines at the
edited key (tomlkit reformats a few constructs elsewhere; those lines are restored from
the original), re-reads the result and refuses unless exactly the intended key changed,
validates the whole new config, refuses if the file changed on disk since it was read,
then writes atomically keeping the previous copy as ``.bak``.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.files import atomic_write_text
from lishi_tui.config.lines import KeyPath, LineMap, format_key_path

_PART = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*(?:\[(\d+)\])?\s*')


class EditRefused(ConfigError):
    """An edit that was not written; ``issues`` say why (located in the file where possible)."""


@dataclass(frozen=True)
class Change:
    """One key changed in one file: values as TOML text (``None``: the key was absent)."""

    file: Path
    key: str
    old: str | None
    new: str


def parse_key(key: str) -> KeyPath:
    """``pages."民生".panels[0].title`` -> ``("pages", "民生", "panels", 0, "title")``."""
    out: list[str | int] = []
    pos = 0
    while pos < len(key):
        m = _PART.match(key, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"cannot read key {key!r} at character {pos + 1}")
        part = m[1] if m[1] is not None else m[2] if m[2] is not None else m[3]
        out.append(json.loads(f'"{part}"') if m[1] is not None else part)
        if m[4] is not None:
            out.append(int(m[4]))
        pos = m.end()
        if pos < len(key):
            if key[pos] != ".":
                raise ValueError(f"cannot read key {key!r} at character {pos + 1}")
            pos += 1
    if not out:
        raise ValueError("the key is empty")
    return tuple(out)


def parse_value(text: str) -> tuple[Any, bool]:
    """A TOML value; text that is not one is read as a string. Returns (value, was_bare)."""
    try:
        return tomllib.loads(f"v = {text}")["v"], False
    except tomllib.TOMLDecodeError:
        if "\n" in text:
            raise ValueError("a value on the command line must be one line") from None
        return text, True


def toml_text(value: Any) -> str:
    """A value as TOML writes it inline (for messages and the audit trail)."""
    import tomlkit

    return str(tomlkit.item(value).as_string()).strip()


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict) or part not in data:
                return None
            data = data[part]
    return data


def _set_plain(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[path[-1]] = value


def _set_doc(doc: Any, path: KeyPath, value: Any) -> None:
    import tomlkit

    node = doc
    for n, part in enumerate(path[:-1]):
        if isinstance(part, int):
            node = node[part]
            continue
        if part not in node:
            # A new table: a sub-table of an inline table stays inline.
            is_inline = isinstance(node, tomlkit.items.InlineTable)
            node[part] = (
                tomlkit.inline_table()
                if is_inline
                else tomlkit.table(is_super_table=n < len(path) - 2)
            )
        node = node[part]
    node[path[-1]] = value


def _keep_only_near(original: str, edited: str, lines: Sequence[int]) -> str:
    """``edited`` with every changed hunk reverted except insertions and those at ``lines``."""
    a = original.splitlines(keepends=True)
    b = edited.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        touched = any(i1 + 1 <= line <= max(i2, i1 + 1) for line in lines)
        if tag == "equal" or tag == "insert":
            out.extend(b[j1:j2])
        elif touched:
            out.extend(_keep_brace_spacing(a[i1:i2], b[j1:j2]))
        else:
            out.extend(a[i1:i2])
    return "".join(out)


def _keep_brace_spacing(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """tomlkit drops the space before ``}`` after a date in an inline table; put it back."""
    spaced = any(re.search(r"\S \}", line) for line in old)
    if not spaced:
        return list(new)
    return [re.sub(r"(\S)\}(\s*(#.*)?\n?)$", r"\1 }\2", line) for line in new]


def set_key(
    path: Path,
    key: str,
    value_text: str,
    validate: Callable[[Path, str], None],
    *,
    before_write: Callable[[], None] | None = None,
) -> Change:
    """Set ``key`` to the TOML value ``value_text`` in the config file at ``path``.

    ``validate(path, new_text)`` raises ``ConfigError`` when the new config is invalid;
    nothing is written then. Raises ``EditRefused`` with the reason otherwise.
    """
    import tomlkit

    path = Path(path)
    try:
        keys = parse_key(key)
        value, _bare = parse_value(value_text)
    except ValueError as exc:
        raise EditRefused([ConfigIssue(path, None, key, str(exc))]) from None
    if isinstance(keys[-1], int):
        raise EditRefused([ConfigIssue(path, None, key, "the key must end in a name, not [n]")])
    original_bytes, original, before = read_for_edit(path)
    where = format_key_path(keys)
    old = _get(before, keys)
    if isinstance(old, dict | list) and not isinstance(value, type(old)):
        raise EditRefused(
            [
                ConfigIssue(
                    path,
                    LineMap(original).line_of(keys),
                    where,
                    "this key holds a table or array; set one of its keys instead",
                )
            ]
        )
    expected = copy.deepcopy(before)
    try:
        _set_plain(expected, keys, value)
        doc = tomlkit.parse(original)
        _set_doc(doc, keys, value)
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise EditRefused(
            [
                ConfigIssue(
                    path,
                    LineMap(original).line_of(keys),
                    where,
                    f"cannot set this key here ({exc})",
                )
            ]
        ) from None
    edited = tomlkit.dumps(doc)
    lines = [line for p in (keys, keys[:-1]) if (line := LineMap(original).exact(p)) is not None]
    new_text = _keep_only_near(original, edited, lines or [0])
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise EditRefused(
            [
                ConfigIssue(
                    path,
                    LineMap(original).line_of(keys),
                    where,
                    "the edit would change more than this key; not written (edit the file by hand)",
                )
            ]
        )
    commit(path, original_bytes, new_text, validate, where, before_write=before_write)
    return Change(path, where, None if old is None else toml_text(old), toml_text(value))


def read_for_edit(path: Path) -> tuple[bytes, str, dict[str, Any]]:
    """The file's bytes, text and data; ``EditRefused`` when it is not valid TOML."""
    original_bytes = path.read_bytes()
    original = original_bytes.decode("utf-8")
    try:
        return original_bytes, original, tomllib.loads(original)
    except tomllib.TOMLDecodeError as exc:
        raise EditRefused(
            [
                ConfigIssue(
                    path, None, "", f"the file is not valid TOML ({exc}); fix it by hand first"
                )
            ]
        ) from None


def commit(
    path: Path,
    original_bytes: bytes,
    new_text: str,
    validate: Callable[[Path, str], None],
    where: str,
    *,
    before_write: Callable[[], None] | None = None,
) -> None:
    """Validate ``new_text`` as the whole config, refuse if the file moved since it was read
    as ``original_bytes``, then write it atomically keeping the previous copy."""
    validate(path, new_text)
    if before_write is not None:
        before_write()
    if path.read_bytes() != original_bytes:
        raise EditRefused(
            [
                ConfigIssue(
                    path,
                    None,
                    where,
                    "the file changed on disk since it was read (another editor?); not written, nothing lost: try again",
                )
            ]
        )
    atomic_write_text(path, new_text, keep_backup=True)


__all__ = [
    "Change",
    "EditRefused",
    "commit",
    "parse_key",
    "parse_value",
    "read_for_edit",
    "set_key",
    "toml_text",
]
