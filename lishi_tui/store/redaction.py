"""Secrets that older versions stored raw, redacted in place: by a core migration, and by
``lishi-tui redact`` over every table after a key leaks.

Before URLs were redacted on the way in, a key in a source's URL (``?key=${APIKEY}``) was
kept as given in ``observations.origin`` and ``fetch_url`` and repeated in fetch-log
errors. Two rules find them:

* by shape: the password of ``user:password@`` and the value of every query parameter
  whose name says it carries a credential (key, token, secret, password, signature,
  auth…) become ``***``;
* by value: every secret the current config resolves (``${...}`` values, secret options,
  the storage password, notifier keys), raw or encoded, wherever it appears, so that
  ``?appid=<the key>`` goes too. A value shorter than ``MIN_SECRET_CHARS`` is not looked
  for: it would match ordinary text (a year, a unit) and is reported instead.

Figures, periods and every other column are untouched: only text columns change, no row
is added or removed, and columns in a primary key or a unique index are never rewritten
(a secret found there is reported, for the operator to deal with).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lishi_tui.text import redact, secret_forms

if TYPE_CHECKING:
    from lishi_tui.store.sql import TextColumn, Transaction

HIDDEN = "***"
MIN_SECRET_CHARS = 6
# Parameter names that carry a credential: api_key, appkey, access_token, client_secret,
# password, pwd, sig, signature, auth, credential, and the same in any case.
_SECRET_NAME = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential", re.IGNORECASE)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/@:\s]*):([^/@\s]+)@", re.IGNORECASE)
_PARAM = re.compile(r"([?&;])([^=&;#]+)=([^&;#]*)")
# The columns the migration rewrites: where older versions kept URLs and errors raw.
URL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("observations", "origin"),
    ("observations", "fetch_url"),
    ("observations", "note"),
    ("fetch_log", "error"),
)
_CHUNK = 200


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


def redact_urls(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with the credentials in every URL it contains, and every one of
    ``secrets`` anywhere in it, replaced by ``***``."""
    if "://" in text:
        text = _URL.sub(lambda m: _one_url(m[0]), text)
    return redact(text, secrets) if secrets else text


def searchable(secrets: Iterable[str]) -> tuple[list[str], list[str]]:
    """The secrets long enough to look for, and the ones too short to (said, not used)."""
    kept: list[str] = []
    short: list[str] = []
    for secret in dict.fromkeys(secrets):
        (kept if len(secret.strip()) >= MIN_SECRET_CHARS else short).append(secret)
    return kept, short


@dataclass(frozen=True)
class Redacted:
    """What redaction found in one column: distinct values and the rows holding them."""

    table: str
    column: str
    values: int
    rows: int
    key: bool  # a key column: reported, never rewritten


def _redact_json(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact_urls(value, secrets)
    if isinstance(value, list):
        return [_redact_json(v, secrets) for v in value]
    if isinstance(value, dict):
        return {redact_urls(str(k), secrets): _redact_json(v, secrets) for k, v in value.items()}
    return value


def _redacted_text(text: str, secrets: Sequence[str]) -> str:
    new = redact_urls(text, secrets)
    if new == text or text[:1] not in "[{":
        return new
    # JSON text: a replacement must leave it JSON (a secret holding a quote or a
    # backslash is written escaped there), so redact its strings one by one.
    try:
        data = json.loads(text)
    except ValueError:
        return new
    try:
        json.loads(new)
    except ValueError:
        return json.dumps(_redact_json(data, secrets), ensure_ascii=False)
    return new


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def redact_column(
    tx: Transaction, column: TextColumn, secrets: Sequence[str], *, dry_run: bool = False
) -> Redacted:
    """Redact one column in place (not a key column, not in a dry run): one pass finds the
    distinct values that need it, one UPDATE per 200 of them rewrites every row holding
    them (a long history repeats a handful of URLs millions of times)."""
    text = f"CAST({column.name} AS TEXT)"
    patterns = ["%://%", *(f"%{_escape_like(form)}%" for form in secret_forms(secrets))]
    where = " OR ".join(f"{text} LIKE ? ESCAPE '!'" for _ in patterns)
    found = tx.query(
        f"SELECT {text}, COUNT(*) FROM {column.table} WHERE {where} GROUP BY {text}", patterns
    )
    changed: list[tuple[str, str, int]] = []
    for old, rows in found:
        if old is not None and (new := _redacted_text(str(old), secrets)) != old:
            changed.append((str(old), new, int(rows)))
    result = Redacted(
        column.table, column.name, len(changed), sum(n for *_, n in changed), column.key
    )
    if dry_run or column.key:
        return result
    value = "CAST(? AS {json})" if column.json else "?"
    for start in range(0, len(changed), _CHUNK):
        chunk = changed[start : start + _CHUNK]
        cases = " ".join(f"WHEN ? THEN {value}" for _ in chunk)
        marks = ", ".join("?" for _ in chunk)
        params: list[Any] = [p for old, new, _ in chunk for p in (old, new)]
        params += [old for old, _, _ in chunk]
        tx.execute(
            f"UPDATE {column.table} SET {column.name} = CASE {text} {cases}"
            f" ELSE {column.name} END WHERE {text} IN ({marks})",
            params,
        )
    return result


def redact_store(
    tx: Transaction,
    secrets: Sequence[str],
    *,
    dry_run: bool = False,
    only: Iterable[tuple[str, str]] | None = None,
) -> list[Redacted]:
    """Redact every text column of every table (or only the ``(table, column)`` pairs
    given) by shape and by the given secrets; what was found, column by column."""
    wanted = set(only) if only is not None else None
    kept, _ = searchable(secrets)
    return [
        found
        for column in tx.dialect.text_columns(tx)
        if wanted is None or (column.table, column.name) in wanted
        if (found := redact_column(tx, column, kept, dry_run=dry_run)).values
    ]


def redact_stored_urls(tx: Transaction) -> None:
    """The migration step: redact the URL-bearing columns of the core tables, by shape and
    by the secrets of the config the store was opened with."""
    redact_store(tx, tx.secrets, only=URL_COLUMNS)
