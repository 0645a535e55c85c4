"""Python's cycle collector held off while ``lishi-tui`` starts, until the dashboard's first frame.

Start-up builds what lives as long as the process (modules, classes, the config, the
plugins' tables, the first page's widgets) and next to no cyclic garbage, yet the collector
ran about 190 times over it before the first frame (some 4 % of the instructions to the first
paint). ``lishi-tui`` and ``python -m lishi_tui`` (``lishi_tui.__main__``) pause it before
their first import; the dashboard resumes it once its first frame is drawn, every other
command as soon as it knows it is not the dashboard. The dashboard then freezes what the
start built (``lishi_tui.app.heap``). Code that imports lishi_tui (tests, plugins, a
``python -c``) never pauses the collector.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Hold the collector off (if it runs) until ``resume``."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Let the collector run again if ``pause`` held it off; otherwise do nothing (a
    collector someone else disabled stays as they left it)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def paused() -> bool:
    """Whether ``pause`` holds the collector off now."""
    return _paused
