"""`lishi-tui plugin new`: the package installs, passes its own tests, loads, and stores a figure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lishi_tui.scaffold import ScaffoldError, write_plugin
from tests.support.httpserver import running_server

BIN = Path(sys.executable).parent
LISHI = str(BIN / "lishi-tui")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=300, check=False)


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[list[str]]:
    """Distributions this test installed into the test venv, uninstalled afterwards."""
    dists: list[str] = []
    yield dists
    if dists:
        run(sys.executable, "-m", "pip", "uninstall", "-q", "-y", *dists)


def scaffold_and_install(tmp_path: Path, name: str, kind: str, installed: list[str]) -> Path:
    made = run(LISHI, "plugin", "new", name, "--kind", kind, "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    root = tmp_path / name
    assert (root / "pyproject.toml").is_file()
    pip = run(
        sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
        "-e", str(root),
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]
    installed.append(f"lishi-tui-{name}")
    # The package's own tests, run as its author would, with lishi-tui's pytest plugin.
    own = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=root)
    assert own.returncode == 0, own.stdout[-3000:]
    assert " passed" in own.stdout
    return root


def listed(name: str, tmp_path: Path) -> dict[str, object]:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    shown = run(LISHI, "--config", str(config), "plugins", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {row["name"]: row for row in json.loads(shown.stdout)}
    assert name in rows, sorted(rows)
    row: dict[str, object] = rows[name]
    assert row["state"] == "loaded" and row["origin"] == "entry_point" and not row["error"]
    return row


def fetch_and_show(config: Path, db: Path, indicator: str) -> dict[str, object]:
    fetched = run(LISHI, "--config", str(config), "--db", str(db), "fetch", "--once")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    shown = run(LISHI, "--config", str(config), "--db", str(db), "show", "--json", indicator)
    assert shown.returncode == 0, shown.stderr
    row: dict[str, object] = json.loads(shown.stdout)[0]
    return row


def test_source_plugin_from_scaffold_to_stored_figure(tmp_path: Path, installed: list[str]) -> None:
    scaffold_and_install(tmp_path, "office-api", "source", installed)
    row = listed("office_api", tmp_path)
    assert row["source_types"] == ["office_api"]
    body = json.dumps([{"period": "2021", "value": 51.2}])
    with running_server() as server:
        server.route("/figures", body, content_type="application/json")
        base = server.url("").rstrip("/")
        config = tmp_path / "lishi.toml"
        config.write_text(
            "[sources.office]\n"
            'type = "office_api"\n'
            'interval = "1h"\n'
            f'url = "{base}/figures"\n'
            'indicator = "tertiary_share"\n',
            encoding="utf-8",
        )
        shown = fetch_and_show(config, tmp_path / "h.db", "tertiary_share")
    assert shown["value"] == 51.2 and shown["period"] == "2021" and shown["source"] == "office"


def test_indicators_plugin_from_scaffold_to_stored_figure(
    tmp_path: Path, installed: list[str]
) -> None:
    scaffold_and_install(tmp_path, "town-stats", "indicators", installed)
    row = listed("town_stats", tmp_path)
    assert row["indicators"] == ["town_stats_service_rate"]
    (tmp_path / "rate.csv").write_text("period,value\n2021-10,88.47\n", encoding="utf-8")
    config = tmp_path / "lishi.toml"
    config.write_text(
        "[sources.town]\n"
        'type = "csv"\n'
        'interval = "1h"\n'
        'path = "rate.csv"\n'
        'period_column = "period"\n'
        'value_column = "value"\n'
        'indicator = "town_stats_service_rate"\n',
        encoding="utf-8",
    )
    shown = fetch_and_show(config, tmp_path / "h.db", "town_stats_service_rate")
    assert shown["value"] == 88.47 and shown["period"] == "2021-10" and shown["unit"] == "%"


def test_plugin_new_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    made = run(LISHI, "plugin", "new", "taken", "--dir", str(tmp_path))
    assert made.returncode == 1 and "already exists" in made.stderr
    assert list((tmp_path / "taken").iterdir()) == []


@pytest.mark.parametrize("name", ["1abc", "bad name", "../escape", "lishi_tui", "class"])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScaffoldError):
        write_plugin(name, "source", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_notifier_plugin_from_scaffold_to_a_checked_config(
    tmp_path: Path, installed: list[str]
) -> None:
    scaffold_and_install(tmp_path, "chat-hook", "notifier", installed)
    row = listed("chat_hook", tmp_path)
    assert row["hooks"] == ["lishi_register_notifiers"] and row["notifiers"] == ["chat_hook"]
    config = tmp_path / "lishi.toml"
    config.write_text(
        '[notifiers.office_chat]\ntype = "chat_hook"\nurl = "http://127.0.0.1:9/hook"\n',
        encoding="utf-8",
    )
    checked = run(LISHI, "config", "check", str(config))
    assert checked.returncode == 0, checked.stderr
    config.write_text('[notifiers.office_chat]\ntype = "chat_hook"\n', encoding="utf-8")
    refused = run(LISHI, "config", "check", str(config))
    assert refused.returncode == 1 and "missing required option 'url'" in refused.stderr


def test_panel_plugin_from_scaffold_to_a_page_that_shows_it(
    tmp_path: Path, installed: list[str]
) -> None:
    scaffold_and_install(tmp_path, "green-gap", "panel", installed)
    row = listed("green_gap", tmp_path)
    assert row["hooks"] == ["lishi_register_panel_kinds"] and row["panel_kinds"] == ["green_gap"]
    (tmp_path / "share.csv").write_text("period,value\n2021,51\n", encoding="utf-8")
    config = tmp_path / "lishi.toml"
    config.write_text(
        "[sources.office]\n"
        'type = "csv"\n'
        'interval = "1h"\n'
        'path = "share.csv"\n'
        'period_column = "period"\n'
        'value_column = "value"\n'
        'indicator = "tertiary_share"\n'
        "\n"
        "[pages.economy]\n"
        'title_zh = "经济"\n'
        "\n"
        "[[pages.economy.panels]]\n"
        'kind = "green_gap"\n'
        'indicator = "tertiary_share"\n',
        encoding="utf-8",
    )
    checked = run(LISHI, "config", "check", str(config))
    assert checked.returncode == 0, checked.stderr
    shown = fetch_and_show(config, tmp_path / "h.db", "tertiary_share")
    assert shown["value"] == 51 and shown["period"] == "2021" and shown["source"] == "office"
    config.write_text(config.read_text(encoding="utf-8").replace('"green_gap"', '"green_gp"'))
    refused = run(LISHI, "config", "check", str(config))
    assert refused.returncode == 1
    assert "unknown panel kind 'green_gp'" in refused.stderr and "green_gap" in refused.stderr
