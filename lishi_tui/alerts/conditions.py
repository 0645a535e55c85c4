"""What each kind of rule finds for each of its subjects, from one snapshot of stored data."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from lishi_tui.alerts.rules import AlertRule, ChangeBasis, Kind, StatusLevel
from lishi_tui.alerts.state import Outcome
from lishi_tui.domain import status as st
from lishi_tui.domain.model import Indicator, MeasureKind, Observation, Rag
from lishi_tui.domain.periods import Period, PeriodKind
from lishi_tui.store.base import SourceHealth

# Measures that are already percentages: their change is in percentage points, not percent.
POINT_MEASURES = (MeasureKind.YOY, MeasureKind.SHARE, MeasureKind.RATIO)


class Reader(Protocol):
    """The part of the store a rule reads."""

    def latest(
        self, indicator_ids: Sequence[str] | None = None, *, include_demo: bool = True
    ) -> dict[str, Observation]: ...

    def history(
        self,
        indicator_id: str,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        include_demo: bool = True,
    ) -> list[Observation]: ...

    def health(self) -> dict[str, SourceHealth]: ...


@dataclass(frozen=True, slots=True)
class Finding:
    """One subject (an indicator or a source) as one evaluation of a rule found it."""

    subject: str
    outcome: Outcome
    indicator_id: str | None = None
    value: float | None = None
    period: str | None = None  # the period's key, e.g. "2024-10"
    period_label: str | None = None  # in the UI language
    source: str | None = None
    demo: bool = False
    target: float | None = None
    pace: str | None = None  # "on track" / "behind by 4.2 pp" in the UI language
    detail: str = ""  # why, in a few words (untranslated numbers and the comparison)


@dataclass
class Snapshot:
    """Stored data read once per evaluation and shared by every rule in it."""

    reader: Reader
    now: datetime
    breaker_open: Callable[[str], bool] = lambda _source: False
    _latest: dict[str, Observation] = field(default_factory=dict)
    _asked: set[str] = field(default_factory=set)
    _health: dict[str, SourceHealth] | None = None
    _history: dict[str, list[Observation]] = field(default_factory=dict)
    described: dict[str, Finding] = field(default_factory=dict)  # per indicator, for every rule
    _behind: dict[str, float | None] = field(default_factory=dict)

    def behind(self, ind: Indicator, value: float) -> float | None:
        """``pace_behind`` of the indicator's latest figure, once per evaluation."""
        if ind.id not in self._behind:
            self._behind[ind.id] = pace_behind(ind, value, self.now)
        return self._behind[ind.id]

    def latest(self, ids: Sequence[str]) -> dict[str, Observation]:
        """The latest figure of each of ``ids``; one query for those not read yet, so the
        engine reads every rule's indicators at once by asking for their union first."""
        missing = [i for i in dict.fromkeys(ids) if i not in self._asked]
        if missing:
            self._latest.update(self.reader.latest(missing))
            self._asked.update(missing)
        return self._latest

    def health(self) -> dict[str, SourceHealth]:
        if self._health is None:
            self._health = self.reader.health()
        return self._health

    def history(self, indicator_id: str, since: datetime) -> list[Observation]:
        if indicator_id not in self._history:
            self._history[indicator_id] = self.reader.history(indicator_id, since=since)
        return self._history[indicator_id]


def find(
    rule: AlertRule,
    indicators: Mapping[str, Indicator],
    snap: Snapshot,
    lang: str,
    quiet: Container[str] = frozenset(),
) -> list[Finding]:
    """Every subject of ``rule``; an exception here is the rule's Error outcome (the caller's).

    ``quiet`` holds the subjects whose alert is stored, Normal and has nothing left to
    tell: one whose figure
    plainly does not meet the condition is then left out (it stays Normal, nothing to
    write or say), without building the labels and words an alert that changes state
    needs. That is most subjects, most of the time.
    """
    if rule.kind is Kind.SOURCE:
        return [_source(rule, sid, snap) for sid in rule.sources]
    latest = snap.latest(rule.indicators)
    out: list[Finding] = []
    for iid in rule.indicators:
        indicator = indicators.get(iid)
        if indicator is None:
            continue
        obs = latest.get(iid)
        if iid in quiet and _plainly_ok(rule, indicator, obs, snap):
            continue
        out.append(_indicator(rule, indicator, obs, snap, lang))
    return out


