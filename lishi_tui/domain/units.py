"""Units as publishers state them ("万元", "亿千瓦时", "%"), compared with an indicator's.

A table headed ``社会消费品零售总额(万元)`` read into an indicator shown in 亿元 would be stored
10,000 times too large, and nothing about the figure would look wrong. Sources report the
unit a publisher states beside its figures (``Reading.unit``), and the collector refuses a
run whose stated unit contradicts the indicator's in a way this module can tell for sure:

- the two differ only in Chinese magnitude words (十 百 千 万 亿, combined: 千万 = 10^7,
  万亿 = 10^12, 万千瓦时 = 10^7 瓦时) and the indicator's ``multiplier`` with the source's
  ``scale`` do not make up the difference; the error gives the ``scale`` that would;
- one is a percentage (%, 百分比, 百分点, ‰) and the other an amount (元, 人, 万吨…): the wrong
  column.

Any other pair (亿美元 against 亿元, 亩 against 公顷, a bracket that holds no unit at all,
such as "上年同月=100") is left alone: only a contradiction this module can prove is refused.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

# Words read whole before any magnitude is taken off ("百分比" is not 百 × "分比").
_PERCENT_WORDS = {
    "%": -2,
    "百分比": -2,
    "百分点": -2,
    "个百分点": -2,
    "百分数": -2,
    "percent": -2,
    "per cent": -2,
    "pct": -2,
    "ratio": 0,  # Prometheus's and OpenMetrics' base unit for shares: 0.88, not 88
    "‰": -3,
    "千分比": -3,
    "千分点": -3,
    "千分数": -3,
}
PERCENT = "%"  # the base of every percentage word (a share of a whole)

_MAGNITUDES = {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}
_SPELLED = {
    0: "",
    1: "十",
    2: "百",
    3: "千",
    4: "万",
    5: "十万",
    6: "百万",
    7: "千万",
    8: "亿",
    9: "十亿",
    10: "百亿",
    11: "千亿",
    12: "万亿",
}

# Units of amounts: with a magnitude word or one of these (before any "/"), a unit is an
# amount, which a percentage column can never feed.
_AMOUNT_WORDS = (
    "元 美元 欧元 港元 日元 英镑 人 人次 户 个 家 项 亩 公顷 平方公里 平方米 立方米 吨 克",
    "米 公里 辆 件 台 套 张 次 所 座 名 份 只 头 株 棵 册 床 间 处 条 篇 起 宗 笔 单 位",
    "瓦 瓦时 度 焦耳 标准煤 吨标准煤 升 岗位 场 场次 栋 艘 架 部",
)
_AMOUNTS = frozenset(word for line in _AMOUNT_WORDS for word in line.split())

# The words a table or a text labels its unit with ("单位：万元", a "计量单位" column); the
# label is matched with spaces taken out, as `normalise` compares.
UNIT_LABELS = frozenset({"单位", "计量单位", "unit", "units", "unit of measure"})
_LABEL = re.compile(
    "^(?:"
    + "|".join(
        sorted((re.escape(w.replace(" ", "")) for w in UNIT_LABELS), key=lambda w: (-len(w), w))
    )
    + r")\s*[:：]?\s*",
    re.IGNORECASE,
)
_CURRENCY_SUFFIX = ("人民币",)


@dataclass(frozen=True)
class Unit:
    """A unit as ``10**power`` of ``base``: 万元 is (4, "元"), % is (-2, "%")."""

    power: int
    base: str

    @property
    def percent(self) -> bool:
        return self.base == PERCENT

    @property
    def amount(self) -> bool:
        if self.percent or not self.base:
            return False
        return self.power != 0 or self.base.split("/")[0] in _AMOUNTS


def normalise(text: str) -> str:
    """A unit as compared: NFKC (％ → %), no spaces, no "单位：" label, no trailing 人民币."""
    unit = "".join(unicodedata.normalize("NFKC", text).split())
    unit = _LABEL.sub("", unit).strip("()[]")
    for suffix in _CURRENCY_SUFFIX:
        if unit.endswith(suffix) and len(unit) > len(suffix):
            unit = unit.removesuffix(suffix)
            if unit.endswith(("万", "亿", "千", "百", "十")):
                unit += "元"  # 亿人民币 is 亿元
    return unit.lower() if unit.isascii() else unit


def parse_unit(text: str) -> Unit:
    """``"万千瓦时"`` → ``Unit(7, "瓦时")``; ``"%"`` → ``Unit(-2, "%")``; ``""`` → ``Unit(0, "")``.

    Magnitude words are taken off the front, one after another, as long as something is
    left after them; the percentage words are read whole first.
    """
    unit = normalise(text)
    if unit in _PERCENT_WORDS:
        return Unit(_PERCENT_WORDS[unit], PERCENT)
    power = 0
    rest = unit
    while len(rest) > 1 and rest[0] in _MAGNITUDES and rest not in _PERCENT_WORDS:
        power += _MAGNITUDES[rest[0]]
        rest = rest[1:]
    if rest in _PERCENT_WORDS:  # "万%" is no unit anyone writes: leave it unread
        return Unit(0, unit)
    if len(rest) == 1 and rest in _MAGNITUDES:  # "万", "百万": a bare magnitude
        power += _MAGNITUDES[rest]
        rest = ""
    return Unit(power, rest)


def spelled(unit: Unit) -> str:
    """A unit written out (``Unit(8, "元")`` → "亿元"), or "" when it has no usual spelling."""
    if unit.percent:
        return {0: "ratio", -2: "%", -3: "‰"}.get(unit.power, "")
    if unit.power not in _SPELLED or (not unit.base and unit.power == 0):
        return ""
    return _SPELLED[unit.power] + unit.base


def _power_of_ten(x: float) -> int | None:
    if x <= 0 or not math.isfinite(x):
        return None
    p = round(math.log10(x))
    return p if math.isclose(x, 10.0**p, rel_tol=1e-9) else None


@functools.lru_cache(maxsize=256)
def rescaled(stated: str, scale: float) -> str:
    """The unit of a figure stated in ``stated`` once multiplied by ``scale``: a source's
    ``scale = 0.0001`` turns 万元 into 亿元. "" when the result has no usual spelling (a
    scale that is not a power of ten, or 元 × 100), so that it is not checked."""
    if not stated or scale == 1:
        return stated
    p = _power_of_ten(scale)
    unit = parse_unit(stated)
    if p is None or not unit.base:
        return ""
    return spelled(Unit(unit.power - p, unit.base))


@dataclass(frozen=True)
class Conflict:
    """Why figures stated in one unit cannot be an indicator's, and the fix when there is one."""

    reason: str
    scale: float | None = None  # multiply the source's scale by this to put it right


