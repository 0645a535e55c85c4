"""Annotations in a person's config file: one block inserted where the indicator's tables end,
every comment kept, refused when it cannot be; `config annotate`, `show --json`, the trail."""

from __future__ import annotations

import difflib
import json
import shutil
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lishi_tui.cli import main
from lishi_tui.config import audit
from lishi_tui.config.annotations import add_annotation
from lishi_tui.config.edit import EditRefused
from lishi_tui.config.errors import ConfigError
from lishi_tui.registry import Registry
from tests.support.bundled import CONFIG, load_bundled
from tests.support.stores import OpenStore
from tests.test_config_edit import COMMENTED, validator

NOTE = "季度数据因统计口径调整不可比"
AT = datetime(2026, 12, 2, 10, 15, 3, 999, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled()


def diff(before: str, after: str) -> list[str]:
    """The changed lines that are not blank, each with its +/- mark (which of two blank
    lines is the inserted one is the diff's choice; the blank lines are checked apart)."""
    return [
        line
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:1] in "+-" and line[2:].strip()
    ]


def blank_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if not line.strip())


BLOCK = [
    "+ [[indicators.{id}.annotations]]",
    f'+ text = "{NOTE}"',
    '+ author = "张三"',
    "+ at = 2026-12-02T10:15:03+08:00",
]


@pytest.mark.parametrize(
    ("indicator", "after_line", "before_line"),
    [
        # The table's trailing comments stay with it; the block goes after them.
        ("x", "  # indented comment", ""),
        # A comment right above the next table introduces that table: it stays above it.
        ("y", 'name_zh = "另一指标"', ""),
        # An indicator the file does not have (a plugin's): after the last indicator table.
        ("tertiary_share", 'name_zh = "另一指标"', ""),
    ],
)
def test_an_annotation_is_one_block_inserted_and_every_comment_kept(
    tmp_path: Path, registry: Registry, indicator: str, after_line: str, before_line: str
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    change = add_annotation(path, indicator, NOTE, "张三", AT, validator(registry))
    after = path.read_text(encoding="utf-8")
    block = [line.format(id=indicator) for line in BLOCK]
    assert diff(COMMENTED, after) == block  # insertions only
    lines = after.splitlines()
    start = lines.index(block[0][2:])
    assert lines[start - 2] == after_line and lines[start - 1] == ""
    assert lines[start + 4] == before_line
    assert blank_lines(after) == blank_lines(COMMENTED) + 1
    assert (tmp_path / "lishi.toml.bak").read_text(encoding="utf-8") == COMMENTED
    assert change.key == f"indicators.{indicator}.annotations[0]" and change.old is None
    assert change.new == f'{{text = "{NOTE}", author = "张三", at = 2026-12-02T10:15:03+08:00}}'
    data = tomllib.loads(after)["indicators"][indicator]["annotations"]
    assert data == [{"text": NOTE, "author": "张三", "at": AT.replace(microsecond=0)}]


def test_a_second_annotation_follows_the_first(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    add_annotation(path, "x", "第一条", "张三", AT, validator(registry))
    first = path.read_text(encoding="utf-8")
    change = add_annotation(path, "x", '带"引号"的\\第二条', "李四", AT, validator(registry))
    assert change.key == "indicators.x.annotations[1]"
    after = path.read_text(encoding="utf-8")
    assert diff(first, after)[0] == "+ [[indicators.x.annotations]]"
    notes = tomllib.loads(after)["indicators"]["x"]["annotations"]
    assert [(n["text"], n["author"]) for n in notes] == [
        ("第一条", "张三"),
        ('带"引号"的\\第二条', "李四"),
    ]
    # The [indicators.y] table still follows x's tables, with its own keys.
    assert tomllib.loads(after)["indicators"]["y"] == {"name_zh": "另一指标"}


def test_annotating_the_bundled_config_inserts_only_the_block(
    tmp_path: Path, registry: Registry
) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(CONFIG, path)
    before = path.read_text(encoding="utf-8")
    add_annotation(path, "tertiary_share", NOTE, "张三", AT, validator(registry))
    after = path.read_text(encoding="utf-8")
    assert diff(before, after) == [line.format(id="tertiary_share") for line in BLOCK]
    assert blank_lines(after) == blank_lines(before) + 1
    assert blank_lines(after) == blank_lines(before) + 1


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('[indicators]\nx = { name_zh = "某" }\n', "inline table"),
        (
            '[indicators.x]\nname_zh = "某"\nannotations = [{ text = "a", author = "b",'
            " at = 2026-01-01T00:00:00Z }]\n",
            "inline table",
        ),
    ],
)
def test_an_indicator_written_inline_is_refused_and_nothing_written(
    tmp_path: Path, registry: Registry, body: str, why: str
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EditRefused) as info:
        add_annotation(path, "x", NOTE, "张三", AT, validator(registry))
    assert why in str(info.value) and "indicators.x.annotations" in str(info.value)
    assert path.read_text(encoding="utf-8") == body


