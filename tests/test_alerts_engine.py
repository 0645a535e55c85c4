"""The alert engine over a real store (SQLite and PostgreSQL): states, history, dedup, restart,
repeats, acks, silences, grouping, demo figures and failed deliveries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lishi_tui.alerts.config import rules_of
from lishi_tui.alerts.engine import AlertEngine, Evaluation
from lishi_tui.alerts.events import DeliveryResult
from lishi_tui.alerts.records import Ack, Silence
from lishi_tui.alerts.state import State
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.config.schema import Config
from lishi_tui.domain.model import SourceRunOutcome
from lishi_tui.domain.periods import Period
from lishi_tui.store.base import Store
from tests.support.alerting import T0, Clock, config, obs
from tests.support.stores import OpenStore

RULES = """
[alerts.gdp_low]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
severity = "critical"
repeat_interval = "1h"
notify = ["ops", "mail"]

[alerts.retail_stale]
kind = "stale"
indicators = ["retail"]
no_data = "ok"
notify = ["ops"]
"""

Q3 = Period.quarter(2026, 3)


def engine(cfg: Config, store: Store, clock: Clock, lang: str = "zh") -> AlertEngine:
    return AlertEngine(
        rules_of(cfg), cfg.indicators, store, StoreRepository(store), lang=lang, clock=clock
    )


def ok_all(ev: Evaluation) -> dict[str, DeliveryResult]:
    return {k: DeliveryResult(True, None, 1) for k in ev.batches}


def test_fire_once_survive_restart_repeat_ack_resolve(
    tmp_path: Path, open_store: OpenStore
) -> None:
    cfg = config(tmp_path, RULES)
    store = open_store()
    clock = Clock()
    store.write([obs("gdp_growth", Q3, 6.1)])
    e = engine(cfg, store, clock)
    first = e.evaluate()
    assert set(first.batches) == {"ops", "mail"}
    [event] = first.batches["ops"]
    assert (event.alert_id, event.state, event.severity, event.value) == (
        "gdp_low/gdp_growth",
        "firing",
        "critical",
        6.1,
    )
    assert event.period == Q3.key and event.period_label == Q3.label("zh")
    assert event.source == "stats" and not event.demo and not event.repeat
    assert "地区生产总值增速 6.1 %" in event.summary and "6.1 < 6.5" in event.summary
    e.delivered(first, ok_all(first))
    assert e.evaluate().events == 0  # told once

    # A restarted collector (new store object, new engine) neither forgets nor re-sends.
    store2 = open_store()
    e2 = engine(cfg, store2, clock)
    again = e2.evaluate()
    assert again.events == 0
    assert again.alerts["gdp_low/gdp_growth"].state is State.FIRING

    clock.advance(3600)
    repeat = e2.evaluate()
    assert [ev.repeat for ev in repeat.batches["ops"]] == [True]
    e2.delivered(repeat, ok_all(repeat))

    StoreRepository(store2).add_ack(Ack("gdp_low/gdp_growth", clock(), "张三", "已通知统计局"))
    clock.advance(3600)
    assert e2.evaluate().events == 0  # acknowledged: no more repeats

    store2.write([obs("gdp_growth", Q3, 6.8, at=clock())])  # a revision back above the bound
    resolved = e2.evaluate()
    assert [ev.state for ev in resolved.batches["ops"]] == ["resolved"]
    e2.delivered(resolved, ok_all(resolved))
    history = StoreRepository(store2).transitions("gdp_low/gdp_growth")
    assert [(t.from_state, t.to_state) for t in history] == [
        ("firing", "normal"),
        ("normal", "firing"),
    ]
    assert history[1].value == 6.1 and history[1].source == "stats"
    assert "below 6.5" in history[1].rule_text and history[0].value == 6.8
    outcomes = StoreRepository(store2).deliveries("gdp_low/gdp_growth")
    assert [(d.notifier, d.state, d.repeat, d.ok) for d in outcomes][:2] == [
        ("mail", "resolved", False, True),
        ("ops", "resolved", False, True),
    ]


def test_a_failed_delivery_is_sent_again_and_recorded(
    tmp_path: Path, open_store: OpenStore
) -> None:
    cfg = config(tmp_path, RULES)
    store = open_store()
    clock = Clock()
    store.write([obs("gdp_growth", Q3, 6.1)])
    e = engine(cfg, store, clock)
    first = e.evaluate()
    e.delivered(
        first, {"ops": DeliveryResult(False, "HTTP 500", 4), "mail": DeliveryResult(True, None, 1)}
    )
    clock.advance(15)
    second = e.evaluate()
    assert list(second.batches) == ["ops"]  # only the channel that failed
    assert not second.batches["ops"][0].repeat
    [failed] = [d for d in StoreRepository(store).deliveries() if not d.ok]
    assert (failed.notifier, failed.error, failed.attempts) == ("ops", "HTTP 500", 4)


def test_many_alerts_in_one_evaluation_are_one_batch(tmp_path: Path, open_store: OpenStore) -> None:
    cfg = config(
        tmp_path,
        """
