"""The alert state machine: every state and outcome, then properties over random sequences."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lishi_tui.alerts.rules import AlertRule, ErrorPolicy, Kind, NoDataPolicy
from lishi_tui.alerts.state import (
    FIRING,
    RESOLVED,
    Instance,
    Outcome,
    State,
    due,
    effective,
    mark_sent,
    outward,
    step,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
S = timedelta(seconds=1)
RULE = AlertRule(id="r", kind=Kind.THRESHOLD, for_=60 * S, keep_firing_for=30 * S)


def at(seconds: float) -> datetime:
    return T0 + seconds * S


def inst(state: State, *, active: float = 0, last: float = 0) -> Instance:
    if state is State.NORMAL:
        return Instance()
    return Instance(
        state=state,
        since=at(active),
        active_at=at(active) if state in (State.PENDING, State.FIRING, State.RECOVERING) else None,
        last_alerting_at=at(last)
        if state in (State.PENDING, State.FIRING, State.RECOVERING)
        else None,
        episode_at=at(active),
    )


# (from state, outcome, seconds since active_at / last alerting, expected state)
TABLE = [
    (State.NORMAL, Outcome.OK, 10, State.NORMAL),
    (State.NORMAL, Outcome.ALERTING, 10, State.PENDING),
    (State.NORMAL, Outcome.NODATA, 10, State.NODATA),
    (State.NORMAL, Outcome.ERROR, 10, State.ERROR),
    (State.PENDING, Outcome.OK, 10, State.NORMAL),
    (State.PENDING, Outcome.ALERTING, 59, State.PENDING),
    (State.PENDING, Outcome.ALERTING, 60, State.FIRING),
    (State.PENDING, Outcome.NODATA, 10, State.NODATA),
    (State.PENDING, Outcome.ERROR, 10, State.ERROR),
    (State.FIRING, Outcome.ALERTING, 500, State.FIRING),
    (State.FIRING, Outcome.OK, 29, State.RECOVERING),
    (State.FIRING, Outcome.OK, 30, State.NORMAL),
    (State.FIRING, Outcome.NODATA, 10, State.NODATA),
    (State.FIRING, Outcome.ERROR, 10, State.ERROR),
    (State.RECOVERING, Outcome.OK, 29, State.RECOVERING),
    (State.RECOVERING, Outcome.OK, 30, State.NORMAL),
    (State.RECOVERING, Outcome.ALERTING, 10, State.FIRING),
    (State.RECOVERING, Outcome.NODATA, 10, State.NODATA),
    (State.RECOVERING, Outcome.ERROR, 10, State.ERROR),
    (State.NODATA, Outcome.NODATA, 10, State.NODATA),
    (State.NODATA, Outcome.OK, 10, State.NORMAL),
    (State.NODATA, Outcome.ALERTING, 10, State.PENDING),
    (State.NODATA, Outcome.ERROR, 10, State.ERROR),
    (State.ERROR, Outcome.ERROR, 10, State.ERROR),
    (State.ERROR, Outcome.OK, 10, State.NORMAL),
    (State.ERROR, Outcome.ALERTING, 10, State.PENDING),
    (State.ERROR, Outcome.NODATA, 10, State.NODATA),
]


@pytest.mark.parametrize(("start", "outcome", "elapsed", "expected"), TABLE)
def test_every_state_and_outcome(
    start: State, outcome: Outcome, elapsed: float, expected: State
) -> None:
    before = inst(start)
    after = step(before, outcome, at(elapsed), RULE)
    assert after.state is expected
    if expected is State.NORMAL:
        assert after.episode_at is None and after.active_at is None
    elif start is not State.NORMAL:
        assert after.episode_at == before.episode_at  # still the same episode


def test_every_pair_is_in_the_table() -> None:
    pairs = {(s, o) for s, o, _, _ in TABLE}
    assert pairs == {(s, o) for s in State for o in Outcome}


def test_for_zero_fires_at_once_and_keeps_since() -> None:
    rule = replace(RULE, for_=timedelta())
    fired = step(Instance(), Outcome.ALERTING, at(0), rule)
    assert fired.state is State.FIRING and fired.since == at(0)
    again = step(fired, Outcome.ALERTING, at(5), rule)
    assert again.since == at(0) and again.last_alerting_at == at(5)


def test_pending_to_firing_restarts_since_and_recovering_keeps_it() -> None:
    p = step(Instance(), Outcome.ALERTING, at(0), RULE)
    f = step(p, Outcome.ALERTING, at(60), RULE)
    assert (p.state, f.state, f.since, f.active_at) == (State.PENDING, State.FIRING, at(60), at(0))
    r = step(f, Outcome.OK, at(70), RULE)
    assert r.state is State.RECOVERING and r.since == at(60)
    back = step(r, Outcome.ALERTING, at(80), RULE)
    assert back.state is State.FIRING and back.since == at(60)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (NoDataPolicy.NODATA, State.NODATA),
        (NoDataPolicy.ALERTING, State.PENDING),
        (NoDataPolicy.OK, State.NORMAL),
        (NoDataPolicy.KEEP_LAST, State.FIRING),
    ],
)
def test_no_data_handling(policy: NoDataPolicy, expected: State) -> None:
    rule = replace(RULE, no_data=policy)
    firing = inst(State.FIRING)
    after = step(firing, Outcome.NODATA, at(1000), rule)
    # From Firing, "alerting" keeps it firing; from Normal it starts Pending.
    if policy is NoDataPolicy.ALERTING:
        assert after.state is State.FIRING
        assert step(Instance(), Outcome.NODATA, at(0), rule).state is State.PENDING
    else:
        assert after.state is expected
    if policy is NoDataPolicy.KEEP_LAST:
        assert after is firing


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (ErrorPolicy.ERROR, Outcome.ERROR),
        (ErrorPolicy.ALERTING, Outcome.ALERTING),
        (ErrorPolicy.OK, Outcome.OK),
        (ErrorPolicy.KEEP_LAST, None),
    ],
)
def test_error_handling(policy: ErrorPolicy, expected: Outcome | None) -> None:
    assert effective(Outcome.ERROR, replace(RULE, on_error=policy)) is expected
    assert effective(Outcome.OK, replace(RULE, on_error=policy)) is Outcome.OK


def test_notices_per_channel_change_repeat_ack_silence() -> None:
    rule = replace(RULE, for_=timedelta(), repeat_interval=3600 * S)
    firing = step(Instance(), Outcome.ALERTING, at(0), rule)
    first = due(firing, "wecom", at(0), rule)
    assert first is not None and (first.state, first.repeat) == (FIRING, False)
    sent = mark_sent(firing, first, at(0))
    assert due(sent, "wecom", at(3599), rule) is None
    # another channel that has not been told yet is still due
    assert due(sent, "email", at(1), rule) is not None
    repeat = due(sent, "wecom", at(3600), rule)
    assert repeat is not None and repeat.repeat
    assert due(sent, "wecom", at(3600), rule, acknowledged=True) is None
    assert due(sent, "wecom", at(3600), rule, silenced=True) is None
    resolved = step(sent, Outcome.OK, at(4000), rule)
    notice = due(resolved, "wecom", at(4000), rule, acknowledged=True)
    assert notice is not None and notice.state == RESOLVED  # an ack never hides a change
    done = mark_sent(resolved, notice, at(4000))
    assert due(done, "wecom", at(99999), rule) is None
    # a channel that never heard of the firing is not told it resolved
    assert due(resolved, "email", at(4000), rule) is None


def test_pending_is_never_notified() -> None:
    pending = step(Instance(), Outcome.ALERTING, at(0), RULE)
    assert outward(pending.state) is None
    assert due(pending, "c", at(1), RULE) is None


# ------------------------------------------------------------------ properties

outcomes = hs.sampled_from(list(Outcome))
sequences = hs.lists(
    hs.tuples(outcomes, hs.integers(min_value=1, max_value=120), hs.booleans(), hs.booleans()),
    min_size=1,
    max_size=60,
)
timings = hs.tuples(
    hs.integers(min_value=0, max_value=200),  # for
    hs.integers(min_value=0, max_value=200),  # keep_firing_for
    hs.integers(min_value=1, max_value=600),  # repeat interval
    hs.sampled_from(list(NoDataPolicy)),
    hs.sampled_from(list(ErrorPolicy)),
)


@settings(max_examples=400)
@given(seq=sequences, timing=timings)
def test_properties_over_sequences(
    seq: list[tuple[Outcome, int, bool, bool]],
    timing: tuple[int, int, int, NoDataPolicy, ErrorPolicy],
) -> None:
    for_s, kff_s, repeat_s, no_data, on_error = timing
    rule = replace(
        RULE,
        for_=for_s * S,
        keep_firing_for=kff_s * S,
        repeat_interval=repeat_s * S,
        no_data=no_data,
        on_error=on_error,
    )
    state = Instance()
    now = T0
    run_start: datetime | None = None  # first of the current unbroken run of alerting outcomes
    last_alerting: datetime | None = None
    last_sent: tuple[str, datetime] | None = None
    for outcome, gap, acked, silenced in seq:
        now += gap * S
        eff = effective(outcome, rule)
        before = state
        state = step(state, outcome, now, rule)
        if eff is Outcome.ALERTING:
            run_start = run_start or now
            last_alerting = now
        elif eff is not None:
            run_start = None

        # No Firing before `for` has passed since the condition began to hold.
        if state.state is State.FIRING and before.state not in (State.FIRING, State.RECOVERING):
            assert run_start is not None and now - run_start >= rule.for_
        # Flapping is held: Firing only resolves once keep_firing_for has passed since the
        # condition last held.
        if before.state in (State.FIRING, State.RECOVERING) and state.state is State.NORMAL:
            assert last_alerting is not None and now - last_alerting >= rule.keep_firing_for
        # Pending never outlives `for` while the condition keeps holding.
        if state.state is State.PENDING and eff is Outcome.ALERTING:
            assert state.active_at is not None and now - state.active_at < rule.for_

        notice = due(state, "c", now, rule, acknowledged=acked, silenced=silenced)
        if notice is not None:
            # No notification without a state change or the repeat interval.
            changed = last_sent is None or last_sent[0] != notice.state
            repeated = last_sent is not None and now - last_sent[1] >= rule.repeat_interval
            assert changed or (repeated and notice.repeat and not acked)
            assert not silenced
            state = mark_sent(state, notice, now)
            last_sent = (notice.state, now)
        else:
            # Nothing is lost: a change not sent is only ever one held by a silence.
            told = last_sent[0] if last_sent else None
            current = outward(state.state)
            if current is not None and current != told:
                assert silenced
            if current is None and told is not None and told != RESOLVED:
                assert silenced
