"""Making text from outside safe to print: control characters removed, length bounded, secrets hidden."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

# C0/C1 controls (tab and newline kept only where asked), DEL, bidi overrides and
# zero-width characters: text a source sends must not move the cursor, recolour the
# terminal or reorder what an official reads.
# Also the invisible marks that reorder or hide text: LRM/RLM/ALM, word joiners and
# invisible operators, deprecated format characters, line/paragraph separators,
# interlinear annotations.
_INVISIBLE = (
    "\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2028\u2029\u2060-\u2064"
    "\u206a-\u206f\ufeff\ufff9-\ufffb\u180e"
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")


# Whole terminal sequences go first, so that no "[31m" is left behind: CSI (colours,
# cursor moves), OSC (window titles, hyperlinks) ended by BEL or ST, and two-byte escapes.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]"
)


def strip_control(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without terminal escape sequences, control, bidi-override and zero-width
    characters."""
    return (_CONTROL if keep_newlines else _CONTROL_ALL).sub("", _SEQUENCE.sub("", text))


def clean(text: object, *, single_line: bool = False, limit: int | None = None) -> str:
    """``text`` as a plain printable string; ``single_line`` folds all white space to spaces."""
    s = str(text)
    if single_line:
        s = " ".join(strip_control(s.replace("\n", " ").replace("\t", " ")).split())
    else:
        s = strip_control(s, keep_newlines=True)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


def excerpt(content: bytes | str | object, limit: int = 160) -> str:
    """A short single-line, printable excerpt of what came back, for error messages."""
    if isinstance(content, bytes):
        text = content[: limit * 4].decode("utf-8", errors="replace")
    elif isinstance(content, str):
        text = content
    else:
        try:
            text = json.dumps(content, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(content)
    return clean(text, single_line=True, limit=limit) or "(empty)"


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every form a secret is written in where it leaks, longest first: raw, without its
    edges, URL-encoded, and as Python and bytes reprs show it (a token with a newline
    appears as "tok\\n" in "Illegal header value b'Bearer tok\\n'")."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            escaped = {repr(secret)[1:-1], repr(secret.encode())[2:-1]}
            forms.update({secret, secret.strip(), quote(secret, safe=""), quote_plus(secret)})
            forms.update(escaped)
    forms.discard("")
    # Longest first, so that a secret containing another is not half-replaced.
    return sorted(forms, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret, raw or URL-encoded, replaced by ``***``."""
    for form in secret_forms(secrets):
        text = text.replace(form, "***")
    return text


def clean_json(value: object) -> object:
    """``value`` (JSON-shaped) with every string, keys too, cleaned to one printable line:
    ``--json`` output carries no control, bidi or zero-width character either."""
    if isinstance(value, str):
        return clean(value, single_line=True)
    if isinstance(value, dict):
        return {clean(k, single_line=True): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt ``word`` (for ``did_you_mean``), if any is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(suggestion: str | None) -> str:
    """`` (did you mean 'x'?)`` for ``nearest``'s suggestion, or "" when there is none: the
    one way a message about an unknown name (a config key, an indicator, a hook, an alert)
    ends with the name that was probably meant."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""
