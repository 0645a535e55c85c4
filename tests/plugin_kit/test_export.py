"""``lishi-tui export``: the bundled config's figures written by each built-in format and read
back, every row with its provenance and demo rows labelled; a plugin's format; failures."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lishi_tui.cli import main
from lishi_tui.export.api import ExportData, ExportRow

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "lishi.toml"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One run of every source of the bundled config (published figures and demo feeds)."""
    path = tmp_path_factory.mktemp("export") / "h.db"
    assert main(["--config", str(CONFIG), "--db", str(path), "fetch", "--once"], env={}) == 0
    yield path


def export(
    db: Path, capsys: pytest.CaptureFixture[str], *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--config", str(CONFIG), "--db", str(db), "export", *args], env=env or {})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_csv_rows_read_back_with_figure_period_unit_source_and_status(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "figures.csv"
    code, stdout, stderr = export(db, capsys, "--format", "csv", "--output", str(out))
    assert code == 0 and stdout == ""
    rows = {r["indicator"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(next(csv.reader(out.open(encoding="utf-8")))) == list(ExportRow.columns())
    # Read off the livelihood plugin's published.toml by hand: 1581 of 1787 in October 2021.
    done = rows["requests_done"]
    assert float(done["value"]) == pytest.approx(1581 / 1787 * 100)
    assert (done["period"], done["unit"], done["source"]) == ("2021-10", "%", "livelihood_report")
    assert done["obs_status"] == "normal" and done["demo"] == "false"
    assert "builtin:livelihood/published.toml" in done["origin"]
    assert done["fetched_at"].endswith("+00:00")
    kindergarten = rows["inclusive_kindergarten_share"]
    assert (kindergarten["value"], kindergarten["qualifier"]) == ("80.0", "at_least")
    # Every row says where it came from; the demo feeds' rows say they are demo.
    with_figure = [r for r in rows.values() if r["value"]]
    assert with_figure and all(r["source"] and r["origin"] for r in with_figure)
    demo = [r for r in rows.values() if r["demo"] == "true"]
    assert demo and all(r["origin"].startswith("demo:") for r in demo)
    assert f"wrote {len(rows)} row(s)" in stderr and f"{len(demo)} of them demo" in stderr


def test_json_matches_show_and_counts_demo_rows(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = export(db, capsys, "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    rows = {r["indicator"]: r for r in document["rows"]}
    assert document["demo_rows"] == sum(r["demo"] for r in rows.values()) > 0
    assert document["language"] == "zh"
    assert main(["--config", str(CONFIG), "--db", str(db), "show", "--json"], env={}) == 0
    shown = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows.keys() == shown.keys()
    for key in ("value", "period", "unit", "source", "status", "obs_status", "origin", "demo"):
        assert {i: r[key] for i, r in rows.items()} == {i: r[key] for i, r in shown.items()}, key


def test_markdown_marks_every_demo_figure_and_says_why(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = export(db, capsys, "--format", "markdown")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].startswith("# 最新指标 (")
    table = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    requests = next(line for line in table if line.startswith("| 全区各级接收实事办结率 |"))
    assert "| 88.47 % | 截至2021年10月底 | amber | normal | livelihood_report |" in requests
    assert "演示数据" not in requests
    demo = [line for line in table if "demo:" in line]
    assert demo and all("**演示数据**" in line for line in demo)
    assert "标有“演示数据”的数值为演示用的模拟数据" in stdout


def test_only_the_indicators_asked_for_in_that_order(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = export(
        db, capsys, "--format", "json", "--indicator", "requests_done", "--indicator", "gdp_growth"
    )
    assert code == 0
    assert [r["indicator"] for r in json.loads(stdout)["rows"]] == ["requests_done", "gdp_growth"]


def test_unknown_format_or_indicator_is_a_usage_error_naming_the_choices(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = export(db, capsys, "--format", "jsn")
    assert code == 2
    assert "unknown format 'jsn'; registered: csv, json, markdown (did you mean 'json'?)" in stderr
    code, _, stderr = export(db, capsys, "--indicator", "requests_dne")
    assert (
        code == 2 and "unknown indicator(s): requests_dne (did you mean 'requests_done'?)" in stderr
    )


PLUGIN = """
from lishi_tui.plugin import ExportFormat, hookimpl

def write_tsv(data, out):
    for row in data.rows:
        out.write(f"{row.indicator}\\t{row.value}\\t{row.source}\\t{'DEMO' if row.demo else ''}\\n")

def write_broken(data, out):
    out.write("half a file")
    raise ValueError("the format gave up")

@hookimpl
def lishi_register_export_formats(register):
    register(ExportFormat("tsv", write_tsv, "tsv"))
    register(ExportFormat("broken", write_broken))
    register(ExportFormat("csv", write_tsv))  # taken by the bundled exports plugin: refused
"""


def plugin_config(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "office_formats.py").write_text(PLUGIN, encoding="utf-8")
    config = tmp_path / "lishi.toml"
    text = CONFIG.read_text(encoding="utf-8")
    # The bundled config, its builtin: paths as they are, plus a folder of plugins.
    config.write_text(f'[plugins]\ndirs = ["{folder}"]\n\n' + _without_plugins(text), "utf-8")
    return config


def _without_plugins(text: str) -> str:
    assert "\n[plugins]" not in text
    return text


def test_a_plugins_format_and_a_raising_one_leave_the_file_as_it_was(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = plugin_config(tmp_path)
    base = ["--config", str(config), "--db", str(db), "export"]
    capsys.readouterr()
    assert main([*base, "--format", "tsv", "--indicator", "requests_done"], env={}) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("requests_done\t88.4")
    assert "'csv' is already registered by plugin 'exports'" in captured.err
    out = tmp_path / "kept.txt"
    out.write_text("the previous export\n", encoding="utf-8")
    assert main([*base, "--format", "broken", "--output", str(out)], env={}) == 1
    err = capsys.readouterr().err
    assert "format 'broken' (plugin office_formats) failed: ValueError: the format gave up" in err
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "the previous export\n"


def test_csv_cells_a_spreadsheet_would_run_are_defused() -> None:
    from lishi_tui.plugin_host import load_plugins

    registry = load_plugins(builtin_dir=ROOT / "plugins", env={}, include_entry_points=False)
    row = ExportRow.from_mapping(
        {"indicator": "x", "name": "=HYPERLINK(\"http://x\")", "value": -1.5, "demo": True,
         "unit": "%", "decimals": 1, "status": "none", "obs_status": "normal",
         "freshness": "fresh", "name_zh": "x", "name_en": "x"}
    )  # fmt: skip
    buffer = io.StringIO()
    data = ExportData((row,), "zh", datetime(2021, 11, 1, tzinfo=UTC))
    registry.export_formats["csv"].write(data, buffer)
    values = next(iter(csv.DictReader(io.StringIO(buffer.getvalue()))))
    assert values["name"] == '\'=HYPERLINK("http://x")'
    assert values["value"] == "-1.5" and values["demo"] == "true"
