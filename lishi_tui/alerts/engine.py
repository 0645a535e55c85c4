"""Evaluating rules: findings through the state machine into persisted alerts and batches.

``AlertEngine.evaluate`` is synchronous (store reads and one write; the collector runs
it in a thread) and returns an ``Evaluation``: the state changes made and, per
notifier, the events due. ``AlertEngine.delivered`` records what became of sending them;
an event whose delivery failed stays due, so the next evaluation sends it again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from lishi_tui.alerts.conditions import Finding, Reader, Snapshot, find
from lishi_tui.alerts.events import AlertEvent, DeliveryResult
from lishi_tui.alerts.records import (
    AlertRecord,
    AlertRepository,
    Delivery,
    Transition,
    acknowledged,
    alert_id,
)
from lishi_tui.alerts.rules import AlertRule, Kind
from lishi_tui.alerts.state import (
    RESOLVED,
    Instance,
    Notice,
    Outcome,
    State,
    due,
    effective,
    mark_sent,
    step,
)
from lishi_tui.alerts.wording import summary
from lishi_tui.domain.model import Indicator
from lishi_tui.text import clean


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation did and what it wants sent."""

    at: datetime
    transitions: tuple[Transition, ...] = ()
    batches: Mapping[str, tuple[AlertEvent, ...]] = field(default_factory=dict)
    alerts: Mapping[str, AlertRecord] = field(default_factory=dict)  # every evaluated alert

    @property
    def events(self) -> int:
        return sum(len(b) for b in self.batches.values())


