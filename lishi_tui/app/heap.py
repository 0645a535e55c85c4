"""Keeping Python's cycle collector out of page switches: what the start built is frozen once."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> bool:
    """Move every object alive now out of the collector's sight, once per process.

    What a dashboard builds at start (the config, a panel object for every configured panel,
    Textual's and Rich's own tables) lives as long as the app. A full collection walks all
    of it: with 1,000 panels that grew to ~80 ms a pass, landing in whichever key press
    happened to allocate next (a page switch, twice as slow at random). Frozen objects are
    never walked again; they are freed as usual when their last reference goes. Returns
    True the first time.
    """
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect(1)  # young garbage first, so that little of it is kept frozen
    gc.freeze()
    return True


def freeze_settled() -> None:
    """Freeze what a page mounted since the last freeze, once it is drawn: collect first
    (all of it: a full pass walks only what is not frozen yet), so that only live objects
    are frozen. Called once per newly mounted page, never per switch: what is frozen and
    becomes cyclic garbage later waits for ``thaw``, so freezing is bounded by the pages."""
    if _frozen:
        gc.collect()
        gc.freeze()


def thaw() -> None:
    """Let the collector see everything again (a config reload drops the old panels, whose
    reference cycles only it can free); the next ``freeze_startup_objects`` freezes anew."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False
