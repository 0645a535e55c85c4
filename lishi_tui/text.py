"""Making text from outside safe to print: control characters removed, length bounded."""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 and C1 controls except tab and newline, plus DEL, bidi overrides and zero-width joiners
# that can reorder or hide what an official reads.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200d]")


def clean(text: object, *, single_line: bool = False, limit: int | None = None) -> str:
    """``text`` as a plain printable string: escape sequences and control characters removed."""
    s = _CONTROL.sub("", str(text))
    if single_line:
        s = " ".join(s.split())
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in ``text`` with ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
