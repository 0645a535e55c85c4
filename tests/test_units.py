"""Units as publishers state them, against an indicator's unit and multiplier.

Every expected power and scale is worked out by hand: 万 = 10^4, 亿 = 10^8, so a figure in 万元
shown in 亿元 must be multiplied by 10^4 / 10^8 = 0.0001.
"""

from __future__ import annotations

import pytest

from lishi_tui.domain.units import Unit, conflict, literal, parse_unit, rescaled, spelled


@pytest.mark.parametrize(
    ("text", "power", "base"),
    [
        ("万元", 4, "元"),
        ("亿元", 8, "元"),
        ("元", 0, "元"),
        ("万亿元", 12, "元"),
        ("千万元", 7, "元"),
        ("十亿美元", 9, "美元"),
        ("万千瓦时", 7, "瓦时"),  # 10^4 kWh = 10^7 Wh
        ("亿千瓦时", 11, "瓦时"),
        ("万人次", 4, "人次"),
        ("千公顷", 3, "公顷"),
        ("万元/人", 4, "元/人"),
        ("亿元人民币", 8, "元"),
        ("单位：万元", 4, "元"),
        ("Unit of measure: 万元", 4, "元"),
        ("计量单位:亿元", 8, "元"),
        ("（万元）", 4, "元"),
        ("万 元", 4, "元"),
        ("万", 4, ""),
        ("百万", 6, ""),
        ("%", -2, "%"),
        ("％", -2, "%"),  # fullwidth, as Chinese input methods type it
        ("百分比", -2, "%"),  # a word, not 百 × "分比"
        ("百分点", -2, "%"),
        ("个百分点", -2, "%"),
        ("‰", -3, "%"),
        ("千分比", -3, "%"),
        ("Percent", -2, "%"),
        ("ratio", 0, "%"),  # a share written 0.88
        ("上年同月=100", 0, "上年同月=100"),  # a bracket that holds no unit: read as is
        ("", 0, ""),
    ],
)
def test_parse_unit(text: str, power: int, base: str) -> None:
    assert parse_unit(text) == Unit(power, base)


def test_amounts_and_percentages() -> None:
    assert parse_unit("万元").amount and parse_unit("人").amount and parse_unit("吨").amount
    assert parse_unit("元/人").amount
    assert not parse_unit("%").amount and parse_unit("%").percent
    assert not parse_unit("现价").amount  # an unknown word is no amount
    assert not parse_unit("万").amount  # a bare magnitude is neither


@pytest.mark.parametrize(
    ("stated", "scale", "expected"),
    [
        ("万元", 1.0, "万元"),
        ("万元", 0.0001, "亿元"),
        ("万元", 10000.0, "元"),
        ("元", 1e-8, "亿元"),
        ("万元", 10.0, "千元"),
        ("%", 10.0, "‰"),
        ("ratio", 100.0, "%"),
        ("万元", 15.0, ""),  # not a power of ten: no unit is claimed
        ("元", 100.0, ""),  # 分 is not spelled: no unit is claimed
        ("", 0.0001, ""),
    ],
)
def test_rescaled(stated: str, scale: float, expected: str) -> None:
    assert rescaled(stated, scale) == expected


def test_spelled() -> None:
    assert spelled(Unit(8, "元")) == "亿元"
    assert spelled(Unit(12, "元")) == "万亿元"
    assert spelled(Unit(-2, "%")) == "%"
    assert spelled(Unit(-1, "元")) == ""
    assert spelled(Unit(13, "元")) == ""


def test_units_that_agree_are_no_conflict() -> None:
    assert conflict("亿元", "亿元") is None
    assert conflict("亿元人民币", "亿元") is None
    assert conflict("万元", "亿元", multiplier=10000) is None  # stored in 万元, shown in 亿元
    assert conflict("元", "亿元", multiplier=1e8) is None  # stored in 元, shown in 亿元
    assert conflict("%", "百分比") is None
    assert conflict("%", "个百分点") is None


def test_a_magnitude_mismatch_is_refused_with_the_scale_that_fixes_it() -> None:
    found = conflict("万元", "亿元")
    assert found is not None and found.scale == pytest.approx(0.0001)
    assert "10,000× too large" in found.reason
    # An indicator stored in 元 and shown in 亿元 (multiplier 1e8) fed figures in 亿元:
    # each would be shown 10^8 times too small; the scale is 1e8.
    found = conflict("亿元", "亿元", multiplier=1e8)
    assert found is not None and found.scale == pytest.approx(1e8)
    assert "100,000,000× too small" in found.reason
    found = conflict("万千瓦时", "亿千瓦时")
    assert found is not None and found.scale == pytest.approx(1e-4)
    found = conflict("ratio", "%")  # a Prometheus *_ratio metric shown in %
    assert found is not None and found.scale == pytest.approx(100)
    assert "100× too small" in found.reason
    found = conflict("‰", "%")
    assert found is not None and found.scale == pytest.approx(0.1)
    # 15 mu to the hectare: an indicator shown in 公顷 and stored in 亩, fed 公顷.
    found = conflict("公顷", "公顷", multiplier=15)
    assert found is not None and found.scale == pytest.approx(15)
    assert "15× too small" in found.reason


def test_a_percentage_read_into_an_amount_is_refused() -> None:
    for stated, unit in (("%", "亿元"), ("亿元", "%"), ("百分比", "万人"), ("%", "人")):
        found = conflict(stated, unit)
        assert found is not None and found.scale is None, (stated, unit)
        assert "percentage is not an amount" in found.reason


@pytest.mark.parametrize(
    ("stated", "unit"),
    [
        ("亿美元", "亿元"),  # another currency: not provably wrong
        ("亩", "公顷"),
        ("上年同月=100", "%"),
        ("现价", "亿元"),
        ("%", "分"),  # a score is not known to be an amount
        ("", "亿元"),
        ("亿元", ""),
        ("万元", "亿元/人"),
    ],
)
def test_pairs_that_cannot_be_compared_are_left_alone(stated: str, unit: str) -> None:
    assert conflict(stated, unit) is None


def test_literal() -> None:
    assert literal(0.0001) == "0.0001"
    assert literal(10000.0) == "10000"
    assert literal(1e-8) == "1e-08"
    assert literal(15.0) == "15"