class AlertEngine:
    """Rules over one store's data; the only writer of alert state (the collecting process)."""

    def __init__(
        self,
        rules: Mapping[str, AlertRule],
        indicators: Mapping[str, Indicator],
        reader: Reader,
        repo: AlertRepository,
        *,
        lang: str,
        clock: Callable[[], datetime],
        breaker_open: Callable[[str], bool] | None = None,
    ) -> None:
        self.rules = rules
        self.indicators = indicators
        self.reader = reader
        self.repo = repo
        self.lang = lang
        self.clock = clock
        self.breaker_open = breaker_open or (lambda _s: False)
        self._lock = threading.Lock()
        self._records: dict[str, AlertRecord] | None = None
        self._quiet: dict[str, set[str]] = {}  # per rule, subjects Normal with nothing to tell
        self._by_indicator: dict[str, list[str]] = {}
        self._by_source: dict[str, list[str]] = {}
        for rule in rules.values():
            if rule.kind is Kind.SOURCE:
                for s in rule.sources:
                    self._by_source.setdefault(s, []).append(rule.id)
            else:
                for i in rule.indicators:
                    self._by_indicator.setdefault(i, []).append(rule.id)

    def rules_for(
        self, indicators: Collection[str] = (), sources: Collection[str] = ()
    ) -> list[str]:
        """The rules a write of ``indicators`` or a run of ``sources`` may change."""
        ids = {r for i in indicators for r in self._by_indicator.get(i, ())}
        ids |= {r for s in sources for r in self._by_source.get(s, ())}
        return [r for r in self.rules if r in ids]

    def records(self) -> dict[str, AlertRecord]:
        with self._lock:
            return dict(self._load())

    def _load(self) -> dict[str, AlertRecord]:
        if self._records is None:
            self._records = self.repo.alerts()
            self._mark_quiet(self._records.values())
        return self._records

    def _mark_quiet(self, records: Iterable[AlertRecord]) -> None:
        for rec in records:
            quiet = self._quiet.setdefault(rec.rule_id, set())
            if _is_quiet(rec):
                quiet.add(rec.subject)
            else:
                quiet.discard(rec.subject)

    def evaluate(
        self,
        rule_ids: Sequence[str] | None = None,
        *,
        persist: bool = True,
    ) -> Evaluation:
        """Evaluate ``rule_ids`` (every rule when None) now; with ``persist`` False nothing
        is written (``alerts test``)."""
        chosen = [self.rules[r] for r in (self.rules if rule_ids is None else rule_ids)]
        now = self.clock()
        with self._lock:
            records = self._load()
            snap = Snapshot(self.reader, now, self.breaker_open)
            # One read for every rule's indicators; if it fails, each rule's own read fails
            # again and that rule goes to its Error handling.
            with contextlib.suppress(Exception):
                snap.latest([i for rule in chosen for i in rule.indicators])
            changed: list[AlertRecord] = []
            transitions: list[Transition] = []
            evaluated: dict[str, AlertRecord] = {}
            for rule in chosen:
                text = rule.text
                quiet = self._quiet.setdefault(rule.id, set()) if persist else frozenset()
                for finding in self._findings(rule, snap, quiet):
                    rid = alert_id(rule.id, finding.subject)
                    old = records.get(rid)
                    new = self._next(rule, text, finding, old, now, quick=persist)
                    evaluated[rid] = new
                    if (old.state if old else State.NORMAL) is not new.state:
                        transitions.append(_transition(rule, new, old, now))
                    if new is not old and _worth_saving(rule, new, old):
                        changed.append(new)
            acks = self.repo.acks()
            silences = self.repo.silences(now)
            batches: dict[str, list[AlertEvent]] = {}
            for rid, rec in evaluated.items():
                if _is_quiet(rec):
                    continue
                rule = self.rules[rec.rule_id]
                silenced = any(s.covers(rec, now) for s in silences)
                acked = acknowledged(rec, acks.get(rid))
                for channel in rule.notify:
                    notice = due(
                        rec.instance, channel, now, rule, acknowledged=acked, silenced=silenced
                    )
                    if notice is not None:
                        batches.setdefault(channel, []).append(self._event(rule, rec, notice))
            if persist:
                self.repo.save_alerts(changed, transitions)
                records.update(evaluated)  # unsaved ones too: a Normal alert's last figure
                self._mark_quiet(evaluated.values())
        return Evaluation(
            at=now,
            transitions=tuple(transitions),
            batches=MappingProxyType({k: tuple(v) for k, v in batches.items()}),
            alerts=MappingProxyType(evaluated),
        )

    def delivered(self, evaluation: Evaluation, results: Mapping[str, DeliveryResult]) -> None:
        """Record each channel's outcome; a delivered event will not be sent again."""
        at = self.clock()
        deliveries: list[Delivery] = []
        with self._lock:
            records = self._load()
            touched: dict[str, AlertRecord] = {}
            for channel, events in evaluation.batches.items():
                result = results.get(channel) or DeliveryResult(False, "no result", 0)
                for ev in events:
                    deliveries.append(
                        Delivery(
                            ev.alert_id,
                            channel,
                            at,
                            ev.state,
                            ev.repeat,
                            result.ok,
                            result.error,
                            result.attempts,
                        )
                    )
                    rec = touched.get(ev.alert_id) or records.get(ev.alert_id)
                    if result.ok and rec is not None:
                        notice = Notice(channel, ev.state, ev.repeat)
                        touched[ev.alert_id] = replace(
                            rec, instance=mark_sent(rec.instance, notice, evaluation.at)
                        )
            self.repo.save_alerts(list(touched.values()), [])
            self.repo.record_deliveries(deliveries)
            records.update(touched)
            self._mark_quiet(touched.values())

    # ---------------------------------------------------------------- helpers

    def _findings(self, rule: AlertRule, snap: Snapshot, quiet: Container[str]) -> list[Finding]:
        try:
            return find(rule, self.indicators, snap, self.lang, quiet)
        except Exception as exc:  # a failing read is the rule's Error state, never a crash
            detail = clean(f"{type(exc).__name__}: {exc}", single_line=True, limit=200)
            subjects = rule.sources if rule.kind is Kind.SOURCE else rule.indicators
            return [
                Finding(
                    subject=s,
                    outcome=Outcome.ERROR,
                    indicator_id=None if rule.kind is Kind.SOURCE else s,
                    source=s if rule.kind is Kind.SOURCE else None,
                    detail=detail,
                )
                for s in subjects
            ]

    def _next(
        self,
        rule: AlertRule,
        text: str,
        f: Finding,
        old: AlertRecord | None,
        now: datetime,
        *,
        quick: bool = True,
    ) -> AlertRecord:
        if old is not None and effective(f.outcome, rule) is None:
            return old  # keep-last handling: the alert stays as it was, figure included
        inst = old.instance if old is not None else Instance()
        stepped = step(inst, f.outcome, now, rule)
        if quick and old is not None and stepped is inst and not old.active:
            return old  # Normal and staying so: nothing to record, keep its last figure
        same = (
            old is not None
            and old.instance == stepped
            and (old.value, old.period, old.detail, old.rule_text, old.source, old.demo)
            == (f.value, f.period, f.detail, text, f.source, f.demo)
        )
        return AlertRecord(
            id=alert_id(rule.id, f.subject),
            rule_id=rule.id,
            subject=f.subject,
            indicator_id=f.indicator_id,
            severity=rule.severity.value,
            rule_text=text,
            instance=stepped,
            updated_at=old.updated_at if same and old is not None else now,
            value=f.value,
            period=f.period,
            period_label=f.period_label,
            source=f.source,
            demo=f.demo,
            pace=f.pace,
            detail=f.detail,
        )

    def _event(self, rule: AlertRule, rec: AlertRecord, notice: Notice) -> AlertEvent:
        ind = self.indicators.get(rec.indicator_id or "")
        name = ind.name(self.lang) if ind else None
        unit = (ind.unit_label(self.lang) or None) if ind else None
        shown = None
        if rec.value is not None:
            shown = _number(ind, rec.value) + (f" {unit}" if unit else "")
        since = rec.instance.since or rec.updated_at
        return AlertEvent(
            alert_id=rec.id,
            rule_id=rule.id,
            rule_text=rec.rule_text,
            state=notice.state,
            severity=rec.severity,
            indicator_id=rec.indicator_id,
            indicator_name=name,
            value=rec.value,
            unit=unit,
            period=rec.period,
            period_label=rec.period_label,
            target=ind.target.value if ind and ind.target else None,
            pace=rec.pace,
            source=rec.source,
            demo=rec.demo,
            since=since,
            repeat=notice.repeat,
            summary=summary(
                lang=self.lang,
                state=notice.state,
                severity=rec.severity,
                subject=name or rec.subject,
                value=shown,
                period_label=rec.period_label,
                source=rec.source,
                detail=rec.detail,
                demo=rec.demo,
                repeat=notice.repeat,
            ),
        )


