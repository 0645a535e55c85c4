"""The one spelling of a "did you mean" suggestion, and that nothing else spells it."""

from __future__ import annotations

from pathlib import Path

import lishi_tui
from lishi_tui.config.errors import ConfigIssue
from lishi_tui.text import did_you_mean, nearest

ROOT = Path(lishi_tui.__file__).parent.parent
PACKAGES = [ROOT / "lishi_tui", ROOT / "plugins"]


def test_the_suggestion_names_the_nearest_candidate_or_nothing() -> None:
    assert did_you_mean(nearest("intervall", ["indicator", "interval"])) == (
        " (did you mean 'interval'?)"
    )
    assert did_you_mean(nearest("zzz", ["indicator", "interval"])) == ""
    assert did_you_mean(None) == ""
    issue = ConfigIssue(Path("lishi.toml"), 4, "sources.s.intervall", "unknown key", "interval")
    assert str(issue) == "lishi.toml:4: sources.s.intervall: unknown key (did you mean 'interval'?)"


def test_only_did_you_mean_spells_the_suggestion() -> None:
    spelt = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in package.rglob("*.py")
        if "did you mean" in path.read_text(encoding="utf-8")
    }
    assert spelt == {"lishi_tui/text.py"}
