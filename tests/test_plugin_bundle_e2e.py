"""The bundled config end to end: `fetch --once` then `show --json`, through the real CLI and SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.domain.model import Indicator
from lishi_tui.store.sqlite import SqliteStore
from tests.support.bundled import CONFIG, load_bundled

MINE = ("economy", "carbon", "greening", "waste_sorting", "livelihood", "governance", "air")

# Every figure the report publishes: (indicator, period) -> value, qualifier.
REPORT: dict[tuple[str, str], tuple[float, str]] = {
    ("gdp_growth", "2021"): (10, "at_least"),
    ("industry_va_growth", "2021"): (10, "at_least"),
    ("retail_sales_growth", "2021"): (10, "at_least"),
    ("tertiary_share", "2021"): (51, "exact"),
    ("transformation_projects", "2021"): (96, "exact"),
    ("transformation_investment", "2021"): (166, "exact"),
    ("one_visit_services", "2021"): (100, "exact"),
    ("city_lead_items_done", "2021-10"): (32 / 34 * 100, "exact"),
    ("city_assist_items_done", "2021-10"): (23 / 25 * 100, "exact"),
    ("requests_done", "2021-10"): (1581 / 1787 * 100, "exact"),
    ("inclusive_kindergarten_share", "2021"): (80, "at_least"),
    ("skills_training", "2021"): (7000, "exact"),
    ("registered_worker_training", "2021"): (11150, "exact"),
    ("job_fair_employers", "2021"): (103, "exact"),
    ("job_fair_posts", "2021"): (18000, "at_least"),
    ("job_fair_intentions", "2021"): (3600, "at_least"),
    ("elderly_care_investment", "2021"): (26, "exact"),
    ("anting_school_investment", "2021"): (15, "exact"),
    ("service_centres", "2021"): (40, "exact"),
    ("care_stations", "2021"): (50, "exact"),
    ("grid_cells", "2021"): (1831, "exact"),
    ("grid_workers", "2021"): (1987, "exact"),
    ("grid_households_urban", "2021"): (100, "exact"),
    ("grid_households_rural", "2021"): (300, "exact"),
    ("coordinated_departments", "2021"): (26, "exact"),
    ("coordinated_functions", "2021"): (84, "exact"),
    ("governance_centre_investment", "2021"): (1.8, "exact"),
    ("organisation_levels", "2021"): (5, "exact"),
}


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lishi_tui",
            "--config",
            str(CONFIG),
            "--db",
            str(tmp_path / "h.db"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("bundle")
    fetch = cli(tmp_path, "fetch", "--once")
    assert fetch.returncode == 0, fetch.stdout + fetch.stderr
    show = cli(tmp_path, "show", "--json")
    assert show.returncode == 0, show.stderr
    return tmp_path / "h.db", json.loads(show.stdout)


def my_indicators() -> dict[str, Indicator]:
    return load_bundled(*MINE).indicators


def test_show_lists_every_indicator_of_the_plugins(
    fetched: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, rows = fetched
    listed = {row["indicator"] for row in rows}
    assert set(my_indicators()) <= listed
    assert all(row["value"] is not None for row in rows)


def test_latest_published_figures_equal_the_report(
    fetched: tuple[Path, list[dict[str, Any]]],
) -> None:
    _, rows = fetched
    by_id = {row["indicator"]: row for row in rows}
    for (indicator, period), (value, qualifier) in REPORT.items():
        row = by_id[indicator]
        assert row["period"] == period, indicator
        assert row["value"] == pytest.approx(value), indicator
        assert row["qualifier"] == qualifier and row["demo"] is False, indicator
    assert f"{by_id['requests_done']['value']:.2f}" == "88.47"
    assert (by_id["requests_done"]["numerator"], by_id["requests_done"]["denominator"]) == (
        1581,
        1787,
    )
    assert by_id["requests_done"]["status"] == "amber"


def test_every_synthetic_value_is_flagged_demo(fetched: tuple[Path, list[dict[str, Any]]]) -> None:
    db, rows = fetched
    for row in rows:
        assert row["demo"] is row["origin"].startswith("demo:"), row["indicator"]
    assert {r["indicator"] for r in rows if r["demo"]} >= {
        "aqi",
        "pm25",
        "greening_acreage",
        "waste_accuracy",
    }
    store = SqliteStore(db)
    try:
        health = store.health()
        assert len(health) == 10
        assert all(h.last_run is not None and h.last_run.ok for h in health.values()), health
        demo_count = real_count = 0
        for indicator in my_indicators():
            for obs in store.revisions(indicator):
                is_demo_source = obs.source.endswith("_demo")
                assert obs.demo is is_demo_source, (indicator, obs.period.key, obs.source)
                if obs.demo:
                    demo_count += 1
                    assert (indicator, obs.period.key) not in REPORT
                else:
                    real_count += 1
                    assert (indicator, obs.period.key) in REPORT
        assert real_count == len(REPORT)
        assert demo_count > 300
    finally:
        store.close()


def test_demo_off_leaves_only_the_report(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    assert "\ndemo = true" in text
    config = tmp_path / "lishi.toml"
    config.write_text(text.replace("\ndemo = true", "\ndemo = false", 1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI_")}
    base = [
        sys.executable,
        "-m",
        "lishi_tui",
        "--config",
        str(config),
        "--db",
        str(tmp_path / "h.db"),
    ]
    for args in (["fetch", "--once"], ["show", "--json"]):
        done = subprocess.run(
            [*base, *args], capture_output=True, text=True, timeout=120, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    with_data = {(r["indicator"], r["period"]) for r in rows if r["value"] is not None}
    assert with_data == set(REPORT)
    assert not any(r["demo"] for r in rows)
    assert {r["indicator"] for r in rows if r["value"] is None} >= {"aqi", "greening_acreage"}