@pytest.mark.parametrize("text", ["", "   ", "two\nlines"])
def test_an_empty_or_multiline_annotation_is_refused(
    tmp_path: Path, registry: Registry, text: str
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(EditRefused, match="one non-empty line"):
        add_annotation(path, "x", text, "张三", AT, validator(registry))
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_an_annotation_is_refused_when_the_file_changed_underneath(
    tmp_path: Path, registry: Registry
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    other = COMMENTED.replace("demo = true", "demo = false  # another editor")

    def another_editor_saves() -> None:
        path.write_text(other, encoding="utf-8")

    with pytest.raises(EditRefused, match="changed on disk"):
        add_annotation(
            path, "x", NOTE, "张三", AT, validator(registry), before_write=another_editor_saves
        )
    assert path.read_text(encoding="utf-8") == other


def test_an_annotation_of_an_unknown_indicator_fails_validation(
    tmp_path: Path, registry: Registry
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        add_annotation(path, "no_such", NOTE, "张三", AT, validator(registry))
    assert "name_zh is required" in str(info.value)
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_the_loader_checks_annotations_with_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(
        '[indicators.x]\nname_zh = "某"\n\n'
        '[[indicators.x.annotations]]\ntext = ""\nauthor = "b"\nat = 2026-12-02T10:15:00\n\n'
        '[[indicators.x.annotations]]\ntxt = "x"\nauthor = "b"\nat = 2026-12-02T10:15:00Z\n',
        encoding="utf-8",
    )
    assert main(["config", "check", str(path)], env={}) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:5: indicators.x.annotations[0].text: must not be empty",
        f"{path}:7: indicators.x.annotations[0].at: needs its time zone offset,"
        " e.g. 2026-12-02T10:15:00+08:00",
        f"{path}:9: indicators.x.annotations[1]: missing required key 'text'",
        f"{path}:10: indicators.x.annotations[1].txt: unknown key (did you mean 'text'?)",
        "4 problem(s) found",
    ]


# ---- from the shell ------------------------------------------------------------------------


def test_config_annotate_show_json_and_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(CONFIG, path)
    db = tmp_path / "h.db"
    base = ["--config", str(path), "--db", str(db)]
    assert main([*base, "config", "annotate", "tertiary_shar", NOTE], env={}) == 1
    assert "did you mean 'tertiary_share'" in capsys.readouterr().err
    assert main([*base, "config", "annotate", "tertiary_share", NOTE], env={}) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: indicators.tertiary_share.annotations[0] = {{text = ")

    assert main([*base, "show", "--json", "tertiary_share"], env={}) == 0
    (row,) = json.loads(capsys.readouterr().out)
    (note,) = row["annotations"]
    assert note["text"] == NOTE and note["author"]
    at = datetime.fromisoformat(note["at"])
    assert at.utcoffset() == timedelta(hours=8)
    assert abs(at - datetime.now(UTC)) < timedelta(hours=1)  # "now", not a fixed value
    assert main([*base, "show", "--json", "gdp_growth"], env={}) == 0
    assert json.loads(capsys.readouterr().out)[0]["annotations"] == []

    assert main([*base, "config", "history", "--json"], env={}) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["key"], entry["old"], entry["origin"]) == (
        "indicators.tertiary_share.annotations[0]",
        None,
        "cli",
    )
    assert NOTE in entry["new"] and entry["who"] == note["author"]
    assert main([*base, "config", "history", "--key", "indicators.tertiary_share"], env={}) == 0
    assert "indicators.tertiary_share.annotations[0]: unset -> {text = " in capsys.readouterr().out


def test_config_annotate_refuses_a_viewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lishi.toml"
    text = CONFIG.read_text(encoding="utf-8").replace(
        "[app]\n", '[app]\noperators = ["someone-else"]\n', 1
    )
    path.write_text(text, encoding="utf-8")
    code = main(["--config", str(path), "config", "annotate", "tertiary_share", NOTE], env={})
    assert code == 1 and "viewer" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


# ---- the trail -----------------------------------------------------------------------------


def test_a_reload_does_not_record_again_what_an_edit_recorded(open_store: OpenStore) -> None:
    """`config set` / the dashboard record their change; every process watching the file
    then sees it again as a file edit, which must not be a second entry."""
    store = open_store()
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    f = "/etc/l.toml"
    note = f'{{text = "{NOTE}", author = "张三", at = 2026-12-02T10:15:03+08:00}}'
    audit.record(
        store,
        [
            audit.AuditEntry(
                t0, "张三", audit.Origin.CLI, f, "indicators.a.target.value", "5", "6"
            ),
            audit.AuditEntry(
                t0, "张三", audit.Origin.DASHBOARD, f, "indicators.a.annotations[0]", None, note
            ),
        ],
    )
    seen = [
        audit.AuditEntry(t0, "ops", audit.Origin.FILE, f, "indicators.a.target.value", "5", "6"),
        audit.AuditEntry(
            t0, "ops", audit.Origin.FILE, f, "indicators.a.annotations[0].text", None, f'"{NOTE}"'
        ),
        audit.AuditEntry(
            t0, "ops", audit.Origin.FILE, f, "indicators.a.annotations[0].author", None, '"张三"'
        ),
        # Not what the edit wrote: a change of its own, made in an editor.
        audit.AuditEntry(t0, "ops", audit.Origin.FILE, f, "indicators.a.target.note", None, '"x"'),
        # The same key and value in another file is another change.
        audit.AuditEntry(
            t0, "ops", audit.Origin.FILE, "/b.toml", "indicators.a.target.value", "5", "6"
        ),
    ]
    added = audit.record_file_edits(store, seen)
    assert [(e.file, e.key) for e in added] == [
        (f, "indicators.a.target.note"),
        ("/b.toml", "indicators.a.target.value"),
    ]
    # Edited back by hand to what the CLI once set: the newest entry says 7, so it counts.
    later = t0 + timedelta(minutes=5)
    by_hand = audit.AuditEntry(
        later, "ops", audit.Origin.FILE, f, "indicators.a.target.value", "6", "7"
    )
    assert audit.record_file_edits(store, [by_hand]) == [by_hand]
    back = audit.AuditEntry(
        later + timedelta(minutes=1),
        "ops",
        audit.Origin.FILE,
        f,
        "indicators.a.target.value",
        "7",
        "6",
    )
    assert audit.record_file_edits(store, [back]) == [back]
    assert len(audit.history(store)) == 6


def test_reading_the_history_can_leave_the_database_untouched(open_store: OpenStore) -> None:
    store = open_store()
    assert audit.history(store, create=False) == []
    with store.read() as tx:
        assert not tx.dialect.table_exists(tx, "config_audit")
    assert audit.history(store) == []  # the default (a writer) creates it
    with store.read() as tx:
        assert tx.dialect.table_exists(tx, "config_audit")


def test_the_history_of_one_indicator_is_exactly_its_keys(open_store: OpenStore) -> None:
    store = open_store()
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    keys = [
        "indicators.tertiary_share.annotations[0]",
        "indicators.tertiary_share.thresholds.green",
        "indicators.tertiaryXshare.target.value",  # "_" is a LIKE wildcard: not a match
        "indicators.tertiary_share_2.target.value",
        "indicators.tertiary_share",
    ]
    audit.record(
        store,
        [
            audit.AuditEntry(t0 + timedelta(minutes=n), "a", audit.Origin.CLI, "/f", k, None, "1")
            for n, k in enumerate(keys)
        ],
    )
    got = [e.key for e in audit.history(store, key_prefix="indicators.tertiary_share")]
    assert got == [keys[4], keys[1], keys[0]]


def test_an_edit_recorded_after_a_watcher_saw_it_takes_the_file_rows_place(
    open_store: OpenStore,
) -> None:
    """The other order: `collect` noticed the file change before `config set` recorded it."""
    store = open_store()
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    f = "/etc/l.toml"
    note = f'{{text = "{NOTE}", author = "张三", at = 2026-12-02T10:15:03+08:00}}'
    file_rows = [
        ("indicators.a.target.value", "5", "6"),
        ("indicators.a.annotations[0].text", None, f'"{NOTE}"'),
        ("indicators.a.annotations[0].author", None, '"张三"'),
        ("indicators.a.annotations[0].at", None, "2026-12-02T10:15:03+08:00"),
        ("indicators.a.target.note", None, '"x"'),  # an editor's own change: kept
    ]
    audit.record(
        store,
        [audit.AuditEntry(t0, "ops", audit.Origin.FILE, f, k, o, n) for k, o, n in file_rows]
        # Older than the window: another, earlier change of the same value, kept.
        + [
            audit.AuditEntry(
                t0 - timedelta(hours=1),
                "ops",
                audit.Origin.FILE,
                f,
                "indicators.a.target.value",
                "6",
                "6",
            )
        ],
    )
    later = t0 + timedelta(seconds=2)
    audit.record_edits(
        store,
        [
            audit.AuditEntry(
                later, "张三", audit.Origin.CLI, f, "indicators.a.target.value", "5", "6"
            ),
            audit.AuditEntry(
                later, "张三", audit.Origin.DASHBOARD, f, "indicators.a.annotations[0]", None, note
            ),
        ],
    )
    got = [(e.key, e.origin) for e in audit.history(store)]
    assert got == [
        ("indicators.a.annotations[0]", audit.Origin.DASHBOARD),
        ("indicators.a.target.value", audit.Origin.CLI),
        ("indicators.a.target.note", audit.Origin.FILE),
        ("indicators.a.target.value", audit.Origin.FILE),
    ]
    assert audit.history(store)[-1].at == t0 - timedelta(hours=1)


# ---- comments in every position, sub-tables instead of inline tables -----------------------

EVERY_POSITION = """\
#:schema ./lishi.schema.json
# a file comment

[indicators.x] # header comment
name_zh = "某" # after a value
tags = [
  "a", # inside an array
  # on its own line inside an array
  "b",
] # after the array
# before a sub-table
[indicators.x.target] # sub-table header comment
value = 5 # value comment
deadline = 2025-12-31
# last line of a sub-table

[indicators.x.thresholds]
green = 90   # aligned
amber = 80   # aligned

[[indicators.x.annotations]] # an annotation already there
text = "旧口径"
author = "李四"
at = 2021-03-01T09:00:00+08:00
# after the annotation

# introduces the pages
[pages.p]
title_zh = "页"

[[pages.p.panels]]
kind = "stat"
indicator = "x" # the file ends without a newline"""

SUBTABLE_EDITS = [
    (
        "indicators.x.target.value",
        "7",
        [("-", "value = 5 # value comment"), ("+", "value = 7 # value comment")],
    ),
    (
        "indicators.x.target.deadline",
        "2026-06-30",
        [("-", "deadline = 2025-12-31"), ("+", "deadline = 2026-06-30")],
    ),
    (
        "indicators.x.thresholds.green",
        "95",
        [("-", "green = 90   # aligned"), ("+", "green = 95   # aligned")],
    ),
    (
        "indicators.x.thresholds.amber",
        "70",
        [("-", "amber = 80   # aligned"), ("+", "amber = 70   # aligned")],
    ),
]


@pytest.mark.parametrize(
    ("key", "value", "changed"), SUBTABLE_EDITS, ids=[e[0] for e in SUBTABLE_EDITS]
)
def test_edits_in_sub_tables_change_only_their_line(
    tmp_path: Path, registry: Registry, key: str, value: str, changed: list[tuple[str, str]]
) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(EVERY_POSITION, encoding="utf-8")
    from lishi_tui.config.edit import set_key

    set_key(path, key, value, validator(registry))
    after = path.read_text(encoding="utf-8")
    assert [(line[0], line[2:]) for line in diff(EVERY_POSITION, after)] == changed


def test_a_new_key_in_a_sub_table_is_an_insertion(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(EVERY_POSITION, encoding="utf-8")
    from lishi_tui.config.edit import set_key

    set_key(path, "indicators.x.target.note", '"计划"', validator(registry))
    after = path.read_text(encoding="utf-8")
    assert diff(EVERY_POSITION, after) == ['+ note = "计划"']
    assert tomllib.loads(after)["indicators"]["x"]["target"]["note"] == "计划"


def test_annotating_a_file_with_comments_everywhere(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "lishi.toml"
    path.write_text(EVERY_POSITION, encoding="utf-8")
    add_annotation(path, "x", NOTE, "张三", AT, validator(registry))
    after = path.read_text(encoding="utf-8")
    # The block, inserted; the last line gains only the newline it lacked.
    assert diff(EVERY_POSITION, after) == [line.format(id="x") for line in BLOCK]
    assert after.endswith('indicator = "x" # the file ends without a newline\n')
    lines = after.splitlines()
    start = lines.index("[[indicators.x.annotations]]", lines.index("# after the annotation"))
    assert lines[start - 2 : start] == ["# after the annotation", ""]
    assert lines[start + 4 : start + 7] == ["", "# introduces the pages", "[pages.p]"]
    notes = tomllib.loads(after)["indicators"]["x"]["annotations"]
    assert [n["text"] for n in notes] == ["旧口径", NOTE]
