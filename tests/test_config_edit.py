"""`config set`: one key changed, comments and layout kept, checked before and after, audited."""

from __future__ import annotations

import difflib
import json
import shutil
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lishi_tui.cli import main
from lishi_tui.config import audit
from lishi_tui.config.edit import EditRefused, parse_key, set_key
from lishi_tui.config.errors import ConfigError
from lishi_tui.config.loader import build_config
from lishi_tui.config.reading import parse_raw
from lishi_tui.registry import Registry
from tests.support.bundled import CONFIG, load_bundled
from tests.support.stores import OpenStore

COMMENTED = """\
# top comment
#:schema ./lishi.schema.json

# before a table
[app] # after a header
# inside a table
language = "zh"   # after a value
demo = true

[indicators.x]  # an indicator
name_zh = "某指标"
target = { value = 5, deadline = 2025-12-31, note = "计划" }  # after an inline table
thresholds = { green = 90, amber = 80 }
# between keys
  # indented comment

[indicators.y]
name_zh = "另一指标"

# before the pages
[pages.p]
title_zh = "页" # trailing
title_en = "Page"

[[pages.p.panels]]  # a panel
kind = "stat"
# in a panel
indicator = "x"
# last comment
"""


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled()


def validator(registry: Registry) -> Any:
    def validate(path: Path, text: str) -> None:
        build_config(parse_raw(path, text), registry, {})

    return validate


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs; insertions come as ("", line)."""
    a, b = before.splitlines(), after.splitlines()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if tag != "equal":
            olds, news = a[i1:i2], b[j1:j2]
            for n in range(max(len(olds), len(news))):
                out.append((olds[n] if n < len(olds) else "", news[n] if n < len(news) else ""))
    return out


def test_keys_are_dotted_paths_with_quotes_and_indexes() -> None:
    assert parse_key('pages."民生".panels[1].title') == ("pages", "民生", "panels", 1, "title")
    assert parse_key("indicators.tertiary_share.target.value") == (
        "indicators",
        "tertiary_share",
        "target",
        "value",
    )
    with pytest.raises(ValueError):
        parse_key("a..b")


EDITS = [
    ("app.language", '"en"', 'language = "en"   # after a value'),
    ("app.demo", "false", "demo = false"),
    (
        "indicators.x.target.value",
        "7.5",
        'target = { value = 7.5, deadline = 2025-12-31, note = "计划" }  # after an inline table',
    ),
    (
        "indicators.x.target.deadline",
        "2026-06-30",
        'target = { value = 5, deadline = 2026-06-30, note = "计划" }  # after an inline table',
    ),
    (
        "indicators.x.target.note",
        '"季度数据因统计口径调整不可比"',
        'target = { value = 5, deadline = 2025-12-31, note = "季度数据因统计口径调整不可比" }'
        "  # after an inline table",
    ),
    ("indicators.x.thresholds.green", "95", "thresholds = { green = 95, amber = 80 }"),
    ("indicators.x.thresholds.amber", "70", "thresholds = { green = 90, amber = 70 }"),
    ("pages.p.title_zh", '"新页"', 'title_zh = "新页" # trailing'),
    ("pages.p.panels[0].kind", '"gauge"', 'kind = "gauge"'),
]


@pytest.mark.parametrize(("key", "value", "line"), EDITS, ids=[e[0] for e in EDITS])
def test_each_editable_key_changes_only_its_line_and_keeps_every_comment(
    tmp_path: Path, registry: Registry, key: str, value: str, line: str
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    change = set_key(path, key, value, validator(registry))
    after = path.read_text(encoding="utf-8")
    assert len(changed_lines(COMMENTED, after)) == 1
    ((old, new),) = changed_lines(COMMENTED, after)
    assert new == line and old
    comments = [ln for ln in COMMENTED.splitlines() if "#" in ln and ln != old]
    assert all(c in after.splitlines() for c in comments)
    assert (tmp_path / "lishi.toml.bak").read_text(encoding="utf-8") == COMMENTED
    assert change.new == value.replace(".5", ".5")


def test_a_new_key_is_added_and_nothing_else_moves(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    change = set_key(path, "indicators.y.target.value", "12", validator(registry))
    assert change.old is None
    after = path.read_text(encoding="utf-8")
    assert all(old == "" for old, _ in changed_lines(COMMENTED, after))  # insertions only
    assert tomllib.loads(after)["indicators"]["y"]["target"] == {"value": 12}


BUNDLED_EDITS = [
    ("indicators.tertiary_share.target.value", "60"),
    ("indicators.requests_done.target.deadline", "2022-06-30"),
    ("indicators.requests_done.baseline.value", "5"),
    ("indicators.requests_done.thresholds.amber", "75"),
    ("indicators.greening_acreage.target.note", '"改"'),
    ("pages.economy.title_zh", '"经济"'),
    ("app.language", '"en"'),
]


@pytest.mark.parametrize(("key", "value"), BUNDLED_EDITS, ids=[e[0] for e in BUNDLED_EDITS])
def test_edits_of_the_bundled_config_change_one_line(
    tmp_path: Path, registry: Registry, key: str, value: str
) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(CONFIG, path)
    before = path.read_text(encoding="utf-8")
    set_key(path, key, value, validator(registry))
    after = path.read_text(encoding="utf-8")
    ((old, new),) = changed_lines(before, after)
    assert old.split("=")[0] == new.split("=")[0]  # the same key's line
    assert old.count("#") == new.count("#")
    # inline tables keep their "{ ... }" spacing on the edited line too
    assert new.count("{ ") == old.count("{ ") and new.count(" }") == old.count(" }")


def test_an_invalid_value_is_refused_with_a_located_error_and_nothing_written(
    tmp_path: Path, registry: Registry
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        set_key(path, "pages.p.panels[0].kind", '"pie"', validator(registry))
    (issue,) = info.value.issues
    assert (issue.line, issue.key) == (26, "pages.p.panels[0].kind")
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert not (tmp_path / "lishi.toml.bak").exists()


def test_a_file_changed_underneath_is_not_overwritten(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    other = COMMENTED.replace("demo = true", "demo = false  # another editor")

    def another_editor_saves() -> None:
        path.write_text(other, encoding="utf-8")

    with pytest.raises(EditRefused) as info:
        set_key(
            path, "app.language", '"en"', validator(registry), before_write=another_editor_saves
        )
    assert "changed on disk" in str(info.value)
    assert path.read_text(encoding="utf-8") == other


def test_replacing_a_table_with_a_scalar_is_refused(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(EditRefused):
        set_key(path, "indicators.x.target", "5", validator(registry))
    assert path.read_text(encoding="utf-8") == COMMENTED


# ---- the CLI and the audit trail ----------------------------------------------------------


def test_config_set_and_history_from_the_shell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(CONFIG, path)
    db = tmp_path / "h.db"
    base = ["--config", str(path), "--db", str(db), "config"]
    assert main([*base, "set", "indicators.tertiary_share.target.value", "60"], env={}) == 0
    assert "was 50" in capsys.readouterr().out
    assert main([*base, "set", "pages.economy.title_zh", '"经济"'], env={}) == 0
    capsys.readouterr()
    assert main([*base, "set", "indicators.tertiary_share.decimals", "-1"], env={}) == 1
    err = capsys.readouterr().err
    assert f"{path}:" in err and "indicators.tertiary_share.decimals" in err
    assert "not written" in err

    assert main([*base, "history", "--json"], env={}) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["key"], r["old"], r["new"], r["origin"]) for r in rows] == [
        ("pages.economy.title_zh", '"经济发展"', '"经济"', "cli"),
        ("indicators.tertiary_share.target.value", "50", "60", "cli"),
    ]
    assert all(r["who"] for r in rows)
    assert main([*base, "history"], env={}) == 0
    assert "indicators.tertiary_share.target.value: 50 -> 60" in capsys.readouterr().out


def test_config_set_refuses_an_account_the_operator_list_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lishi.toml"
    text = CONFIG.read_text(encoding="utf-8").replace(
        "[app]\n", '[app]\noperators = ["someone-else"]\n', 1
    )
    path.write_text(text, encoding="utf-8")
    code = main(["--config", str(path), "config", "set", "app.language", '"en"'], env={})
    assert code == 1 and "viewer" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


def test_the_audit_table_on_both_backends(open_store: OpenStore) -> None:
    store = open_store()
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    entries = [
        audit.AuditEntry(
            t0,
            "张三",
            audit.Origin.DASHBOARD,
            "/etc/l.toml",
            "indicators.a.note",
            None,
            '"口径调整"',
        ),
        audit.AuditEntry(
            t0.replace(hour=10),
            "ops",
            audit.Origin.FILE,
            "/etc/l.toml",
            "app.language",
            '"zh"',
            '"en"',
        ),
    ]
    audit.record(store, entries)
    got = audit.history(store)
    assert [e.key for e in got] == ["app.language", "indicators.a.note"]
    assert got[1] == entries[0]
    assert audit.history(store, key_prefix="indicators.a") == [entries[0]]
