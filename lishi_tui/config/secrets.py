"""Every secret a configuration holds, for redaction: tokens, URL keys, database passwords."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from enum import Enum
from typing import Any
from urllib.parse import unquote, urlsplit

_CONNINFO_PASSWORD = re.compile(r"""password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)""")


def url_password(url: str) -> str:
    """The password in ``scheme://user:password@host/...`` or in a libpq ``password=...``
    string, or "" (also for a malformed URL)."""
    if "://" not in url and (m := _CONNINFO_PASSWORD.search(url)):
        return m[1].strip("'")
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password is None and "@" in url and "://" in url:
        # urlsplit gives up on some typos; take what sits between the first ':' and '@'.
        userinfo = url.split("://", 1)[1].rsplit("@", 1)[0]
        password = userinfo.split(":", 1)[1] if ":" in userinfo else None
    return unquote(password) if password else ""


# Leaves of a config that hold no secret of their own: most of what the walk meets, passed at
# the cost of one isinstance check instead of the dataclass, mapping and sequence tests.
_SCALARS = (str, int, float, bytes, type(None), Enum, date, time, timedelta)


def _walk(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > 4 or isinstance(value, _SCALARS):
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name == "secrets" and isinstance(item, tuple | list):
                yield from (s for s in item if isinstance(s, str) and s)
            elif f.name == "url" and isinstance(item, str):
                if password := url_password(item):
                    yield password
            else:
                yield from _walk(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _walk(item, depth + 1)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk(item, depth + 1)


def config_secrets(config: object) -> tuple[str, ...]:
    """Every ``secrets`` tuple (sources, notifiers, …) and every password in a ``url`` field,
    found by walking the config's dataclasses, so that a new table with secrets is covered."""
    return tuple(dict.fromkeys(_walk(config)))
