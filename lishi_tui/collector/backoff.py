"""Retry delays: exponential backoff with full jitter, honouring a server's Retry-After."""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0).

    Full jitter (a uniform draw up to the exponential bound) spreads retries of many
    sources that failed together. A server's ``Retry-After`` is a floor, not a hint;
    ``cap`` bounds both so that a hostile header cannot park a source for a day.
    """
    bound = min(cap, base * (2 ** max(0, attempt)))
    delay = (rng or random).uniform(0.0, max(0.0, bound))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return max(0.0, min(cap, delay))