[alerts.everything_stale]
kind = "stale"
indicators = ["*"]
notify = ["ops"]
""",
    )
    store = open_store()
    old = T0 - timedelta(days=400)
    store.write(
        [
            obs("gdp_growth", Period.quarter(2025, 2), 6.0, at=old),
            obs("greening", Period.month(2025, 6), 100, at=old),
            obs("retail", Period.month(2025, 6), 10, at=old),
        ]
    )
    ev = engine(cfg, store, Clock(), lang="en").evaluate()
    assert list(ev.batches) == ["ops"]
    assert sorted(e.indicator_id or "" for e in ev.batches["ops"]) == [
        "gdp_growth",
        "greening",
        "retail",
    ]
    assert all("overdue" in e.summary and "firing" in e.summary for e in ev.batches["ops"])


def test_for_holds_pending_until_it_has_passed(tmp_path: Path, open_store: OpenStore) -> None:
    cfg = config(
        tmp_path,
        """
[alerts.gdp_red]
kind = "threshold"
indicators = ["gdp_growth"]
status = "red"
for = "10m"
notify = ["ops"]
""",
    )
    store = open_store()
    clock = Clock()
    store.write([obs("gdp_growth", Q3, 5.5)])  # red: below amber 6.0
    e = engine(cfg, store, clock)
    assert e.evaluate().alerts["gdp_red/gdp_growth"].state is State.PENDING
    clock.advance(599)
    assert e.evaluate().events == 0
    clock.advance(1)
    fired = e.evaluate()
    assert [ev.state for ev in fired.batches["ops"]] == ["firing"]


def test_demo_figures_fire_only_when_the_rule_says_demo(
    tmp_path: Path, open_store: OpenStore
) -> None:
    rules = """
[alerts.real_only]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
notify = ["ops"]

[alerts.with_demo]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
demo = true
notify = ["ops"]
"""
    cfg = config(tmp_path, rules)
    store = open_store()
    store.write([obs("gdp_growth", Q3, 5.0, demo=True, source="demo")])
    ev = engine(cfg, store, Clock(), lang="en").evaluate()
    assert [e.rule_id for e in ev.batches["ops"]] == ["with_demo"]
    [event] = ev.batches["ops"]
    assert event.demo and event.summary.startswith("[demo]")
    assert ev.alerts["real_only/gdp_growth"].state is State.NORMAL


def test_a_silence_holds_notices_until_it_ends(tmp_path: Path, open_store: OpenStore) -> None:
    cfg = config(tmp_path, RULES)
    store = open_store()
    clock = Clock()
    repo = StoreRepository(store)
    repo.add_silence(Silence("gdp_low", clock(), clock() + timedelta(hours=2), "李四", "维护"))
    store.write([obs("gdp_growth", Q3, 6.1)])
    e = engine(cfg, store, clock)
    ev = e.evaluate()
    assert ev.events == 0 and ev.alerts["gdp_low/gdp_growth"].state is State.FIRING
    clock.advance(7200)
    assert {k: [x.state for x in v] for k, v in e.evaluate().batches.items()} == {
        "ops": ["firing"],
        "mail": ["firing"],
    }


def test_source_rule_fires_after_failed_runs(tmp_path: Path, open_store: OpenStore) -> None:
    cfg = config(
        tmp_path,
        """
[alerts.stats_down]
kind = "source"
sources = ["*"]
failures = 2
notify = ["ops"]
""",
    )
    store = open_store()
    clock = Clock()
    e = engine(cfg, store, clock, lang="en")
    assert e.evaluate().alerts["stats_down/stats"].state is State.NODATA  # never run
    for _ in range(2):
        store.log_fetch(SourceRunOutcome("stats", clock(), 0.1, ok=False, error="refused"))
    ev = e.evaluate()
    assert [x.state for x in ev.batches["ops"]] == ["firing"]
    assert "2 failed runs in a row" in ev.batches["ops"][0].summary


def test_a_failing_read_is_the_error_state_not_a_crash(
    tmp_path: Path, open_store: OpenStore
) -> None:
    cfg = config(tmp_path, RULES)
    store = open_store()

    class Broken:
        def latest(self, *a: object, **k: object) -> dict[str, object]:
            raise OSError("disk went away")

        def history(self, *a: object, **k: object) -> list[object]:
            return []

        def health(self) -> dict[str, object]:
            return {}

    e = AlertEngine(
        rules_of(cfg),
        cfg.indicators,
        Broken(),  # type: ignore[arg-type]
        StoreRepository(store),
        lang="en",
        clock=Clock(),
    )
    ev = e.evaluate(["gdp_low"])
    assert ev.alerts["gdp_low/gdp_growth"].state is State.ERROR
    assert [x.state for x in ev.batches["ops"]] == ["error"]
    assert "disk went away" in ev.alerts["gdp_low/gdp_growth"].detail


def test_dry_run_writes_nothing(tmp_path: Path, open_store: OpenStore) -> None:
    cfg = config(tmp_path, RULES)
    store = open_store()
    store.write([obs("gdp_growth", Q3, 6.1)])
    e = engine(cfg, store, Clock())
    assert e.evaluate(persist=False).events == 2
    assert StoreRepository(store).alerts() == {}
