"""Duration strings as the config writes them ("250ms", "30s", "1h30m") and back."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS: dict[str, timedelta] = {
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
}
# "ms" must be tried before "m", or "250ms" would read as 250 minutes and a stray "s".
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|d|h|m|s))+")


def parse_duration(text: str) -> timedelta:
    """``"250ms"``, ``"30s"``, ``"5m"``, ``"1h"``, ``"1d"`` or a run of them such as ``"1h30m"``."""
    if not isinstance(text, str):
        raise ValueError(f'a duration is a string such as "30s", got {type(text).__name__}')
    raw = text.strip().replace(" ", "")
    if not raw or not _WHOLE.fullmatch(raw):
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit (ms, s, m, h, d), "
            'e.g. "250ms", "30s", "5m", "1h30m"'
        )
    total = timedelta()
    try:
        for number, unit in _PART.findall(raw):
            total += _UNITS[unit] * float(number)
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None
    return total


def format_duration(td: timedelta) -> str:
    """The shortest spelling ``parse_duration`` reads back; below a millisecond is dropped."""
    if td < timedelta():
        raise ValueError(f"a duration cannot be negative: {td}")
    ms_total = td // timedelta(milliseconds=1)
    if ms_total == 0:
        return "0s"
    parts: list[str] = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = _UNITS[unit] // timedelta(milliseconds=1)
        count, ms_total = divmod(ms_total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
