"""Every TOML example in README.md and docs/config.md is valid TOML (a bare Chinese key is not)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```toml\n(.*?)```", re.S)
INLINE = re.compile(r"`((?:filter|series|labels) = \{[^`]*\})`")


def blocks() -> list[tuple[str, str]]:
    out = []
    for name in ("README.md", "docs/config.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        out += [(f"{name} block {i}", b) for i, b in enumerate(BLOCK.findall(text))]
        out += [(f"{name} inline {m}", m) for m in INLINE.findall(text)]
    return out


@pytest.mark.parametrize(("where", "text"), blocks(), ids=[w for w, _ in blocks()])
def test_examples_parse(where: str, text: str) -> None:
    tomllib.loads(text)


def test_the_examples_were_found() -> None:
    names = [w for w, _ in blocks()]
    assert sum("README.md block" in n for n in names) >= 7  # one per source type at least
    assert any("inline" in n for n in names)
