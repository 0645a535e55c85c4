"""Alert test helpers: a small config with alert rules, figures to write, a fake channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lishi_tui.alerts.events import AlertEvent, DeliveryResult
from lishi_tui.config.loader import load_config
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import Observation, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, SourceType
from tests.support.bundled import load_bundled

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

INDICATORS = """
[indicators.gdp_growth]
name_zh = "地区生产总值增速"
name_en = "GDP growth"
unit = "%"
frequency = "quarterly"
thresholds = { green = 6.5, amber = 6.0 }

[indicators.greening]
name_zh = "绿化面积"
name_en = "Greening"
unit = "亩"
frequency = "monthly"
baseline = { value = 0, on = 2026-01-01 }
target = { value = 1200, deadline = 2026-12-31 }

[indicators.retail]
name_zh = "社会消费品零售总额"
name_en = "Retail sales"
unit = "亿元"
frequency = "monthly"

[sources.stats]
type = "fixed"
interval = "1h"
indicators = ["gdp_growth", "greening", "retail"]

[notifiers.ops]
type = "webhook"
url = "http://127.0.0.1:9/hook"

[notifiers.mail]
type = "email"
host = "127.0.0.1"
from = "alerts@lishi.example"
to = ["office@lishi.example"]
"""


async def _fixed(ctx: FetchContext) -> list[Reading]:
    return []


def registry() -> Registry:
    # The built-in channel types too, so that a rule's `notify` can name a real notifier.
    channels = load_bundled("notifiers").notifier_types
    return Registry(source_types={"fixed": SourceType("fixed", _fixed)}, notifier_types=channels)


def config(tmp_path: Path, rules: str, *, extra: str = "") -> Config:
    path = tmp_path / "lishi.toml"
    path.write_text(INDICATORS + extra + rules, encoding="utf-8")
    return load_config(path, registry(), {})


def obs(
    indicator: str,
    period: Period,
    value: float | None,
    *,
    demo: bool = False,
    at: datetime = T0,
    source: str = "stats",
) -> Observation:
    return Observation(
        Reading(indicator, period, value=value, demo=demo), source=source, fetched_at=at
    )


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Channels:
    """Stands in for the notification channels: records each batch, fails when told."""

    def __init__(self) -> None:
        self.batches: list[dict[str, list[AlertEvent]]] = []
        self.failing: set[str] = set()

    async def __call__(
        self, batches: Mapping[str, Sequence[AlertEvent]]
    ) -> dict[str, DeliveryResult]:
        self.batches.append({k: list(v) for k, v in batches.items()})
        return {
            k: DeliveryResult(False, "HTTP 500", 4)
            if k in self.failing
            else DeliveryResult(True, None, 1)
            for k in batches
        }
