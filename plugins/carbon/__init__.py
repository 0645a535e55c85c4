"""Carbon: the Xinyi (信义镇) zero-carbon town pilot and the screening of "两高" projects.

The report names the pilot and the screening but publishes no figure for either, so
these indicators are fed by the demo source in the bundled config; a real feed (a
``csv`` or ``http`` source) can replace it without touching this plugin.
"""

from __future__ import annotations

from lishi_tui.plugin import indicators_hook, load_indicators

__version__ = "0.1.0"

INDICATORS = load_indicators(__file__)  # indicators.toml: the config's [indicators.<id>] format
lishi_register_indicators = indicators_hook(INDICATORS)
