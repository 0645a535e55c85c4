"""Economy: growth of GDP, industry and retail, the tertiary share, transformation projects, services."""

from __future__ import annotations

from lishi_tui.plugin import indicators_hook, load_indicators

__version__ = "0.1.0"

INDICATORS = load_indicators(__file__)  # indicators.toml: the config's [indicators.<id>] format
lishi_register_indicators = indicators_hook(INDICATORS)
