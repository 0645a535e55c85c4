"""Alert rules as frozen, typed objects: what ``[alerts.<id>]`` tables become."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from lishi_tui.config.durations import format_duration


class Kind(StrEnum):
    """What a rule watches."""

    THRESHOLD = "threshold"  # RAG status reaches amber/red, or a value crosses a bound
    PACE = "pace"  # behind the on-track path to the target by more than a margin
    CHANGE = "change"  # period-on-period or year-on-year change beyond a bound
    STALE = "stale"  # the next figure is overdue by the publication schedule
    SOURCE = "source"  # a source failed N runs in a row, or its breaker is open


class Severity(StrEnum):
    """How loud an alert is; the order is the order of the header badge."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class NoDataPolicy(StrEnum):
    """What a rule does when there is no figure to judge (Grafana's "no data" handling)."""

    NODATA = "nodata"  # a NoData state of its own, notified as such
    ALERTING = "alerting"  # treat as the condition holding
    OK = "ok"  # treat as the condition not holding
    KEEP_LAST = "keep_last"  # leave the state as it was


class ErrorPolicy(StrEnum):
    """What a rule does when evaluating it fails (Grafana's "error" handling)."""

    ERROR = "error"
    ALERTING = "alerting"
    OK = "ok"
    KEEP_LAST = "keep_last"


class StatusLevel(StrEnum):
    """For ``threshold`` rules on the RAG status: amber means amber or red."""

    AMBER = "amber"
    RED = "red"


class ChangeBasis(StrEnum):
    """What a ``change`` rule compares the newest figure with."""

    PREVIOUS = "previous"  # the period before
    YOY = "yoy"  # the same period a year before


DEFAULT_REPEAT = timedelta(hours=4)
DEFAULT_FAILURES = 3


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One ``[alerts.<id>]`` table, validated; ``text`` is how the rule reads, kept in history."""

    id: str
    kind: Kind
    severity: Severity = Severity.WARNING
    indicators: tuple[str, ...] = ()  # resolved ids (``*``, pages and tags expanded)
    sources: tuple[str, ...] = ()  # for ``source`` rules
    for_: timedelta = timedelta()
    keep_firing_for: timedelta = timedelta()
    repeat_interval: timedelta = DEFAULT_REPEAT
    no_data: NoDataPolicy = NoDataPolicy.NODATA
    on_error: ErrorPolicy = ErrorPolicy.ERROR
    notify: tuple[str, ...] = ()
    demo: bool = False
    title: str = ""  # a person's name for the rule; the id when empty
    # kind options
    status: StatusLevel | None = None
    above: float | None = None
    below: float | None = None
    margin: float | None = None  # percentage points of the way to the target
    basis: ChangeBasis = ChangeBasis.PREVIOUS
    failures: int = DEFAULT_FAILURES
    breaker: bool = False  # also fire when the source's breaker is open

    @property
    def text(self) -> str:
        """The condition in one line, as history keeps it (not translated: it is the rule)."""
        parts = [f"{self.id}: {self.kind.value}"]
        if self.kind is Kind.THRESHOLD and self.status is not None:
            parts.append(f"status >= {self.status.value}")
        if self.kind in (Kind.THRESHOLD, Kind.CHANGE):
            if self.kind is Kind.CHANGE:
                parts.append(f"basis {self.basis.value}")
            if self.above is not None:
                parts.append(f"above {self.above:g}")
            if self.below is not None:
                parts.append(f"below {self.below:g}")
        if self.kind is Kind.PACE and self.margin is not None:
            parts.append(f"behind by more than {self.margin:g} pp")
        if self.kind is Kind.SOURCE:
            parts.append(
                f"{self.failures} failed runs" + (" or breaker open" if self.breaker else "")
            )
        if self.for_:
            parts.append(f"for {format_duration(self.for_)}")
        if self.keep_firing_for:
            parts.append(f"keep firing for {format_duration(self.keep_firing_for)}")
        parts.append(self.severity.value)
        if self.demo:
            parts.append("demo")
        return ", ".join(parts)
