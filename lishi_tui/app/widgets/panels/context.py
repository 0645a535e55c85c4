"""What every panel shares: the UI language, whether to use colour, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PanelContext:
    """What every panel shares: language, colour, and the clock."""

    lang: str
    colour: bool
    clock: Callable[[], datetime]