def conflict(stated: str, unit: str, multiplier: float = 1.0) -> Conflict | None:
    """How figures stated in ``stated`` contradict an indicator shown in ``unit`` whose
    ``multiplier`` is the size of one shown unit in stored units, or None.

    None whenever the two cannot be compared for sure (either is empty or unknown, the
    bases differ): only a proven contradiction is refused.
    """
    if not stated or not unit or not multiplier > 0:
        return None
    a, b = parse_unit(stated), parse_unit(unit)
    if a.percent != b.percent:
        if (a.percent and b.amount) or (b.percent and a.amount):
            return Conflict(
                f"the publisher states {stated!r} and the indicator is in {unit!r}: "
                "a percentage is not an amount (is this the right column or series?)"
            )
        return None
    if a.base != b.base:  # both "" only for bare magnitudes (万 against 亿)
        return None
    # A figure x stated in a is shown as x / multiplier in b, which is right when
    # 10**a.power == 10**b.power / multiplier; the scale that makes it right is the ratio.
    fix = multiplier * 10.0 ** (a.power - b.power)
    if math.isclose(fix, 1.0, rel_tol=1e-9):
        return None
    shown = 1.0 / fix  # how many times too large a figure would be shown
    how = f"{_times(shown)} too large" if shown > 1 else f"{_times(1 / shown)} too small"
    return Conflict(
        f"the publisher states {stated!r} and the indicator is in {unit!r}"
        + (f" with multiplier {literal(multiplier)}" if multiplier != 1 else "")
        + f": its figures would be shown {how}",
        scale=fix,
    )


def literal(x: float) -> str:
    """A number as TOML takes it, without float noise: 10000, 0.0001, 1e-08."""
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _times(x: float) -> str:
    return f"{x:,.0f}×" if x >= 10 else f"{x:g}×"
