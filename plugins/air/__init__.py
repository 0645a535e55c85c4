"""Air ("离石蓝"): good-air days, hourly AQI and PM2.5, the report's one naturally real-time series.

The report gives no air-quality figure; the bundled config feeds these indicators from
the demo source. A monitoring-station feed (``http`` source) can replace it.
"""

from __future__ import annotations

from lishi_tui.plugin import indicators_hook, load_indicators

__version__ = "0.1.0"

INDICATORS = load_indicators(__file__)  # indicators.toml: the config's [indicators.<id>] format
lishi_register_indicators = indicators_hook(INDICATORS)
