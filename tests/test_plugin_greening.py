"""The greening plugin: mu and hectares, and the pace needed to reach 3 × 1,000,000 mu in time."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from types import ModuleType

import pytest

from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Rag, ThresholdMode
from lishi_tui.domain.status import DAYS_PER_MONTH, projection, rag
from lishi_tui.registry import Registry
from tests.support.bundled import PLUGINS, bundled_config, load_bundled


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled("greening")


@pytest.fixture(scope="module")
def greening(registry: Registry) -> ModuleType:
    """The module as the plugin host imported it (loading it again would be a second copy)."""
    return sys.modules["lishi_tui_plugins.greening"]


@pytest.fixture(scope="module")
def config() -> Config:
    return bundled_config()


def test_loads_as_a_package_with_a_spec_from_its_folder() -> None:
    spec = importlib.util.spec_from_file_location(
        "greening_under_test",
        PLUGINS / "greening" / "__init__.py",
        submodule_search_locations=[str(PLUGINS / "greening")],
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: list[str] = []
    module.lishi_register_indicators(lambda ind: found.append(ind.id))
    assert found == ["greening_acreage"]


def test_mu_and_hectares(greening: ModuleType) -> None:
    assert pytest.approx(666.67, abs=0.01) == greening.SQUARE_METRES_PER_MU
    assert greening.mu_to_hectares(15) == 1.0
    assert greening.mu_to_hectares(greening.TARGET_MU) == pytest.approx(200_000)
    assert greening.hectares_to_mu(greening.mu_to_hectares(123_456)) == pytest.approx(123_456)


def test_the_target_is_three_million_mu(config: Config, greening: ModuleType) -> None:
    acreage = config.indicators["greening_acreage"]
    assert acreage.target is not None and acreage.target.value == greening.TARGET_MU == 3_000_000
    assert acreage.target.deadline == date(2025, 12, 31)
    assert acreage.unit == "亩" and acreage.plugin == "greening"
    assert acreage.thresholds is not None
    assert acreage.thresholds.mode is ThresholdMode.PERCENT_OF_TARGET


def test_pace_needed_per_month_to_reach_the_target_by_its_deadline(config: Config) -> None:
    acreage = config.indicators["greening_acreage"]
    on = date(2024, 1, 1)
    p = projection(acreage, 1_200_000, on)
    assert p is not None
    months_left = (date(2025, 12, 31) - on).days / DAYS_PER_MONTH  # 730 days ≈ 23.98 months
    assert p.remaining == 1_800_000
    assert p.months_left == pytest.approx(months_left)
    assert p.pace_per_month == pytest.approx(1_800_000 / months_left)
    assert round(p.pace_per_month or 0) == 75_051
    # The straight line from 0 in January 2021 stands at 3/5 of the way by January 2024.
    assert p.expected == pytest.approx(
        3_000_000 * (on - date(2021, 1, 1)).days / (date(2025, 12, 31) - date(2021, 1, 1)).days
    )
    assert not p.on_track


def test_rag_is_measured_against_the_target(config: Config) -> None:
    acreage = config.indicators["greening_acreage"]
    assert rag(acreage, 2_700_000) is Rag.GREEN  # 90 %
    assert rag(acreage, 1_800_000) is Rag.AMBER  # 60 %
    assert rag(acreage, 1_799_000) is Rag.RED
