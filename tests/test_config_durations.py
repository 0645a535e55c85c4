"""Duration strings: parsing, formatting, and that each reads back the other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lishi_tui.config.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250ms", timedelta(milliseconds=250)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1m500ms", timedelta(minutes=1, milliseconds=500)),
        (" 2h 5s ", timedelta(hours=2, seconds=5)),
        ("1.5s", timedelta(milliseconds=1500)),
        ("0s", timedelta()),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5", "s", "1 hour", "-5s", "5x", "1h30", "ms", "1w"])
def test_parse_duration_rejects_with_a_readable_message(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration; write a number and a unit"):
        parse_duration(text)


def test_parse_duration_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="got int"):
        parse_duration(30)  # type: ignore[arg-type]


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=1, minutes=30)) == "1h30m"
    assert format_duration(timedelta(milliseconds=250)) == "250ms"
    assert format_duration(timedelta(days=2, seconds=1)) == "2d1s"
    assert format_duration(timedelta()) == "0s"
    with pytest.raises(ValueError):
        format_duration(timedelta(seconds=-1))


@given(st.integers(min_value=0, max_value=10**12))
def test_format_then_parse_round_trips(ms: int) -> None:
    td = timedelta(milliseconds=ms)
    assert parse_duration(format_duration(td)) == td


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10_000), st.sampled_from(["d", "h", "m", "s", "ms"])
        ),
        min_size=1,
        max_size=5,
    )
)
def test_parse_then_format_is_canonical(parts: list[tuple[int, str]]) -> None:
    td = parse_duration("".join(f"{n}{unit}" for n, unit in parts))
    assert parse_duration(format_duration(td)) == td
    assert format_duration(td) == format_duration(parse_duration(format_duration(td)))
