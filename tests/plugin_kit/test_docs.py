"""docs/plugins.md: every python block runs, in order, in one namespace, so the tutorial cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_tutorial_has_code_to_run() -> None:
    assert len(blocks()) >= 5


def test_every_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_plugins"}
    for n, code in enumerate(blocks(), 1):
        try:
            exec(compile(code, f"{DOC.name} block {n}", "exec"), namespace)
        except Exception as exc:  # name the block that broke
            raise AssertionError(f"docs/plugins.md python block {n} failed: {exc!r}") from exc


def test_a_broken_block_is_caught(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        exec(compile("assert 1 == 2", "block", "exec"), {})
