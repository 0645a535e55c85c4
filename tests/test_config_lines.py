"""The line scanner that locates TOML key paths, on headers and values that are easy to misread."""

from __future__ import annotations

import tomllib

from lishi_tui.config.lines import LineMap, format_key_path

TRICKY = '''\
# comment with [fake.header] and key = 1
[app]
language = "zh"  # trailing = comment
note = """
fake = "not a key"
[not.a.header]
"""
lit = \'\'\'also = not a key\'\'\'

[ sources . "cn.gdp" ]
type = "http_json"
headers = { Authorization = "Bearer ${T}", "X-Trace" = "a,b}" }
a.b.c = 1
list = [
  { k = 1 },
  { k = 2, deep = { z = [1, 2] } },
]
'quoted key' = 2021-05-27 07:32:00

[[pages.eco.panels]]
kind = "stat"

[[pages.eco.panels]]
kind = "gauge"

[pages.eco.panels.style]
color = "red"

[[pages."民生".panels]]
kind = "table"
'''


def test_tricky_text_is_valid_toml() -> None:
    assert tomllib.loads(TRICKY)["pages"]["eco"]["panels"][1]["style"]["color"] == "red"


def test_headers_with_quoted_keys_and_array_indexes() -> None:
    lines = LineMap(TRICKY)
    assert lines.exact(("app",)) == 2
    assert lines.exact(("sources", "cn.gdp")) == 10
    assert lines.exact(("sources", "cn.gdp", "type")) == 11
    assert lines.exact(("pages", "eco", "panels", 0)) == 20
    assert lines.exact(("pages", "eco", "panels", 0, "kind")) == 21
    assert lines.exact(("pages", "eco", "panels", 1)) == 23
    assert lines.exact(("pages", "eco", "panels", 1, "kind")) == 24
    # A sub-table of an array of tables belongs to its latest element.
    assert lines.exact(("pages", "eco", "panels", 1, "style", "color")) == 27
    assert lines.exact(("pages", "民生", "panels", 0, "kind")) == 30


def test_keys_inside_inline_tables_dotted_keys_and_arrays() -> None:
    lines = LineMap(TRICKY)
    src = ("sources", "cn.gdp")
    assert lines.exact((*src, "headers", "Authorization")) == 12
    assert lines.exact((*src, "headers", "X-Trace")) == 12
    assert lines.exact((*src, "a", "b", "c")) == 13
    assert lines.exact((*src, "list", 1, "k")) == 16
    assert lines.exact((*src, "list", 1, "deep", "z", 1)) == 16
    assert lines.exact((*src, "quoted key")) == 18


def test_strings_and_comments_are_not_keys() -> None:
    lines = LineMap(TRICKY)
    assert lines.exact(("app", "note")) == 4
    assert lines.exact(("app", "lit")) == 8
    assert lines.exact(("fake",)) is None
    assert lines.exact(("app", "fake")) is None
    assert lines.exact(("not",)) is None
    assert lines.exact(("app", "also")) is None


def test_line_of_falls_back_to_the_enclosing_table() -> None:
    lines = LineMap(TRICKY)
    assert lines.line_of(("pages", "eco", "panels", 1, "missing")) == 23
    assert lines.line_of(("nothing", "here")) is None


def test_format_key_path() -> None:
    assert format_key_path(("pages", "eco", "panels", 1, "kind")) == "pages.eco.panels[1].kind"
    assert format_key_path(("sources", "cn.gdp", "type")) == 'sources."cn.gdp".type'
    assert format_key_path(("pages", "民生")) == 'pages."民生"'
