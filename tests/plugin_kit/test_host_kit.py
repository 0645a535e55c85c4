"""Safe mode, hook timing, and the import contract of the built-in plugins."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import lishi_tui.plugin
from lishi_tui.cli import main
from lishi_tui.plugin_host import SAFE_MODE_ENV, PluginHost
from lishi_tui.registry import PluginState

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_TEXT = """
from lishi_tui.plugin import Indicator, hookimpl

@hookimpl
def lishi_register_indicators(register):
    register(Indicator("third_party_x", "第三方", "Third party"))
"""


def dir_plugin_config(tmp_path: Path) -> Path:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "third_party.py").write_text(PLUGIN_TEXT, encoding="utf-8")
    config = tmp_path / "lishi.toml"
    config.write_text(f'[plugins]\ndirs = ["{folder}"]\n', encoding="utf-8")
    return config


def plugins_json(
    config: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    assert main(["--config", str(config), "plugins", "--json"], env=env) == 0
    return {row["name"]: row for row in json.loads(capsys.readouterr().out)}


def test_safe_mode_loads_only_the_builtin_plugins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = dir_plugin_config(tmp_path)
    normal = plugins_json(config, {}, capsys)
    assert normal["third_party"]["state"] == "loaded"
    safe = plugins_json(config, {SAFE_MODE_ENV: "1"}, capsys)
    assert safe["third_party"]["state"] == "blocked"
    assert "safe mode" in safe["third_party"]["error"]
    assert safe["economy"]["state"] == "loaded"  # built-in plugins still load
    assert plugins_json(config, {SAFE_MODE_ENV: "0"}, capsys)["third_party"]["state"] == "loaded"


def test_trace_shows_each_import_and_hook_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = dir_plugin_config(tmp_path)
    rows = plugins_json(config, {}, capsys)
    assert set(rows["third_party"]["seconds"]) == {"import", "lishi_register_indicators"}
    assert all(v >= 0 for v in rows["third_party"]["seconds"].values())
    assert main(["--config", str(config), "plugins", "--trace"], env={}) == 0
    text = capsys.readouterr().out
    block = text.split("third_party", 1)[1].splitlines()[1:3]
    assert [line.split()[-1] for line in block] == ["import", "lishi_register_indicators"]
    assert all(line.split()[1] == "ms" for line in block)


def _lishi_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] == "lishi_tui"]
    return found


def test_builtin_plugins_import_only_the_plugin_api() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "plugins").rglob("*.py"))
        for line, module in _lishi_imports(path)
        if module != "lishi_tui.plugin"
    ]
    assert offenders == [], "built-in plugins must import only lishi_tui.plugin:\n" + "\n".join(
        offenders
    )


def test_the_contract_check_sees_an_internal_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from lishi_tui.domain.model import Reading\nimport lishi_tui.plugin\n")
    assert [m for _, m in _lishi_imports(bad)] == ["lishi_tui.domain.model", "lishi_tui.plugin"]


def test_the_plugin_api_needs_neither_textual_nor_httpx() -> None:
    probe = (
        "import sys, lishi_tui.plugin; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'httpx', 'rich'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_exported_name_exists_and_builtins_load() -> None:
    assert all(hasattr(lishi_tui.plugin, name) for name in lishi_tui.plugin.__all__)
    registry = PluginHost(builtin_dir=ROOT / "plugins", env={}, include_entry_points=False).load()
    failed = [p.name for p in registry.plugins if p.state is PluginState.FAILED]
    assert failed == []
