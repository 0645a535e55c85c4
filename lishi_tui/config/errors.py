"""Located configuration errors: which file, line and key, what is wrong, and the nearest valid key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lishi_tui.text import did_you_mean


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with a config file, located as precisely as the text allows."""

    file: Path | None
    line: int | None
    key: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}{did_you_mean(self.suggestion)}"


class ConfigError(Exception):
    """A config that cannot be used; ``issues`` lists every problem found, not just the first."""

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: list[ConfigIssue] = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)
