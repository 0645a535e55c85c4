"""The alert state machine (Grafana's): pure functions of the last state, an outcome and a clock.

Normal -> Pending -> Firing -> (Recovering ->) Normal, with ``for`` (how long the condition
must hold before Firing), ``keep_firing_for`` (how long Firing outlives the condition, so a
flapping figure does not resolve and fire again) and separate NoData and Error states.
What is sent to a channel is decided here too, per channel: a notice when the alert's
outward state differs from the last one that channel was told, or when the repeat
interval has passed for an alert still firing and not acknowledged. Nothing here reads a
clock or does I/O; the engine supplies ``now`` and persists what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from lishi_tui.alerts.rules import AlertRule


class State(StrEnum):
    """Where one alert instance is."""

    NORMAL = "normal"
    PENDING = "pending"  # the condition holds, ``for`` has not yet passed
    FIRING = "firing"
    RECOVERING = "recovering"  # the condition stopped holding; held Firing by keep_firing_for
    NODATA = "nodata"
    ERROR = "error"


class Outcome(StrEnum):
    """What one evaluation of a rule found for one subject."""

    OK = "ok"
    ALERTING = "alerting"
    NODATA = "nodata"
    ERROR = "error"


# What a channel is told: the outward state of an alert.
FIRING = "firing"
RESOLVED = "resolved"
NODATA = "nodata"
ERROR = "error"
PROBLEM_STATES = (FIRING, NODATA, ERROR)


@dataclass(frozen=True, slots=True)
class Sent:
    """The last notice one channel was sent about one alert."""

    channel: str
    state: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Instance:
    """The state of one alert (one rule on one indicator or source) between evaluations."""

    state: State = State.NORMAL
    since: datetime | None = None  # when the current outward state began
    active_at: datetime | None = None  # when the condition began to hold
    last_alerting_at: datetime | None = None  # the last evaluation where it held
    episode_at: datetime | None = None  # when it left Normal (an ack covers one episode)
    sent: tuple[Sent, ...] = ()

    def last_sent(self, channel: str) -> Sent | None:
        for s in self.sent:
            if s.channel == channel:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell one channel about one alert."""

    channel: str
    state: str  # FIRING, RESOLVED, NODATA or ERROR
    repeat: bool


_POLICY = {"alerting": Outcome.ALERTING, "ok": Outcome.OK, "keep_last": None}


def effective(outcome: Outcome, rule: AlertRule) -> Outcome | None:
    """The outcome after the rule's NoData / Error handling; None means keep the last state."""
    if outcome is Outcome.NODATA:
        return _POLICY.get(rule.no_data.value, outcome)
    if outcome is Outcome.ERROR:
        return _POLICY.get(rule.on_error.value, outcome)
    return outcome


def step(inst: Instance, outcome: Outcome, now: datetime, rule: AlertRule) -> Instance:
    """The instance after one evaluation at ``now`` found ``outcome``."""
    eff = effective(outcome, rule)
    if eff is None:
        return inst
    s = inst.state
    if eff is Outcome.ALERTING:
        if s is State.FIRING:
            return replace(inst, last_alerting_at=now)
        if s is State.RECOVERING:
            return replace(inst, state=State.FIRING, last_alerting_at=now)
        if s is State.PENDING:
            assert inst.active_at is not None
            if now - inst.active_at >= rule.for_:
                return replace(inst, state=State.FIRING, since=now, last_alerting_at=now)
            return replace(inst, last_alerting_at=now)
        episode = now if s is State.NORMAL else (inst.episode_at or now)
        state = State.FIRING if rule.for_ <= timedelta() else State.PENDING
        return replace(
            inst, state=state, since=now, active_at=now, last_alerting_at=now, episode_at=episode
        )
    if eff is Outcome.OK:
        if s is State.NORMAL:
            return inst
        if s in (State.FIRING, State.RECOVERING):
            held = inst.last_alerting_at is not None and now - inst.last_alerting_at < (
                rule.keep_firing_for
            )
            if held:
                return inst if s is State.RECOVERING else replace(inst, state=State.RECOVERING)
        return _normal(inst, now)
    target = State.NODATA if eff is Outcome.NODATA else State.ERROR
    if s is target:
        return inst
    episode = now if s is State.NORMAL else (inst.episode_at or now)
    return replace(
        inst, state=target, since=now, active_at=None, last_alerting_at=None, episode_at=episode
    )


def _normal(inst: Instance, now: datetime) -> Instance:
    return replace(
        inst,
        state=State.NORMAL,
        since=now,
        active_at=None,
        last_alerting_at=None,
        episode_at=None,
    )


def outward(state: State) -> str | None:
    """What a channel would call this state; None for Normal and Pending (nothing to say)."""
    if state in (State.FIRING, State.RECOVERING):
        return FIRING
    if state is State.NODATA:
        return NODATA
    if state is State.ERROR:
        return ERROR
    return None


def due(
    inst: Instance,
    channel: str,
    now: datetime,
    rule: AlertRule,
    *,
    acknowledged: bool = False,
    silenced: bool = False,
) -> Notice | None:
    """What ``channel`` should be sent about this alert now, if anything.

    A silenced alert sends nothing (a change while silenced is sent when the silence ends,
    if it still stands); an acknowledged one sends changes but no repeats.
    """
    if silenced:
        return None
    last = inst.last_sent(channel)
    state = outward(inst.state)
    if state is None:
        if last is not None and last.state in PROBLEM_STATES:
            return Notice(channel, RESOLVED, repeat=False)
        return None
    if last is None or last.state != state:
        return Notice(channel, state, repeat=False)
    if not acknowledged and now - last.at >= rule.repeat_interval:
        return Notice(channel, state, repeat=True)
    return None


def mark_sent(inst: Instance, notice: Notice, now: datetime) -> Instance:
    """The instance once ``notice`` reached its channel."""
    kept = tuple(s for s in inst.sent if s.channel != notice.channel)
    return replace(inst, sent=(*kept, Sent(notice.channel, notice.state, now)))
