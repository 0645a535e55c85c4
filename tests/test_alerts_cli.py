"""``lishi-tui alerts``: list (--json contract), history, ack, silence and test, on a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.alerts.config import rules_of
from lishi_tui.alerts.engine import AlertEngine
from lishi_tui.alerts.stored import StoreRepository
from lishi_tui.bootstrap import load_runtime
from lishi_tui.cli import main
from lishi_tui.domain.periods import Period
from lishi_tui.store.sqlite import SqliteStore
from tests.support.alerting import obs

CONFIG = """
[indicators.gdp_growth]
name_zh = "地区生产总值增速"
name_en = "GDP growth"
unit = "%"
frequency = "quarterly"

[alerts.gdp_low]
kind = "threshold"
indicators = ["gdp_growth"]
below = 6.5
severity = "critical"
notify = ["ops"]

[notifiers.ops]
type = "webhook"
url = "http://127.0.0.1:9/hook"
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[list[str], Path]:
    cfg = tmp_path / "lishi.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "h.db"
    env = {"LISHI_TUI_LANG": "en"}
    runtime = load_runtime(cfg, env, db=db)
    store = SqliteStore(db)
    store.write([obs("gdp_growth", Period.quarter(2026, 3), 6.1, source="report")])
    now = datetime.now(UTC)
    AlertEngine(
        rules_of(runtime.config),
        runtime.config.indicators,
        store,
        StoreRepository(store),
        lang="en",
        clock=lambda: now,
    ).evaluate()  # as the collector would
    store.close()
    return ["--config", str(cfg), "--db", str(db)], db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), {"LISHI_TUI_LANG": "en"})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_list_ack_and_history(
    setup: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    common, _db = setup
    code, out, _ = run(capsys, "alerts", "--json", *common)
    assert code == 0
    [row] = json.loads(out)
    assert {k: row[k] for k in ("id", "rule", "indicator", "state", "severity", "value")} == {
        "id": "gdp_low/gdp_growth",
        "rule": "gdp_low",
        "indicator": "gdp_growth",
        "state": "firing",
        "severity": "critical",
        "value": 6.1,
    }
    assert row["period"] == Period.quarter(2026, 3).key and row["since"]
    assert row["acknowledged"] is False

    code, out, err = run(capsys, "alerts", "ack", "gdp_low/gdp_grwth", "--reason", "x", *common)
    assert code == 2 and "did you mean 'gdp_low/gdp_growth'" in err
    code, out, _ = run(
        capsys, "alerts", "ack", "gdp_low/gdp_growth", "--reason", "统计局已知", *common
    )
    assert code == 0 and "acknowledged gdp_low/gdp_growth as " in out
    [row] = json.loads(run(capsys, "alerts", "--json", *common)[1])
    assert row["acknowledged"] is True and row["ack_reason"] == "统计局已知"
    assert row["acknowledged_by"]

    code, out, _ = run(capsys, "alerts", *common)
    assert out.startswith("critical firing     gdp_low/gdp_growth")
    assert "6.1 Q3 2026" in out and "[acknowledged " in out

    code, out, _ = run(capsys, "alerts", "history", *common)
    assert code == 0 and "normal → firing" in out and "below 6.5" in out and "ack by" in out


def test_silence_and_dry_run(
    setup: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    common, db = setup
    code, out, err = run(
        capsys, "alerts", "silence", "gdp_low", "--for", "soon", "--reason", "r", *common
    )
    assert code == 2 and "--for:" in err
    code, out, _ = run(
        capsys, "alerts", "silence", "gdp_low", "--for", "2h", "--reason", "维护", *common
    )
    assert code == 0 and "silenced gdp_low until" in out
    [row] = json.loads(run(capsys, "alerts", "--json", *common)[1])
    assert row["silenced_until"] is not None

    code, out, _ = run(capsys, "alerts", "test", "gdp_low", *common)
    assert code == 0
    assert "gdp_growth" in out and "firing" in out
    assert "would send nothing now" in out  # told already? no: silenced
    code, out, err = run(capsys, "alerts", "test", "gdp_lo", *common)
    assert code == 2 and "did you mean 'gdp_low'" in err
    # a dry run writes nothing
    store = SqliteStore(db)
    assert len(StoreRepository(store).transitions()) == 1
    store.close()


def test_dry_run_prints_what_it_would_send(
    setup: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    common, _db = setup
    code, out, _ = run(capsys, "alerts", "test", "gdp_low", *common)
    assert code == 0
    assert "would send to ops:" in out
    assert "critical firing: GDP growth 6.1 %" in out
