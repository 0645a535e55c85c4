"""lishi-tui: a terminal dashboard and plugin framework for development indicators.

Plugins import from ``lishi_tui.plugin``, the stable plugin API; the hooks are in
``lishi_tui.hookspecs``.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("lishi_tui")

__all__ = ["__version__", "hookimpl"]
