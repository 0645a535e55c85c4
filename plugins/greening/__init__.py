"""Greening: acreage of the "三个100万亩" drives against 3 × 1,000,000 mu, in mu or hectares.

The report names the drives but publishes no acreage, so the bundled config feeds this
indicator from the demo source. Values are in mu (亩); to show hectares, override the
indicator in the config with ``unit = "公顷"`` and ``multiplier = 15`` (one hectare is
15 mu), or convert with ``mu_to_hectares``.
"""

from __future__ import annotations

from lishi_tui.plugin import indicators_hook, load_indicators

__version__ = "0.1.0"

INDICATORS = load_indicators(__file__)  # indicators.toml: the config's [indicators.<id>] format
lishi_register_indicators = indicators_hook(INDICATORS)

# 1 mu = 10000/15 m² ≈ 666.67 m², the legal definition, so 15 mu make one hectare exactly.
MU_PER_HECTARE = 15.0
SQUARE_METRES_PER_MU = 10_000.0 / MU_PER_HECTARE
DRIVES = 3
MU_PER_DRIVE = 1_000_000.0
TARGET_MU = DRIVES * MU_PER_DRIVE


def mu_to_hectares(mu: float) -> float:
    """Mu (亩) to hectares (公顷)."""
    return mu / MU_PER_HECTARE


def hectares_to_mu(hectares: float) -> float:
    """Hectares (公顷) to mu (亩)."""
    return hectares * MU_PER_HECTARE
