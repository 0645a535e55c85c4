"""`lishi-tui config check` and `config init` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lishi_tui.cli import main


def check(path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISHI_TUI")}
    return subprocess.run(
        [sys.executable, "-m", "lishi_tui", "config", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


GOOD_SOURCE = """
[sources.air]
type = "demo"
interval = "5s"
indicator = "aqi"
profile = "aqi"
"""


@pytest.mark.parametrize(
    ("body", "line", "expected"),
    [
        (
            '[app]\nlanguage = "zh"\nrefresh = "250ms"\n[collector\nretries = 1\n',
            4,
            "TOML syntax error",
        ),
        (
            '[app]\nlanguage = "zh"\nlow_bandwith = true\n',
            3,
            "app.low_bandwith: unknown key (did you mean 'low_bandwidth'?)",
        ),
        ('[collector]\nretries = "two"\n', 2, "collector.retries"),
        ("[collector]\nretries = true\n", 2, "collector.retries"),
        (
            '[sources.gdp]\ntype = "worldbnk"\ninterval = "1h"\nindicator = "aqi"\n',
            2,
            "did you mean 'worldbank'?",
        ),
        (
            '[sources.air]\ntype = "demo"\ninterval = "often"\nindicator = "aqi"\n',
            3,
            "sources.air.interval",
        ),
        ('[sources.air]\ntype = "demo"\ninterval = "5s"\nindicator = "no_such"\n', 4, "no_such"),
    ],
    ids=[
        "toml-syntax",
        "unknown-key",
        "wrong-type",
        "bool-for-int",
        "unknown-source-type",
        "bad-duration",
        "unknown-indicator",
    ],
)
def test_check_reports_located_errors(tmp_path: Path, body: str, line: int, expected: str) -> None:
    config = tmp_path / "lishi.toml"
    config.write_text(body, encoding="utf-8")
    result = check(config)
    assert result.returncode == 1, result.stdout
    assert f"{config}:{line}:" in result.stderr, result.stderr
    assert expected in result.stderr
    assert "problem(s) found" in result.stderr


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    config = tmp_path / "lishi.toml"
    config.write_text(
        textwrap.dedent(
            """
            [app]
            languag = "en"

            [sources.air]
            type = "demo"
            interval = "5s"
            indicator = "aqi"
            profile = "aqi"
            sead = 3
            """
        ),
        encoding="utf-8",
    )
    result = check(config)
    assert result.returncode == 1
    assert f"{config}:3: app.languag" in result.stderr
    assert f"{config}:10: sources.air.sead" in result.stderr and "'seed'" in result.stderr
    assert "2 problem(s) found" in result.stderr


def test_check_accepts_the_bundled_and_a_good_file(tmp_path: Path) -> None:
    bundled = check(Path(__file__).resolve().parents[1] / "config" / "lishi.toml")
    assert bundled.returncode == 0, bundled.stderr
    assert "ok (" in bundled.stdout
    config = tmp_path / "lishi.toml"
    config.write_text(GOOD_SOURCE, encoding="utf-8")
    result = check(config)
    assert result.returncode == 0, result.stderr


def test_init_writes_a_valid_starter_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mine.toml"
    assert main(["config", "init", str(target)], env={}) == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("#") > 5  # a commented file a person can read
    assert check(target).returncode == 0

    target.write_text(text + "\n# my own note\n", encoding="utf-8")
    assert main(["config", "init", str(target)], env={}) == 1
    assert "already exists" in capsys.readouterr().err
    assert "# my own note" in target.read_text(encoding="utf-8")

    assert main(["config", "init", str(target), "--force"], env={}) == 0
    assert "# my own note" in (tmp_path / "mine.toml.bak").read_text(encoding="utf-8")
