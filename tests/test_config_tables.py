"""Table declarations: one list of fields per table, which the loader and the defaults follow."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from lishi_tui.config import tables
from lishi_tui.config.engine import Entry, TableMap
from lishi_tui.config.errors import ConfigError
from lishi_tui.config.fields import Choice, Fields, Float, Int, Str
from lishi_tui.config.loader import build_config, check_config
from lishi_tui.config.reading import read_raw
from lishi_tui.config.schema import AppSettings, CollectorSettings, PluginSettings
from lishi_tui.config.tables.settings import APP, COLLECTOR, PLUGINS
from lishi_tui.registry import Registry


@pytest.mark.parametrize(
    ("table", "cls"),
    [(APP, AppSettings), (PLUGINS, PluginSettings), (COLLECTOR, CollectorSettings)],
)
def test_settings_declarations_are_the_dataclass_fields_with_its_defaults(
    table: object, cls: type
) -> None:
    declared = table.fields  # type: ignore[attr-defined]
    assert declared.names == tuple(f.name for f in dataclasses.fields(cls))
    default = cls()
    for f in declared:
        if f.name != "dirs":
            assert f.default_value() == getattr(default, f.name), f.name


def test_a_bare_non_ascii_key_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text('[sources.s]\nfilter = { 区县 = "离石区" }\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_raw(path)
    (issue,) = info.value.issues
    assert issue.line == 2
    assert 'write "区县" instead of 区县' in issue.message


def test_a_syntax_error_elsewhere_gets_no_quoting_hint(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text("[app]\ndemo = tru\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_raw(path)
    assert "quoted" not in info.value.issues[0].message


@dataclass(frozen=True)
class Rule:
    id: str
    indicator: str
    above: float
    severity: str
    repeat: int


def _rule(entry: Entry) -> Rule | None:
    if entry.values.get("indicator") not in entry.ctx.built["indicators"]:
        entry.section.add("unknown indicator")
        return None
    return Rule(id=entry.id, **entry.values)


RULES = TableMap(
    "rules",
    Fields(
        Str(name="indicator", required=True),
        Float(name="above", default=0.0),
        Choice(name="severity", values=("info", "warning"), default="warning"),
        Int(name="repeat", default=1, minimum=1, maximum=10),
    ),
    _rule,
    description="test rules",
)
TABLE = RULES  # what the loader looks for in a module named in TABLE_MODULES


def test_a_table_declared_in_its_own_module_is_validated_and_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "TABLE_MODULES", (*tables.TABLE_MODULES, __name__))
    tables.all_tables.cache_clear()
    try:
        path = tmp_path / "lishi.toml"
        registry = Registry()
        path.write_text(
            '[indicators.x]\nname_zh = "x"\n\n[rules.hot]\nindicator = "x"\nabove = 3\n',
            encoding="utf-8",
        )
        config = build_config(read_raw(path), registry, {})
        rules: Mapping[str, Rule] = config.table(RULES)
        assert rules["hot"] == Rule("hot", "x", 3.0, "warning", 1)

        path.write_text(
            '[indicators.x]\nname_zh = "x"\n\n[rules.a]\nindicator = "nope"\n\n[rules.b]\nindicator = "x"\nrepeat = 11\n'
            'sevrity = "info"\n',
            encoding="utf-8",
        )
        found = [(i.line, i.key, i.message, i.suggestion) for i in check_config(path, registry, {})]
        assert found == [
            (4, "rules.a", "unknown indicator", None),
            (9, "rules.b.repeat", "must be at most 10, got 11", None),
            (10, "rules.b.sevrity", "unknown key", "severity"),
        ]
    finally:
        tables.all_tables.cache_clear()


def test_a_kind_from_a_built_in_plugin_the_allow_list_leaves_out_says_so(tmp_path: Path) -> None:
    """An allow list written before panel kinds were a plugin's: the error names the fix."""
    from lishi_tui.config.locate import bundled_config_path

    text = bundled_config_path().read_text(encoding="utf-8")
    config = tmp_path / "allow.toml"
    config.write_text(
        text + '\n[plugins]\nallow = ["economy", "published", "source_csv"]\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "lishi_tui", "--config", str(config), "config", "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    line = next(x for x in done.stdout.splitlines() + done.stderr.splitlines() if "'stat'" in x)
    assert "kind" in line and "add 'panels' to allow" in line, line
    assert line.startswith(str(config) + ":")  # located: file and line
