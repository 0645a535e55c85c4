"""Making text from outside safe to print: control characters removed, length bounded."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

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
    """``text`` with every secret, raw or URL-encoded, replaced by ``***``."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
    # Longest first, so that a secret containing another is not half-replaced.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text
