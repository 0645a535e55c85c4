"""Storage faults as one line naming the file or server and what to do, never a traceback.

Opening is checked before anything is written: a folder, a device, a /proc entry, a file
that is not SQLite and a database from a newer lishi-tui are refused while still untouched.
Errors that only the driver can see (read-only, disk full, a server down) are translated
after the fact, with any password in a URL removed.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote, urlsplit

from lishi_tui.config.secrets import url_password
from lishi_tui.text import clean, redact

SQLITE_HEADER = b"SQLite format 3\x00"
POSTGRES_SCHEMES = ("postgresql", "postgres")
# Below this much free space a write failure is reported as "the disk is full".
NEARLY_FULL_BYTES = 1024 * 1024


class StoreUnavailable(Exception):
    """The history cannot be opened or written; the message says where and what to do."""


class StoreMisconfigured(StoreUnavailable, ValueError):
    """``[storage]`` itself is wrong: an unknown backend, a missing or non-PostgreSQL URL."""


def check_sqlite_file(path: Path, known_version: int) -> None:
    """Refuse, untouched, a path lishi-tui must not open as its SQLite history."""
    shown = str(path)
    if path.is_dir():
        raise StoreUnavailable(
            f"history {shown} is a folder, not an SQLite file: set [storage] path to a file, "
            f"e.g. {path / 'lishi.db'}"
        )
    resolved = path.resolve()
    if resolved.parts[1:2] in (("proc",), ("sys",), ("dev",)) or (
        path.exists() and not path.is_file()
    ):
        raise StoreUnavailable(
            f"history {shown} is not an ordinary file (a device or a /proc or /sys entry): "
            "set [storage] path to a file of its own"
        )
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreUnavailable(f"history {shown} cannot be read: {exc.strerror}") from None
    if head != SQLITE_HEADER:
        raise StoreUnavailable(
            f"history {shown} is not an SQLite database (its first bytes are something else); "
            "it is left untouched: set [storage] path to another file, or move this one away"
        )
    version = _user_version(path)
    if version is not None and version > known_version:
        raise StoreUnavailable(
            f"history {shown} was written by a newer lishi-tui (schema version {version}; this "
            f"one knows up to {known_version}); it is left untouched: upgrade lishi-tui, or set "
            "[storage] path to another file"
        )


def ensure_writable(path: Path) -> None:
    """Refuse a history that cannot be written (read-only file, folder or mount) for a
    command that writes; SQLite itself would open it read-only without a word."""
    folder = path.parent if str(path.parent) else Path.cwd()
    blocked = (path.exists() and not os.access(path, os.W_OK)) or (
        folder.exists() and not os.access(folder, os.W_OK)
    )
    if blocked:
        raise sqlite_fault(path, OSError(errno.EROFS, "read-only"))


def _user_version(path: Path) -> int | None:
    """The schema version of an SQLite file, read without writing anything."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
        return int(row[0]) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def sqlite_fault(path: Path, exc: BaseException) -> StoreUnavailable:
    """An error from opening, reading or writing the SQLite history, as one line."""
    shown = str(path)
    text = str(exc).strip() or type(exc).__name__
    lower = text.lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in lower:
        return StoreUnavailable(disk_full_message(shown, path))
    if (
        (isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM))
        or "readonly" in lower
        or "read-only" in lower
    ):
        return StoreUnavailable(
            f"history {shown} is read-only (the file, its folder or the mount cannot be "
            "written): lishi-tui needs to write it and its -wal and -shm files beside it; "
            "check permissions and the mount, or set [storage] path elsewhere"
        )
    if "disk i/o error" in lower:
        if _nearly_full(path):
            return StoreUnavailable(disk_full_message(shown, path))
        return StoreUnavailable(
            f"history {shown}: disk I/O error: check the disk and the mount (df -h, dmesg)"
        )
    if "file is not a database" in lower or "malformed" in lower:
        return StoreUnavailable(
            f"history {shown} is not a usable SQLite database ({clean(text, single_line=True)}); "
            "it is left as it is: restore a backup, or set [storage] path to another file"
        )
    if "no such column" in lower or "no such table" in lower:
        return StoreUnavailable(
            f"history {shown} does not have the tables this lishi-tui expects "
            f"({clean(text, single_line=True)}): it was written by another version or program; "
            "set [storage] path to another file"
        )
    if "unable to open" in lower:
        return StoreUnavailable(
            f"history {shown} cannot be opened: check that its folder exists and can be written"
        )
    return StoreUnavailable(f"history {shown}: {clean(text, single_line=True, limit=300)}")


def disk_full_message(shown: str, path: Path) -> str:
    return (
        f"history {shown}: the disk is full: free some space on {_mount_hint(path)} "
        "(nothing already stored is lost)"
    )


def _mount_hint(path: Path) -> str:
    return str(path.parent if path.parent != Path() else Path.cwd())


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def check_postgres_url(url: str) -> None:
    """Refuse a URL that is not a PostgreSQL one, showing only its scheme."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if not scheme and "=" in url:
        return  # a libpq key=value string: "host=... dbname=... user=..."
    if scheme.lower() not in POSTGRES_SCHEMES:
        shown = f"{scheme}://…" if scheme else "a URL without a scheme"
        raise StoreMisconfigured(
            f"[storage] url must start with postgresql:// (it is {clean(shown)}): check its "
            "spelling; the rest of the URL is not shown because it may hold a password"
        )


def postgres_where(url: str) -> str:
    """``host:port/database`` of a PostgreSQL URL, without user or password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "the server in [storage] url"
    database = parts.path.lstrip("/")
    return f"{host}:{port}/{database}" if database else f"{host}:{port}"


def postgres_fault(url: str, exc: BaseException) -> StoreUnavailable:
    """An error from the PostgreSQL driver as one line, the password removed."""
    password = url_password(url)
    secrets = [url, password] if password else [url]
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    detail = clean(redact(first, secrets), single_line=True, limit=200)
    where = postgres_where(url)
    lower = detail.lower()
    if "refused" in lower or "could not connect" in lower or "timeout" in lower:
        hint = "check that the server is running and reachable, and [storage] url"
    elif "password" in lower or "authentication" in lower:
        hint = "check the user and password in [storage] url"
    elif "does not exist" in lower:
        hint = "create the database or fix its name in [storage] url"
    else:
        hint = "check the server and [storage] url"
    return StoreUnavailable(f"PostgreSQL at {where}: {detail}: {hint}")


def write_fault(exc: BaseException, where: str) -> str:
    """A store write failure as a short phrase for the fetch log and the screen."""
    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text:
        return f"not stored yet: the disk is full ({where}); kept, and written when it clears"
    if "readonly" in text or "read-only" in text:
        return (
            f"not stored yet: the history is read-only ({where}); kept, and written when it clears"
        )
    if "disk i/o error" in text:
        return f"not stored yet: disk I/O error ({where}: is the disk full?); kept, and retried"
    return f"not stored yet: {type(exc).__name__}: {clean(str(exc), single_line=True, limit=200)}; kept, and retried"
