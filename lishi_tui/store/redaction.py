"""Secrets in URLs that older versions stored raw, redacted in place by a core migration.

Before URLs were redacted on the way in, a key in a source's URL (``?key=${APIKEY}``) was
kept as given in ``observations.origin`` and ``fetch_url`` and repeated in fetch-log
errors. The migration cannot know the secrets a config held then, so it goes by shape:
the password of ``user:password@`` and the value of every query parameter whose name says
it carries a credential (key, token, secret, password, signature, auth…) become ``***``.
Figures, periods and every other column are untouched; the URL stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lishi_tui.store.sql import Transaction

HIDDEN = "***"
# Parameter names that carry a credential: api_key, appkey, access_token, client_secret,
# password, pwd, sig, signature, auth, credential, and the same in any case.
_SECRET_NAME = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential", re.IGNORECASE)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/@:\s]*):([^/@\s]+)@", re.IGNORECASE)
_PARAM = re.compile(r"([?&;])([^=&;#]+)=([^&;#]*)")


def _one_url(url: str) -> str:
    url = _USERINFO.sub(lambda m: f"{m[1]}{m[2]}:{HIDDEN}@", url)

    def param(m: re.Match[str]) -> str:
        name, value = m[2], m[3]
        if value and value != HIDDEN and _SECRET_NAME.search(name):
            return f"{m[1]}{name}={HIDDEN}"
        return m[0]

    if "?" in url:
        head, _, tail = url.partition("?")
        url = head + _PARAM.sub(param, "?" + tail)
    return url


def redact_urls(text: str) -> str:
    """``text`` with the credentials in every URL it contains replaced by ``***``."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: _one_url(m[0]), text)


def _redact_column(tx: Transaction, table: str, column: str) -> None:
    # One pass to find the distinct values that need it, one UPDATE for all of them:
    # a long history repeats a handful of URLs millions of times.
    values = [
        str(v)
        for (v,) in tx.query(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} LIKE ?", ("%://%",)
        )
        if v is not None
    ]
    changed = [(v, redact_urls(v)) for v in values]
    changed = [(old, new) for old, new in changed if old != new]
    for start in range(0, len(changed), 200):
        chunk = changed[start : start + 200]
        cases = " ".join("WHEN ? THEN ?" for _ in chunk)
        marks = ", ".join("?" for _ in chunk)
        params: list[Any] = [p for pair in chunk for p in pair]
        params += [old for old, _ in chunk]
        tx.execute(
            f"UPDATE {table} SET {column} = CASE {column} {cases} ELSE {column} END"
            f" WHERE {column} IN ({marks})",
            params,
        )


def redact_stored_urls(tx: Transaction) -> None:
    """The migration step: redact the URL-bearing columns of the core tables."""
    columns: Iterable[tuple[str, str]] = (
        ("observations", "origin"),
        ("observations", "fetch_url"),
        ("observations", "note"),
        ("fetch_log", "error"),
    )
    for table, column in columns:
        _redact_column(tx, table, column)
