"""What a plugin's fetch returned, made into observations: checked to be a list of
readings, stamped with its source and fetch time (secrets in URLs redacted), and a
plugin's exception located at the plugin's own line."""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from lishi_tui.config.schema import SourceConfig
from lishi_tui.domain.model import Indicator, Observation, Reading
from lishi_tui.domain.units import conflict, literal
from lishi_tui.text import excerpt, redact

_LIBRARY_DIRS = tuple(
    str(Path(p)) for p in {sysconfig.get_path("stdlib"), sysconfig.get_path("purelib")} if p
)
_COLLECTOR_DIR = str(Path(__file__).parent)


class Located(Exception):
    """A collector-side problem whose message already says everything."""


class Malformed(Located):
    """A plugin returned something that is not a list of Reading."""


def stamped(
    readings: Sequence[Reading], source: SourceConfig, fetched_at: datetime, last_url: str
) -> list[Observation]:
    """The kept readings as observations of ``source``. A key in a URL's query
    (``?key=${KEY}``) is never stored or shown: origins are redacted, each distinct one once
    (a fetch's readings usually share one)."""
    secrets = source.secrets
    redacted: dict[str, str] = {}

    def hide(text: str) -> str:
        if not secrets or not text:
            return text
        if (done := redacted.get(text)) is None:
            done = redacted[text] = redact(text, secrets)
        return done

    out = []
    for r in readings:
        origin = hide(r.origin)
        if origin != r.origin:
            r = replace(r, origin=origin)
        out.append(Observation(r, source.id, fetched_at, fetch_url=origin or hide(last_url)))
    return out


def check_units(
    source_id: str,
    readings: Sequence[Reading],
    indicator: Callable[[str], Indicator | None],
    *,
    scaled: bool = False,
) -> None:
    """Refuse the run when a publisher's stated unit contradicts its indicator's (万元 read
    into an indicator in 亿元): stored, every figure would be silently wrong. ``scaled``:
    the source type takes a ``scale`` option, which the fix may then name."""
    seen: set[tuple[str, str]] = set()
    for r in readings:
        if not r.unit or (r.indicator, r.unit) in seen:
            continue
        seen.add((r.indicator, r.unit))
        ind = indicator(r.indicator)
        if ind is None or (found := conflict(r.unit, ind.unit, ind.multiplier)) is None:
            continue
        fix = ""
        if found.scale is not None:
            multiplier = f"`multiplier = {literal(ind.multiplier / found.scale)}` on [indicators.{r.indicator}]"
            fix = (
                f"; set `scale = {literal(found.scale)}` on [sources.{source_id}] (times any "
                f"scale already set), or {multiplier}"
                if scaled
                else f"; set {multiplier}"
            )
        raise Located(
            f"indicator {r.indicator} (period {r.period.key}, from {r.origin or 'the source'}): "
            f"{found.reason}{fix}; nothing from this run is stored"
        )


def validated(result: object) -> list[Reading]:
    if not isinstance(result, list | tuple):
        raise Malformed(
            "plugin returned malformed data: expected a list of Reading, "
            f"got {type(result).__name__}: {_short(result)}"
        )
    for i, item in enumerate(result):
        if not isinstance(item, Reading):
            raise Malformed(
                "plugin returned malformed data: expected a list of Reading, "
                f"got {type(result).__name__} with {type(item).__name__} at index {i}: "
                f"{_short(item)}"
            )
    return list(result)


def _short(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return excerpt(text.encode("utf-8", errors="replace"), 80)


def plugin_frame(exc: BaseException) -> str:
    """``file:line`` of the innermost frame in plugin code (not the stdlib nor the collector)."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        filename = str(Path(frame.filename))
        if filename.startswith(_COLLECTOR_DIR) or filename.startswith(_LIBRARY_DIRS):
            continue
        if filename.startswith("<"):
            continue
        p = Path(filename)
        return (
            f"{p.parent.name}/{p.name}:{frame.lineno}"
            if p.parent.name
            else f"{p.name}:{frame.lineno}"
        )
    if frames:
        last = frames[-1]
        return f"{Path(last.filename).name}:{last.lineno}"
    return ""
