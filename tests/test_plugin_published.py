"""The ``published`` source type: readings with provenance, and located errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lishi_tui.domain.model import Qualifier, Reading
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchError, OptionKind
from tests.support.bundled import fetch_published, load_bundled

GOOD = """
[document]
title = "某区报道"
kind = "newspaper report"

[[figures]]
indicator = "requests_done"
period = "2021-10"
numerator = 1581
denominator = 1787
quote = "办结全区各级接收实事 1787 件中的 1581件"
note = "截至10月底"
note_en = "as of the end of October"

[[figures]]
indicator = "job_fair_posts"
period = "2021"
value = 18000
qualifier = "at_least"
"""


DUPLICATE = """
[[figures]]
indicator = "job_fair_posts"
period = "2021"
value = 18500
"""


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled("published")


def fetch(
    registry: Registry, path: str, base: Path, indicators: tuple[str, ...] = ()
) -> list[Reading]:
    return fetch_published(registry, path, "report", indicators=indicators, base_dir=base)


def test_path_is_a_required_path_option(registry: Registry) -> None:
    option = registry.source_types["published"].options["path"]
    assert option.kind is OptionKind.PATH and option.required


def test_readings_carry_provenance(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "figs.toml").write_text(GOOD, encoding="utf-8")
    ratio, posts = fetch(registry, "figs.toml", tmp_path)
    assert ratio.numerator == 1581 and ratio.denominator == 1787
    assert round(ratio.value or 0, 2) == 88.47
    assert ratio.period.key == "2021-10"
    assert ratio.origin == "某区报道 (figs.toml)"
    assert "1787 件中的 1581件" in ratio.note
    # The note in both languages, each after the quote (which stays as published).
    assert ratio.note_text("zh") == "“办结全区各级接收实事 1787 件中的 1581件” — 截至10月底"
    assert (
        ratio.note_text("en")
        == "“办结全区各级接收实事 1787 件中的 1581件” — as of the end of October"
    )
    assert posts.note_en == ""
    assert posts.qualifier is Qualifier.AT_LEAST and posts.value == 18000
    assert not ratio.demo and not posts.demo


def test_only_the_indicators_the_source_feeds(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "figs.toml").write_text(GOOD, encoding="utf-8")
    readings = fetch(registry, "figs.toml", tmp_path, ("job_fair_posts",))
    assert [r.indicator for r in readings] == ["job_fair_posts"]


def test_builtin_paths_point_into_the_plugins_folder(registry: Registry, tmp_path: Path) -> None:
    readings = fetch(registry, "builtin:governance/published.toml", tmp_path)
    assert {r.indicator: r.value for r in readings}["grid_cells"] == 1831
    assert all("builtin:governance/published.toml" in r.origin for r in readings)


@pytest.mark.parametrize(
    ("broken", "where", "message"),
    [
        (GOOD.replace("numerator = 1581\n", ""), "figures[0] (requests_done)", "both 'numerator'"),
        (GOOD.replace('"at_least"', '"roughly"'), "figures[1] (job_fair_posts)", "'qualifier'"),
        (GOOD.replace('"2021-10"', '"2021-13"'), "figures[0] (requests_done)", "'period'"),
        (
            GOOD.replace("value = 18000", 'value = "18000余"'),
            "figures[1] (job_fair_posts)",
            "'value'",
        ),
        (GOOD.replace("quote =", "qoute ="), "figures[0] (requests_done)", "unknown key 'qoute'"),
        (GOOD.replace('title = "某区报道"', ""), "[document]", "'title' is required"),
        (GOOD + DUPLICATE, "figures[2] (job_fair_posts)", "duplicate figure"),
    ],
)
def test_a_malformed_file_names_file_record_and_key(
    registry: Registry, tmp_path: Path, broken: str, where: str, message: str
) -> None:
    path = tmp_path / "figs.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(FetchError) as caught:
        fetch(registry, "figs.toml", tmp_path)
    assert caught.value.where == f"{path}: {where}"
    assert message in caught.value.message


def test_a_toml_syntax_error_gives_the_line(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "figs.toml"
    path.write_text(GOOD.replace("value = 18000", "value = = 18000"), encoding="utf-8")
    line = GOOD.splitlines().index("value = 18000") + 1
    with pytest.raises(FetchError, match=f"line {line}") as caught:
        fetch(registry, "figs.toml", tmp_path)
    assert caught.value.where == str(path)


def test_a_missing_file_is_a_fetch_error(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot read") as caught:
        fetch(registry, "nowhere.toml", tmp_path)
    assert caught.value.where == str(tmp_path / "nowhere.toml")


def test_every_bundled_note_has_a_chinese_and_an_english_form() -> None:
    from lishi_tui.sources.published_format import load_published

    root = Path(__file__).resolve().parents[1] / "plugins"
    files = sorted(root.glob("*/published.toml"))
    assert len(files) >= 3
    noted = 0
    for path in files:
        for fig in load_published(path).figures:
            if fig.note or fig.note_en:
                noted += 1
                assert fig.note and fig.note_en, (path.name, fig.record)
                # The Chinese form has Chinese in it; the English form reads as English.
                assert any("\u4e00" <= c <= "\u9fff" for c in fig.note), (path.name, fig.record)
                assert any(c.isascii() and c.isalpha() for c in fig.note_en), fig.record
    assert noted >= 15
