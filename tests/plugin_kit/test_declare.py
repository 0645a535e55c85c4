"""Declared plugins: source types that are a parse function and options, hooks made from lists,
and indicators read from a TOML file in the config's own format, each with located errors."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lishi_tui.config.errors import ConfigError
from lishi_tui.config.schema import CollectorSettings, SourceConfig
from lishi_tui.domain.model import Reading
from lishi_tui.domain.periods import Period
from lishi_tui.plugin import (
    HTTP_OPTIONS,
    file_source_type,
    http_source_type,
    indicators_hook,
    load_indicators,
    source_types_hook,
)
from lishi_tui.plugin_host import PluginHost
from lishi_tui.registry import PluginState
from lishi_tui.sources.api import FetchContext, FetchError, Option, OptionKind
from lishi_tui.sources.http import HttpClient
from lishi_tui.testing import PluginHarness
from tests.support.httpserver import LocalHTTPServer

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def parse_figure(
    content: bytes, options: Mapping[str, Any], *, indicator: str, origin: str
) -> list[Reading]:
    """The body is {"year": ..., "value": ...}: one reading."""
    doc = json.loads(content)
    return [Reading(indicator, Period.year(doc["year"]), doc["value"], origin=origin)]


OPTIONS = {
    "url": Option(OptionKind.URL, required=True),
    "params": Option(OptionKind.TABLE, default={}),
} | HTTP_OPTIONS
OFFICE = http_source_type(
    "office_api",
    parse_figure,
    OPTIONS,
    description="an office's API",
    headers=lambda options: {"Accept": "application/json", "X-Client": "lishi"},
)


def office_plugin() -> object:
    return SimpleNamespace(lishi_register_source_types=source_types_hook(OFFICE))


def test_a_declared_http_type_sends_params_and_headers_the_configured_ones_win(
    lishi_plugin: PluginHarness, http_server: LocalHTTPServer
) -> None:
    http_server.route("/figure", json.dumps({"year": 2021, "value": 51.5}), content_type="a/json")
    registry = lishi_plugin.load("office", office_plugin())
    assert lishi_plugin.errors(registry) == {}
    record = registry.plugin("office")
    assert record is not None and record.hooks == ["lishi_register_source_types"]
    options = {
        "url": http_server.url("/figure?b=2"),
        "params": {"a": 1},
        "headers": {"Accept": "text/json", "Authorization": "Bearer t0k"},
    }
    (reading,) = lishi_plugin.fetch(registry, "office_api", options, indicators=["share"])
    assert (reading.indicator, reading.period.key, reading.value) == ("share", "2021", 51.5)
    assert reading.origin.startswith(http_server.url("/figure?"))
    (request,) = http_server.requests_to("/figure")
    assert request.param("a") == "1" and request.param("b") == "2"
    assert request.headers["accept"] == "text/json"  # the configured header overrides
    assert request.headers["x-client"] == "lishi"  # the type's own header is kept
    assert request.headers["authorization"] == "Bearer t0k"


def test_the_headers_option_is_declared_once_and_secret() -> None:
    assert dict(HTTP_OPTIONS) == {
        "headers": Option(OptionKind.TABLE, default={}, secret=True, help="HTTP headers")
    }
    with pytest.raises(TypeError):
        HTTP_OPTIONS["x"] = Option(OptionKind.STR)  # type: ignore[index]


def _context(client: HttpClient, url: str, state: dict[str, Any]) -> FetchContext:
    options = {"url": url, "params": {}, "headers": {}}
    source = SourceConfig("office", "office_api", timedelta(hours=1), ("share",), options)
    return FetchContext(
        "office", options, ("share",), client.for_source(source, state), NOW, Path(), Path()
    )


async def fetch_once(ctx: FetchContext) -> Sequence[Reading]:
    pending = OFFICE.fetch(ctx)
    assert inspect.isawaitable(pending)  # a declared HTTP type's fetch is async
    return await pending


async def test_a_304_replays_the_kept_body_to_the_parse_function(
    http_server: LocalHTTPServer,
) -> None:
    body = json.dumps({"year": 2021, "value": 96}).encode()
    http_server.route("/kept", body, content_type="application/json", etag='"v1"')
    client = HttpClient(CollectorSettings())
    state: dict[str, Any] = {}
    try:
        first = await fetch_once(_context(client, http_server.url("/kept"), state))
        second = await fetch_once(_context(client, http_server.url("/kept"), state))
    finally:
        await client.aclose()
    assert first == second and [r.value for r in second] == [96]
    requests = http_server.requests_to("/kept")
    assert "if-none-match" not in requests[0].headers
    assert requests[1].headers["if-none-match"] == '"v1"'


def test_a_declared_file_type_checks_first_then_reads_path_or_url(
    lishi_plugin: PluginHarness, tmp_path: Path
) -> None:
    checked: list[str] = []
    options = {
        "path": Option(OptionKind.PATH),
        "url": Option(OptionKind.URL),
    } | HTTP_OPTIONS
    kind = file_source_type(
        "office_file", parse_figure, options, check=lambda: checked.append("checked")
    )
    registry = lishi_plugin.load(
        "files", SimpleNamespace(lishi_register_source_types=source_types_hook(kind))
    )
    (tmp_path / "f.json").write_text('{"year": 2020, "value": 7}', encoding="utf-8")
    (reading,) = lishi_plugin.fetch(
        registry, "office_file", {"path": "f.json"}, indicators=["x"], base_dir=tmp_path
    )
    assert (reading.value, reading.origin, checked) == (7, str(tmp_path / "f.json"), ["checked"])
    with pytest.raises(FetchError, match="needs exactly one of `path` and `url`"):
        lishi_plugin.fetch(registry, "office_file", {}, indicators=["x"])


INDICATOR_TOML = """\
[indicators.tertiary_share]
name_zh = "第三产业占比"
name_en = "Tertiary share"
unit = "%"
measure = "share"
stale_after = "2h"
tags = ["经济"]