def _plainly_ok(rule: AlertRule, ind: Indicator, obs: Observation | None, snap: Snapshot) -> bool:
    """The figure does not meet the rule's condition, judged without building any text."""
    if obs is None or obs.reading.value is None:
        return False
    value = obs.reading.value
    if obs.reading.demo and not rule.demo:
        return True
    kind = rule.kind
    if kind is Kind.THRESHOLD:
        if rule.status is not None:
            colour = st.rag(ind, value)
            return colour is Rag.GREEN or (colour is Rag.AMBER and rule.status is StatusLevel.RED)
        return not (
            (rule.above is not None and value > rule.above)
            or (rule.below is not None and value < rule.below)
        )
    if kind is Kind.PACE:
        behind = snap.behind(ind, value)
        return behind is not None and behind <= (rule.margin or 0.0)
    if kind is Kind.STALE:
        return st.freshness(ind, obs, snap.now) is st.Freshness.FRESH
    return False


def _indicator(
    rule: AlertRule, ind: Indicator, obs: Observation | None, snap: Snapshot, lang: str
) -> Finding:
    base = snap.described.get(ind.id)
    if base is None:
        base = snap.described[ind.id] = _described(ind, obs, lang, snap)
    if obs is None or obs.value is None:
        health = snap.health().get(ind.source) if ind.source else None
        if ind.source and (health is None or health.last_run is None):
            # Its source has not run against this store yet: nothing is missing so far.
            return _with(base, Outcome.OK, "waiting for the first fetch")
        return _with(base, Outcome.NODATA, "no figure stored")
    if obs.demo and not rule.demo:
        # Demo figures never fire an alert unless the rule asks for them.
        return _with(base, Outcome.OK, "demo figure, not judged")
    value = obs.value
    match rule.kind:
        case Kind.THRESHOLD:
            return _threshold(rule, ind, value, base)
        case Kind.PACE:
            return _pace(rule, ind, value, snap, base)
        case Kind.CHANGE:
            return _change(rule, ind, obs, snap, base)
        case Kind.STALE:
            fresh = st.freshness(ind, obs, snap.now)
            if fresh is st.Freshness.STALE:
                age = st.age(obs, snap.now)
                return _with(base, Outcome.ALERTING, f"overdue: period ended {age.days} days ago")
            return _with(base, Outcome.OK, "current")
    raise AssertionError(rule.kind)  # pragma: no cover


def _threshold(rule: AlertRule, ind: Indicator, value: float, base: Finding) -> Finding:
    if rule.status is not None:
        colour = st.rag(ind, value)
        if colour is Rag.NONE:
            return _with(base, Outcome.NODATA, "no thresholds to judge by")
        hit = colour is Rag.RED or (rule.status is StatusLevel.AMBER and colour is Rag.AMBER)
        return _with(base, Outcome.ALERTING if hit else Outcome.OK, f"status {colour.value}")
    return _bounds(rule, value, base, f"{value:g}")


def _bounds(rule: AlertRule, measured: float, base: Finding, shown: str) -> Finding:
    if rule.above is not None and measured > rule.above:
        return _with(base, Outcome.ALERTING, f"{shown} > {rule.above:g}")
    if rule.below is not None and measured < rule.below:
        return _with(base, Outcome.ALERTING, f"{shown} < {rule.below:g}")
    return _with(base, Outcome.OK, shown)


def pace_behind(ind: Indicator, value: float, now: datetime) -> float | None:
    """Percentage points of the way to the target by which ``value`` trails the linear path
    (negative when ahead); None without baseline, target and deadline."""
    proj = st.projection(ind, value, st.today_in_china(now))
    if proj is None or ind.target is None or ind.baseline is None:
        return None
    span = abs(ind.target.value - ind.baseline.value)
    if span == 0:
        return None
    return -proj.gap / span * 100.0


