"""Alert rules over 1,000 indicators evaluated after a write, beside the cost of the write itself."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/alerts.py`

from bench.harness import Peer, Row, cli, row
from lishi_tui.alerts.config import parse_alerts
from lishi_tui.alerts.engine import AlertEngine
from lishi_tui.alerts.events import DeliveryResult
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.domain.model import (
    Baseline,
    Frequency,
    Indicator,
    Observation,
    Reading,
    Target,
    Thresholds,
)
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore

N = 1000
HIGH, LOW = 90.0, 30.0  # the October figure against a path at ~84 % of the target in November
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
RULES = {
    "low": {"kind": "threshold", "indicators": ["*"], "below": 50.0, "notify": ["ops"]},
    "red": {"kind": "threshold", "indicators": ["*"], "status": "red", "notify": ["ops"]},
    "pace": {"kind": "pace", "indicators": ["*"], "margin": 5, "notify": ["ops"]},
    "stale": {"kind": "stale", "indicators": ["*"], "notify": ["ops"]},
}


def indicators() -> dict[str, Indicator]:
    return {
        f"ind{i:04d}": Indicator(
            id=f"ind{i:04d}",
            name_zh=f"指标{i}",
            name_en=f"Indicator {i}",
            unit="%",
            frequency=Frequency.MONTHLY,
            baseline=Baseline(0.0, date(2026, 1, 1)),
            target=Target(100.0, date(2026, 12, 31)),
            thresholds=Thresholds(green=60.0, amber=40.0),
            source="bench",
        )
        for i in range(N)
    }


def batch(month: int, value: float) -> list[Observation]:
    at = T0 + timedelta(minutes=month)
    return [
        Observation(Reading(f"ind{i:04d}", Period.month(2026, month), value + i % 7), "bench", at)
        for i in range(N)
    ]


def measure(tmp: Path, repeat: int) -> list[Row]:
    inds = indicators()
    issues: list[str] = []
    rules = parse_alerts(
        RULES, lambda p, m, h: issues.append(m), indicators=inds, sources=["bench"]
    )
    assert not issues and all(len(r.indicators) == N for r in rules.values()), issues
    store = SqliteStore(tmp / "alerts.db")
    clock = [T0]
    engine = AlertEngine(
        rules, inds, store, StoreRepository(store), lang="zh", clock=lambda: clock[0]
    )
    writes: list[float] = []
    steady: list[float] = []  # every alert Normal
    firing: list[float] = []  # 3,000 alerts firing, their figures updated
    flips: list[float] = []
    store.write(batch(10, HIGH))
    first = engine.evaluate()  # every alert instance exists from here on, and was sent
    engine.delivered(first, {"ops": DeliveryResult(True, None, 1)})
    side = HIGH  # every indicator on track and above every bound, or (LOW) below them
    for n in range(repeat):
        # New figures that change no alert's state (the usual case) ...
        obs = batch(10, side + 0.001 * (n + 1))
        t0 = time.perf_counter()
        written = store.write(obs)
        writes.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ev = engine.evaluate(engine.rules_for(written.indicators))
        (steady if side == HIGH else firing).append(time.perf_counter() - t0)
        assert not ev.transitions and not ev.batches
        # ... and a revision that moves every indicator across two rules' bounds.
        side = LOW if side == HIGH else HIGH
        written = store.write(batch(10, side))
        t0 = time.perf_counter()
        ev = engine.evaluate(engine.rules_for(written.indicators))
        flips.append(time.perf_counter() - t0)
        assert len(ev.transitions) == 3 * N, len(ev.transitions)
        engine.delivered(ev, {"ops": DeliveryResult(True, None, 1)})  # as the runner does
    store.close()
    ms = 1000.0
    write_ms = statistics.median(writes) * ms
    return [
        row(
            f"alert rules (4 over {N:,} indicators) after a write of {N:,} obs, all Normal",
            [t * ms for t in steady],
            "ms",
            write_ms * 0.5,
            peers=[Peer(f"the write of {N:,} obs itself", write_ms)],
            note="bar: half the write",
        ),
        row(
            f"alert rules after a write of {N:,} obs, {3 * N:,} alerts firing (figures stored)",
            [t * ms for t in firing],
            "ms",
            None,
            peers=[Peer(f"the write of {N:,} obs itself", write_ms)],
        ),
        row(
            f"alert rules after a write that changes {3 * N:,} alerts' state (stored, batched)",
            [t * ms for t in flips],
            "ms",
            None,
            peers=[Peer(f"the write of {N:,} obs itself", write_ms)],
        ),
    ]


def run(quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="lishi-bench-") as tmp:
        return measure(Path(tmp), 6 if quick else 30)


if __name__ == "__main__":
    cli(__doc__ or "", run)
