"""Each source's ETag / Last-Modified and last full body, kept in the store across restarts.

The shared HTTP client keeps conditional-request data under ``FetchContext.state``
(``lishi_tui.sources.http.CACHE_KEY``): per URL the validators and the body they belong
to. That dict lives as long as the process; this module loads it from the store before a
source's first run and writes back what changed after each run, so a restarted collector
asks ``If-None-Match`` / ``If-Modified-Since`` instead of downloading every source again,
and a 304 still yields the readings parsed from the kept body.

Rows are keyed by a SHA-256 of the URL (a URL may carry a key in its query); the URL
itself is stored only with the source's secrets redacted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lishi_tui.sources.http import CACHE_KEY
from lishi_tui.store.base import Store
from lishi_tui.store.schema import Migration, Schema
from lishi_tui.text import redact

SCHEMA = Schema(
    "http_cache",
    [
        Migration(
            "conditional request validators and bodies",
            """
        CREATE TABLE http_cache (
            source         TEXT NOT NULL,
            url_hash       TEXT NOT NULL,
            url            TEXT NOT NULL,
            etag           TEXT,
            last_modified  TEXT,
            final_url      TEXT NOT NULL,
            body           TEXT NOT NULL,
            stored_at      {time} NOT NULL,
            PRIMARY KEY (source, url_hash)
        )
    """,
        ),
    ],
)

log = logging.getLogger(__name__)
_SAVED = "lishi.http_cache_saved"  # state key: the validators as last written, per URL


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _pack(content: bytes) -> str:
    return base64.b64encode(zlib.compress(content, 6)).decode("ascii")


def _unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def _signature(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return (entry.get("etag"), entry.get("last_modified"), entry.get("url"))


def load(store: Store, source: str, urls: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """The kept entries of ``source``, keyed by URL hash until a URL asks for them.

    The HTTP client looks entries up by URL; since only hashes are stored, entries are
    returned under their hash and :func:`restore` puts them where the client looks.
    """
    store.ensure(SCHEMA)
    rows = store.query(
        "SELECT url_hash, etag, last_modified, final_url, body FROM http_cache WHERE source = ?",
        (source,),
    )
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        _keep(out, *row)
    return out


def _keep(
    out: dict[str, dict[str, Any]],
    url_hash: str,
    etag: str | None,
    last_modified: str | None,
    final_url: str,
    body: str,
) -> None:
    try:
        content = _unpack(body)
    except (ValueError, zlib.error):
        return  # a damaged row only costs one full download
    out[url_hash] = {
        "etag": etag,
        "last_modified": last_modified,
        "content": content,
        "url": final_url,
    }


class _ByHash(dict[str, dict[str, Any]]):
    """The client's cache dict, answering a URL from entries kept under its hash."""

    def __init__(self, kept: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self._kept = kept

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return super().get(key)
        entry = self._kept.pop(_hash(key), None)
        if entry is None:
            return default
        self[key] = entry
        return entry


def restore(state: dict[str, Any], store: Store, source: str) -> None:
    """Before a source's first run: put its kept entries where the HTTP client looks."""
    if CACHE_KEY in state:
        return
    _install(state, load(store, source))


def restore_all(store: Store, states: Mapping[str, dict[str, Any]]) -> None:
    """Before the first runs of many sources (``states`` by source id): each one's kept
    entries, read in one query rather than one query and one thread hop per source."""
    todo = {sid: state for sid, state in states.items() if CACHE_KEY not in state}
    if not todo:
        return
    store.ensure(SCHEMA)
    kept: dict[str, dict[str, dict[str, Any]]] = {sid: {} for sid in todo}
    rows = store.query(
        "SELECT source, url_hash, etag, last_modified, final_url, body FROM http_cache"
    )
    for source, *row in rows:
        if source in kept:
            _keep(kept[source], *row)
    for sid, state in todo.items():
        _install(state, kept[sid])


def _install(state: dict[str, Any], kept: dict[str, dict[str, Any]]) -> None:
    state[CACHE_KEY] = _ByHash(kept)
    state[_SAVED] = {h: _signature(e) for h, e in kept.items()}


def _changes(
    state: dict[str, Any],
) -> tuple[list[tuple[str, str, dict[str, Any]]], list[str]]:
    """The entries to write (hash, URL, entry) and the hashes to delete since the last save."""
    cache: dict[str, dict[str, Any]] = state.get(CACHE_KEY) or {}
    saved: dict[str, tuple[Any, ...]] = state.setdefault(_SAVED, {})
    current = {_hash(url): (url, entry) for url, entry in cache.items()}
    # kept rows no URL asked for this run are left as they are
    untouched = set(cache._kept) if isinstance(cache, _ByHash) else set()
    changed = [
        (h, url, entry) for h, (url, entry) in current.items() if saved.get(h) != _signature(entry)
    ]
    gone = [h for h in saved if h not in current and h not in untouched]
    return changed, gone


def save(
    state: dict[str, Any], store: Store, source: str, secrets: Sequence[str], now: datetime
) -> int:
    """After a run: write the entries that changed and drop the ones the client dropped.

    Returns the number of rows written or deleted (0 when nothing changed).
    """
    changed, gone = _changes(state)
    if not changed and not gone:
        return 0
    saved: dict[str, tuple[Any, ...]] = state[_SAVED]
    store.ensure(SCHEMA)
    with store.transaction("http_cache") as tx:
        for h in gone:
            tx.execute("DELETE FROM http_cache WHERE source = ? AND url_hash = ?", (source, h))
            saved.pop(h, None)
        for h, url, entry in changed:
            tx.execute("DELETE FROM http_cache WHERE source = ? AND url_hash = ?", (source, h))
            tx.execute(
                "INSERT INTO http_cache (source, url_hash, url, etag, last_modified, final_url,"
                " body, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source,
                    h,
                    redact(url, secrets),
                    entry.get("etag"),
                    entry.get("last_modified"),
                    redact(str(entry.get("url") or url), secrets),
                    _pack(bytes(entry.get("content") or b"")),
                    now,
                ),
            )
            saved[h] = _signature(entry)
    return len(changed) + len(gone)


async def before_runs(store: Store, states: Mapping[str, dict[str, Any]]) -> None:
    """The collector's call before starting many sources; a store fault only costs each
    of them a full download (``before_run`` then tries again, source by source)."""
    if all(CACHE_KEY in state for state in states.values()):
        return
    try:
        await asyncio.to_thread(restore_all, store, states)
    except Exception as exc:
        log.warning("kept HTTP validators not read: %s", exc)


async def before_run(store: Store, state: dict[str, Any], source: str) -> None:
    """The collector's call before a run; a store fault only costs a full download."""
    if CACHE_KEY in state:
        return
    try:
        await asyncio.to_thread(restore, state, store, source)
    except Exception as exc:
        log.warning("source %s: kept HTTP validators not read: %s", source, exc)
        state.setdefault(CACHE_KEY, {})


async def after_run(
    store: Store, state: dict[str, Any], source: str, secrets: Sequence[str], now: datetime
) -> None:
    """The collector's call after a successful fetch; a store fault is logged, not raised."""
    if CACHE_KEY not in state:
        return
    try:
        changed, gone = _changes(state)  # a few hashes: no thread hop when nothing changed
        if changed or gone:
            await asyncio.to_thread(save, state, store, source, secrets, now)
    except Exception as exc:
        log.warning("source %s: HTTP validators not kept: %s", source, exc)
