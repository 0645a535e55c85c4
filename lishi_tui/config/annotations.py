"""Adding an annotation to a person's config file: one ``[[indicators.<id>.annotations]]``
block inserted where that indicator's tables end, every other line left as it was.

The block is placed by reading the file's table headers, not by re-rendering the file
(a TOML writer moves comments that sit above the next table). The result is re-read and
must equal the old data plus exactly this annotation; then the write goes through
``lishi_tui.config.edit.commit`` (whole config validated, refused if the file moved since
it was read, atomic, previous copy kept).
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from lishi_tui.config.edit import Change, EditRefused, commit, parse_key, read_for_edit, toml_text
from lishi_tui.config.errors import ConfigIssue
from lishi_tui.config.lines import KeyPath, format_key_path

# A table header line: [a.b] or [[a.b]], perhaps with a comment after it.
_HEADER = re.compile(r"^\s*\[(\[?)\s*(.*?)\s*\]\1\s*(#.*)?$")
_COMMENT = re.compile(r"^\s*#")


def _headers(lines: list[str]) -> list[tuple[int, KeyPath]]:
    """(line index, key path) of every table header."""
    out: list[tuple[int, KeyPath]] = []
    for n, line in enumerate(lines):
        m = _HEADER.match(line.rstrip("\n"))
        if m is None:
            continue
        try:
            out.append((n, parse_key(m[2])))
        except ValueError:
            continue
    return out


def _under(path: KeyPath, prefix: KeyPath) -> bool:
    return path[: len(prefix)] == prefix


def _insert_at(lines: list[str], headers: list[tuple[int, KeyPath]], owner: KeyPath) -> int:
    """The line index where a block belonging to ``owner`` goes: after the last table under
    ``owner`` (else under its parent, else the end of the file), before the blank lines and
    the comments that lead into the next table."""
    for scope in (owner, owner[:-1]):
        last = max((n for n, (_, p) in enumerate(headers) if _under(p, scope)), default=None)
        if last is not None:
            break
    else:
        return _back_over_blanks(lines, len(lines))
    end = headers[last + 1][0] if last + 1 < len(headers) else len(lines)
    if end < len(lines):
        # A comment directly above the next header introduces that table: it stays with it.
        while end > headers[last][0] + 1 and _COMMENT.match(lines[end - 1]):
            end -= 1
    return _back_over_blanks(lines, end)


def _back_over_blanks(lines: list[str], end: int) -> int:
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end


def annotation_block(indicator_id: str, text: str, author: str, at: datetime) -> list[str]:
    header = format_key_path(("indicators", indicator_id, "annotations"))
    return [
        f"[[{header}]]\n",
        f"text = {toml_text(text)}\n",
        f"author = {toml_text(author)}\n",
        f"at = {toml_text(at)}\n",
    ]


def add_annotation(
    path: Path,
    indicator_id: str,
    text: str,
    author: str,
    at: datetime,
    validate: Callable[[Path, str], None],
    *,
    before_write: Callable[[], None] | None = None,
) -> Change:
    """Append an annotation to ``indicators.<id>.annotations`` in the file at ``path``.

    ``at`` must carry its time zone (it is written as a TOML offset date-time, to the
    second). Raises ``EditRefused`` (or the validator's ``ConfigError``) and writes
    nothing when the text is empty or multi-line, the indicator's tables are written in a
    form a block cannot join (an inline table, an inline ``annotations = [...]``), or the
    new config is invalid.
    """
    path = Path(path)
    owner: KeyPath = ("indicators", indicator_id)
    text = text.strip()
    if not text or "\n" in text or "\r" in text:
        where = format_key_path((*owner, "annotations"))
        raise EditRefused([ConfigIssue(path, None, where, "an annotation is one non-empty line")])
    at = at.replace(microsecond=0)
    original_bytes, original, before = read_for_edit(path)
    existing = before.get("indicators", {}).get(indicator_id, {})
    count = len(existing.get("annotations", [])) if isinstance(existing, dict) else 0
    where = format_key_path((*owner, "annotations", count))
    entry: dict[str, Any] = {"text": text, "author": author, "at": at}

    lines = original.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at_line = _insert_at(lines, _headers(lines), owner)
    block = annotation_block(indicator_id, text, author, at)
    before_gap = ["\n"] if at_line > 0 else []
    after_gap = ["\n"] if at_line < len(lines) and lines[at_line].strip() else []
    new_text = "".join([*lines[:at_line], *before_gap, *block, *after_gap, *lines[at_line:]])

    expected = copy.deepcopy(before)
    table = expected.setdefault("indicators", {}).setdefault(indicator_id, {})
    if isinstance(table, dict) and isinstance(table.setdefault("annotations", []), list):
        table["annotations"].append(entry)
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise EditRefused(
            [
                ConfigIssue(
                    path,
                    None,
                    where,
                    "the annotation cannot be added without changing how this indicator is"
                    " written (an inline table?); not written (add it by hand)",
                )
            ]
        )
    commit(path, original_bytes, new_text, validate, where, before_write=before_write)
    return Change(path, where, None, inline_text(entry))


def inline_text(entry: dict[str, Any]) -> str:
    """A table as one line of TOML (``{ text = "…", author = "…", at = … }``), for the trail."""
    import tomlkit

    table = tomlkit.inline_table()
    table.update(entry)
    return str(table.as_string()).strip()


__all__ = ["add_annotation", "annotation_block", "inline_text"]
