"""Greening: acreage of the "三个100万亩" drives against 3 × 1,000,000 mu, in mu or hectares.

The report names the drives but publishes no acreage, so the bundled config feeds this
indicator from the demo source. Values are in mu (亩); to show hectares, override the
indicator in the config with ``unit = "公顷"`` and ``multiplier = 15`` (one hectare is
15 mu), or convert with ``mu_to_hectares``.
"""

from __future__ import annotations

from lishi_tui.plugin import Frequency, Indicator, MeasureKind, RegisterIndicator, hookimpl

__version__ = "0.1.0"

PLUGIN = "greening"

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


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "greening_acreage",
        "“三个100万亩”绿化累计面积",
        "Greening acreage, three one-million-mu drives",
        unit="亩",
        unit_en="mu",
        decimals=0,
        frequency=Frequency.MONTHLY,
        measure=MeasureKind.LEVEL,
        tags=("生态", "绿化"),
        description=(
            "Cumulative acreage of the three drives against 3 × 1,000,000 mu "
            "(1 mu = 666.67 m²; 15 mu = 1 ha)."
        ),
        plugin=PLUGIN,
    ),
)


@hookimpl
def lishi_register_indicators(register: RegisterIndicator) -> None:
    for indicator in INDICATORS:
        register(indicator)