def _pace(rule: AlertRule, ind: Indicator, value: float, snap: Snapshot, base: Finding) -> Finding:
    behind = snap.behind(ind, value)
    if behind is None:
        return _with(base, Outcome.NODATA, "no baseline, target and deadline to pace by")
    margin = rule.margin or 0.0
    detail = f"behind the path by {behind:.1f} pp" if behind > 0 else "on track"
    return _with(base, Outcome.ALERTING if behind > margin else Outcome.OK, detail)


def _change(
    rule: AlertRule, ind: Indicator, obs: Observation, snap: Snapshot, base: Finding
) -> Finding:
    period = obs.period
    before = _year_before(period) if rule.basis is ChangeBasis.YOY else None
    since = (before or period.start) - timedelta(days=400)
    series = [
        o
        for o in snap.history(ind.id, since)
        if o.value is not None and (rule.demo or not o.demo) and o.period.start < period.start
    ]
    if before is not None:
        series = [o for o in series if o.period.start == before and o.period.kind is period.kind]
    if not series:
        return _with(base, Outcome.NODATA, f"no {rule.basis.value} figure to compare with")
    prev = series[-1]
    assert prev.value is not None and obs.value is not None
    if ind.measure in POINT_MEASURES:
        change = obs.value - prev.value
        unit = " pp"
    else:
        if prev.value == 0:
            return _with(base, Outcome.NODATA, "the figure compared with is 0")
        change = (obs.value - prev.value) / abs(prev.value) * 100.0
        unit = " %"
    return _bounds(rule, change, base, f"change {change:+.1f}{unit} vs {prev.period.key}")


def _year_before(period: Period) -> datetime | None:
    if period.kind is PeriodKind.INSTANT:
        return None
    start = period.start
    try:
        return start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year - 1, day=28)


def _source(rule: AlertRule, source_id: str, snap: Snapshot) -> Finding:
    health = snap.health().get(source_id)
    base = Finding(subject=source_id, outcome=Outcome.OK, source=source_id)
    if rule.breaker and snap.breaker_open(source_id):
        return _with(base, Outcome.ALERTING, "circuit breaker open")
    if health is None or health.last_run is None:
        return _with(base, Outcome.NODATA, "never run")
    failures = health.consecutive_failures
    if failures >= rule.failures:
        return _with(base, Outcome.ALERTING, f"{failures} failed runs in a row")
    return _with(base, Outcome.OK, f"{failures} failed runs in a row")


def _described(ind: Indicator, obs: Observation | None, lang: str, snap: Snapshot) -> Finding:
    ytd = ind.measure in (MeasureKind.YTD, MeasureKind.RATIO)
    pace: str | None = None
    if obs is not None and obs.value is not None and ind.target is not None:
        behind = snap.behind(ind, obs.value)
        if behind is not None:
            pace = _pace_words(behind, lang)
    return Finding(
        subject=ind.id,
        outcome=Outcome.OK,
        indicator_id=ind.id,
        value=obs.value if obs else None,
        period=obs.period.key if obs else None,
        period_label=obs.period.label(lang, year_to_date=ytd) if obs else None,
        source=obs.source if obs else (ind.source or None),
        demo=bool(obs and obs.demo),
        target=ind.target.value if ind.target else None,
        pace=pace,
    )


def _pace_words(behind: float, lang: str) -> str:
    if behind <= 0:
        return "进度正常" if lang == "zh" else "on track"
    return f"落后 {behind:.1f} 个百分点" if lang == "zh" else f"behind by {behind:.1f} pp"


def _with(base: Finding, outcome: Outcome, detail: str) -> Finding:
    # Spelt out: dataclasses.replace costs several times more, and this runs per subject.
    return Finding(
        base.subject,
        outcome,
        base.indicator_id,
        base.value,
        base.period,
        base.period_label,
        base.source,
        base.demo,
        base.target,
        base.pace,
        detail,
    )
