"""The indicator model: what is tracked (Indicator) and what was measured (Reading, Observation)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from lishi_tui.domain.periods import Period


class Direction(StrEnum):
    """Whether a larger value is better (GDP growth) or worse (emissions)."""

    HIGHER = "higher"
    LOWER = "lower"


class Frequency(StrEnum):
    """How often a new figure is expected."""

    REALTIME = "realtime"
    DAILY = "daily"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class MeasureKind(StrEnum):
    """What a value means."""

    LEVEL = "level"  # a stock or a count at a moment
    YTD = "ytd"  # cumulative since the start of the year
    YOY = "yoy"  # year-on-year change, %
    SHARE = "share"  # a share of a whole, %
    RATIO = "ratio"  # numerator / denominator, e.g. 1581 of 1787


class ObservationStatus(StrEnum):
    """The publisher's own flag on a figure."""

    NORMAL = "normal"
    PROVISIONAL = "provisional"  # preliminary: the publisher may revise it
    ESTIMATED = "estimated"  # estimated, imputed or forecast
    BREAK = "break"  # a break in the series: not comparable with the periods before
    MISSING = "missing"  # no figure (not yet published, confidential, or none exists)


class Qualifier(StrEnum):
    """How exact a published figure is: reports say "two-digit growth" or "18000+ jobs"."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    ABOUT = "about"

    @property
    def symbol(self) -> str:
        return {"exact": "", "at_least": "≥", "at_most": "≤", "about": "≈"}[self.value]


class Rag(StrEnum):
    """Red/amber/green status; NONE where no thresholds apply or no value exists."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


class ThresholdMode(StrEnum):
    """Whether threshold bounds are absolute values or percentages of the target."""

    ABSOLUTE = "absolute"
    PERCENT_OF_TARGET = "percent_of_target"


@dataclass(frozen=True)
class Thresholds:
    """Bounds for green and amber; anything beyond amber is red.

    For higher-is-better a value at or above ``green`` is green; for lower-is-better
    a value at or below ``green`` is green. ``amber`` works the same way.
    """

    green: float
    amber: float
    mode: ThresholdMode = ThresholdMode.ABSOLUTE


def in_language(zh: str, en: str, lang: str) -> str:
    """A text given in Chinese and English, in ``lang`` ("zh" or "en"), else in the other."""
    if lang == "en":
        return en or zh
    return zh or en


@dataclass(frozen=True)
class Target:
    """The value to reach and when; ``source`` says where the target comes from."""

    value: float
    deadline: date | None = None
    note: str = ""  # where the target comes from, in Chinese (the default UI language)
    note_en: str = ""  # the same in English; each language falls back to the other

    def note_text(self, lang: str = "zh") -> str:
        """The note in ``lang`` ("zh" or "en"), else in the other language."""
        return in_language(self.note, self.note_en, lang)


@dataclass(frozen=True)
class Annotation:
    """An operator's remark on an indicator (口径调整, a known gap), with who wrote it and when."""

    text: str
    author: str
    at: datetime  # with its time zone


@dataclass(frozen=True)
class Baseline:
    """The starting point a target is measured from."""

    value: float
    on: date


@dataclass(frozen=True)
class Indicator:
    """One tracked figure and everything needed to judge it."""

    id: str
    name_zh: str
    name_en: str
    unit: str = ""
    unit_en: str = ""
    multiplier: float = 1.0  # size of one display unit in base units (亿元 = 1e8 yuan)
    decimals: int = 1
    direction: Direction = Direction.HIGHER
    frequency: Frequency = Frequency.YEARLY
    measure: MeasureKind = MeasureKind.LEVEL
    baseline: Baseline | None = None
    target: Target | None = None
    thresholds: Thresholds | None = None
    stale_after: timedelta | None = None  # overrides the frequency's default allowance
    page: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""  # id of the configured source that feeds it
    description: str = ""
    plugin: str = ""  # the plugin that defined it, or "config"
    annotations: tuple[Annotation, ...] = ()  # oldest first, as the config lists them

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else (self.name_en or self.name_zh)

    def unit_label(self, lang: str = "zh") -> str:
        return self.unit if lang == "zh" else (self.unit_en or self.unit)


@dataclass(frozen=True)
class Reading:
    """A value as a source returns it, before the collector stamps source and fetch time.

    For a ratio give ``numerator`` and ``denominator``; ``value`` is then derived as a
    percentage when not given.
    """

    indicator: str
    period: Period
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: ObservationStatus = ObservationStatus.NORMAL
    qualifier: Qualifier = Qualifier.EXACT
    origin: str = ""  # URL or file the figure came from
    demo: bool = False  # synthetic: never to be shown as a real figure
    # A remark on the figure ("截至2021年10月底"): ``note`` in Chinese, the dashboard's default
    # language, and ``note_en`` its English form for the English UI. Either may be empty:
    # each language falls back to the other (a note in one language only is shown in both).
    note: str = ""
    note_en: str = ""
    # The unit the publisher states for ``value`` (a header's "(万元)", a 单位 column, an API's
    # unit field), after any ``scale`` the source applied (see ``lishi_tui.domain.units``).
    # The collector refuses a run whose stated unit contradicts the indicator's; it is
    # checked, not stored. "" when the publisher states none.
    unit: str = ""

    def __post_init__(self) -> None:
        value = self.value
        if (
            type(value) is float
            and self.numerator is None
            and self.denominator is None
            and math.isfinite(value)
        ):
            return  # the common case (a finite float alone): nothing below would change it
        for name in ("value", "numerator", "denominator"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not math.isfinite(float(v))):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
            if v is not None:
                object.__setattr__(self, name, float(v))
        if self.value is None and self.numerator is not None and self.denominator:
            object.__setattr__(self, "value", self.numerator / self.denominator * 100.0)
        if self.value is None and self.status is not ObservationStatus.MISSING:
            object.__setattr__(self, "status", ObservationStatus.MISSING)

    def note_text(self, lang: str = "zh") -> str:
        """The note in ``lang`` ("zh" or "en"), else in the other language."""
        return in_language(self.note, self.note_en, lang)


@dataclass(frozen=True)
class Observation:
    """A stored figure with its provenance. A revised figure is a new revision."""

    reading: Reading
    source: str
    fetched_at: datetime
    revision: int = 1
    fetch_url: str = ""

    @property
    def indicator(self) -> str:
        return self.reading.indicator

    @property
    def period(self) -> Period:
        return self.reading.period

    @property
    def value(self) -> float | None:
        return self.reading.value

    @property
    def demo(self) -> bool:
        return self.reading.demo

    def with_revision(self, revision: int) -> Observation:
        return replace(self, revision=revision)


@dataclass(frozen=True)
class SourceRunOutcome:
    """What one run of a source produced, as the fetch log keeps it."""

    source: str
    started_at: datetime
    duration_s: float
    ok: bool
    error: str = ""
    bytes_received: int = 0
    readings: int = 0
    new_observations: int = 0
    skipped: tuple[str, ...] = field(default_factory=tuple)  # readings dropped, with reasons