def _number(ind: Indicator | None, value: float) -> str:
    if ind is None:
        return f"{value:g}"
    shown = value / ind.multiplier if ind.multiplier else value
    return f"{shown:,.{ind.decimals}f}"


def _is_quiet(rec: AlertRecord) -> bool:
    """Normal, and every channel told so: nothing can be due until its figure changes."""
    return rec.instance.state is State.NORMAL and all(
        s.state == RESOLVED for s in rec.instance.sent
    )


def _worth_saving(rule: AlertRule, new: AlertRecord, old: AlertRecord | None) -> bool:
    """A new state always; a new figure only while the alert is shown (a Normal alert keeps
    the figure of its last change, so steady figures cost no writes); the last time the
    condition held only where keep_firing_for needs it after a restart."""
    if old is None:
        return new.active
    a, b = new.instance, old.instance
    if a is not b and (
        a.state is not b.state
        or a.since != b.since
        or a.active_at != b.active_at
        or a.episode_at != b.episode_at
        or a.sent != b.sent
        or (rule.keep_firing_for and a.last_alerting_at != b.last_alerting_at)
    ):
        return True
    if new.rule_text != old.rule_text:
        return True
    return new.active and (new.value, new.period, new.detail) != (old.value, old.period, old.detail)


def _transition(
    rule: AlertRule, new: AlertRecord, old: AlertRecord | None, now: datetime
) -> Transition:
    return Transition(
        alert_id=new.id,
        rule_id=rule.id,
        at=now,
        from_state=old.state.value if old is not None else "normal",
        to_state=new.state.value,
        value=new.value,
        period=new.period,
        source=new.source,
        demo=new.demo,
        rule_text=new.rule_text,
        detail=new.detail,
    )