[indicators.projects]
name_zh = "转型项目"
decimals = 0
"""


def test_indicators_load_in_the_config_format_in_file_order(tmp_path: Path) -> None:
    module = tmp_path / "office" / "__init__.py"
    module.parent.mkdir()
    (module.parent / "indicators.toml").write_text(INDICATOR_TOML, encoding="utf-8")
    share, projects = load_indicators(module)
    assert (share.id, share.name_en, share.unit, share.measure) == (
        "tertiary_share",
        "Tertiary share",
        "%",
        "share",
    )
    assert share.stale_after == timedelta(hours=2) and share.tags == ("经济",)
    assert (projects.id, projects.name_en, projects.decimals, projects.plugin) == (
        "projects",
        "",
        0,
        "",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[indicators.a]\nname_zh = "甲"\ndecimals = "two"\n', r"indicators\.toml:3: .*decimals"),
        ('[indicators.a]\nname_en = "A"\n', r"indicators\.toml:1: .*name_zh is required"),
        ('[indicators.a]\nname_zh = "甲"\nunits = "%"\n', r":3: .*unknown key.*'unit'"),
        ('[indicator.a]\nname_zh = "甲"\n', r":1: indicator: unknown table"),
        ("# nothing yet\n", r"declares no indicators"),
        ('[indicators.a\nname_zh = "甲"\n', r"indicators\.toml:1"),
    ],
)
def test_a_bad_indicator_file_names_file_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_indicators(path)


PACKAGE = """\
from lishi_tui.plugin import indicators_hook, load_indicators

INDICATORS = load_indicators(__file__)
lishi_register_indicators = indicators_hook(INDICATORS)
"""


def test_a_folder_plugin_of_two_lines_registers_its_file_and_a_bad_file_fails_it_alone(
    tmp_path: Path,
) -> None:
    for name, toml in (("office", INDICATOR_TOML), ("broken", "[indicators.b]\nname_zh = 3\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "__init__.py").write_text(PACKAGE, encoding="utf-8")
        (folder / "indicators.toml").write_text(toml, encoding="utf-8")
    host = PluginHost(builtin_dir=tmp_path, env={}, include_entry_points=False)
    registry = host.load()
    office, broken = registry.plugin("office"), registry.plugin("broken")
    assert office is not None and broken is not None
    assert office.state is PluginState.LOADED and office.indicators == [
        "tertiary_share",
        "projects",
    ]
    assert registry.indicators["projects"].plugin == "office"
    assert broken.state is PluginState.FAILED
    assert "indicators.toml:2: indicators.b.name_zh" in broken.errors[0]


def test_a_hook_made_from_a_list_registers_it_in_order() -> None:
    seen: list[Any] = []
    hook = indicators_hook(iter(load_indicators_from_text()))
    hook(seen.append)
    hook(seen.append)  # the list is kept, not a spent iterator
    assert [i.id for i in seen] == ["tertiary_share", "projects"] * 2


def load_indicators_from_text() -> tuple[Any, ...]:
    from lishi_tui.plugin import Indicator

    return (Indicator("tertiary_share", "第三产业占比", ""), Indicator("projects", "转型项目", ""))
