"""[alerts.<id>] tables: valid ones become rules, every mistake a located issue with a hint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lishi_tui.alerts.config import parse_alerts, rules_of
from lishi_tui.alerts.rules import ChangeBasis, Kind, NoDataPolicy, Severity, StatusLevel
from lishi_tui.config.errors import ConfigError
from tests.support.alerting import config


def issues(tmp_path: Path, rules: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        config(tmp_path, rules)
    return [str(i) for i in info.value.issues]


def test_every_kind_parses_with_its_options(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        """
[alerts.gdp_low]
kind = "threshold"
indicators = ["gdp_growth"]
status = "red"
severity = "critical"
for = "10m"
keep_firing_for = "1h"
notify = ["ops"]

[alerts.greening_pace]
kind = "pace"
indicators = ["*"]
margin = 5

[alerts.retail_drop]
kind = "change"
indicators = ["retail"]
below = -10
basis = "yoy"
no_data = "ok"

[alerts.monthly_stale]
kind = "stale"
tags = []
indicators = ["greening", "retail"]
demo = true

[alerts.stats_failing]
kind = "source"
sources = ["stats"]
failures = 2
breaker = true
""",
    )
    r = rules_of(cfg)
    assert r["gdp_low"].kind is Kind.THRESHOLD and r["gdp_low"].status is StatusLevel.RED
    assert r["gdp_low"].severity is Severity.CRITICAL
    assert r["gdp_low"].for_ == timedelta(minutes=10)
    assert r["gdp_low"].keep_firing_for == timedelta(hours=1)
    assert r["gdp_low"].notify == ("ops",)
    # "*" keeps only the indicators a pace rule can judge (baseline, target, deadline)
    assert r["greening_pace"].indicators == ("greening",)
    assert r["retail_drop"].basis is ChangeBasis.YOY and r["retail_drop"].below == -10.0
    assert r["retail_drop"].no_data is NoDataPolicy.OK
    assert r["monthly_stale"].demo and r["monthly_stale"].indicators == ("greening", "retail")
    assert r["stats_failing"].sources == ("stats",) and r["stats_failing"].failures == 2
    assert "status >= red" in r["gdp_low"].text and "for 10m" in r["gdp_low"].text


def test_mistakes_are_located_with_did_you_mean(tmp_path: Path) -> None:
    found = issues(
        tmp_path,
        """
[alerts.a]
kind = "threshhold"

[alerts.b]
kind = "threshold"
indicators = ["gdp_grwth"]
below = 6
severty = "critical"

[alerts.c]
kind = "pace"
indicators = ["retail"]
margin = 5

[alerts.d]
kind = "change"
indicators = ["retail"]
margin = 3
""",
    )
    text = "\n".join(found)
    lines = (Path(tmp_path / "lishi.toml").read_text(encoding="utf-8")).splitlines()

    def line_of(needle: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if needle in line)

    assert f"lishi.toml:{line_of('threshhold')}: alerts.a.kind:" in text
    assert "(did you mean 'threshold'?)" in text
    assert f"lishi.toml:{line_of('gdp_grwth')}: alerts.b.indicators[0]: unknown indicator" in text
    assert "did you mean 'gdp_growth'" in text
    assert f"lishi.toml:{line_of('severty')}: alerts.b.severty: unknown key" in text
    assert "did you mean 'severity'" in text
    assert "alerts.c.indicators: retail: a pace rule needs the indicator's baseline" in text
    assert "alerts.d.margin: not an option of change rules" in text
    assert "alerts.d: a change rule needs above and/or below" in text


def test_missing_options_and_bad_values(tmp_path: Path) -> None:
    found = "\n".join(
        issues(
            tmp_path,
            """
[alerts.t]
kind = "threshold"
indicators = ["retail"]

[alerts.u]
kind = "threshold"
indicators = ["retail"]
status = "amber"

[alerts.v]
kind = "stale"
indicators = ["retail"]
for = "soon"

[alerts.w]
kind = "source"
failures = 0
sources = ["nope"]

[alerts.x]
kind = "stale"
""",
        )
    )
    assert "alerts.t: a threshold rule needs status" in found
    assert "alerts.u.indicators: retail: has no [indicators.<id>.thresholds]" in found
    assert "alerts.v.for: 'soon' is not a duration" in found
    assert "alerts.w.failures: expected a whole number of runs, at least 1, got 0" in found
    assert "alerts.w.sources[0]: unknown source 'nope'" in found
    assert "alerts.x: name its indicators" in found


def test_notify_is_checked_against_the_configured_notifiers() -> None:
    seen: list[tuple[tuple[str | int, ...], str, str | None]] = []
    rules = parse_alerts(
        {"r": {"kind": "stale", "indicators": ["*"], "notify": ["wecom-ops", "mail"]}},
        lambda path, message, hint: seen.append((path, message, hint)),
        indicators={},
        sources=[],
        notifiers=["wecom_ops", "mail"],
    )
    assert rules == {}
    assert seen[0][0] == ("alerts", "r", "notify", 0)
    assert "no notifier 'wecom-ops'" in seen[0][1] and seen[0][2] == "wecom_ops"


def test_a_config_without_alerts_has_none(tmp_path: Path) -> None:
    assert rules_of(config(tmp_path, "")) == {}
