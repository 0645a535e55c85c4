"""The TOML loader: valid files become frozen typed objects; every mistake is a located issue."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.loader import (
    build_config,
    check_config,
    load_config,
    plugin_settings,
    read_raw,
)
from lishi_tui.config.locate import (
    bundled_config_path,
    bundled_dir,
    bundled_plugins_dir,
    locate_config,
)
from lishi_tui.config.schema import PanelKind
from lishi_tui.domain.model import (
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    Reading,
    ThresholdMode,
)
from lishi_tui.domain.periods import Period
from lishi_tui.registry import Registry
from lishi_tui.sources.api import FetchContext, Option, OptionKind, SourceType
from tests.support.panel_kinds import builtin_panel_types

DATA = Path(__file__).parent / "data" / "config"
ENV = {"STATS_PATH": "gdp", "STATS_TOKEN": "tok-SECRET-123"}


def fetch_one(ctx: FetchContext) -> list[Reading]:
    return [Reading(ind, Period.year(2024), value=1.0) for ind in ctx.indicators]


def make_registry() -> Registry:
    http_json = SourceType(
        "http_json",
        fetch_one,
        {
            "url": Option(OptionKind.URL, required=True, help="where to GET"),
            "headers": Option(OptionKind.TABLE, default={}),
            "token": Option(OptionKind.STR, secret=True),
            "retries": Option(OptionKind.INT, default=1),
            "scale": Option(OptionKind.FLOAT, default=1.0),
            "format": Option(OptionKind.STR, default="json", choices=("json", "csv")),
            "every": Option(OptionKind.DURATION, default="1m"),
        },
    )
    published = SourceType("published", fetch_one, {"path": Option(OptionKind.PATH, required=True)})
    gdp = Indicator(
        "gdp_growth", "地区生产总值增速", "GDP growth", unit="%", plugin="economy", decimals=1
    )
    return Registry(
        panel_types=builtin_panel_types(),
        source_types={"http_json": http_json, "published": published},
        indicators={"gdp_growth": gdp},
    )


def write(tmp_path: Path, text: str, name: str = "lishi.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def issues_of(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[ConfigIssue]:
    return check_config(write(tmp_path, text), make_registry(), env or {})


def only_issue(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigIssue:
    found = issues_of(tmp_path, text, env)
    assert len(found) == 1, found
    return found[0]


MINIMAL = """\
[sources.s]
type = "published"
interval = "1h"
indicator = "gdp_growth"
path = "x.toml"
"""


# ---- a valid file --------------------------------------------------------------------------


def test_valid_config_loads_into_frozen_typed_objects(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(DATA / "valid.toml", path)
    config = load_config(path, make_registry(), ENV)

    assert config.path == path
    assert config.app.language == "en" and config.app.low_bandwidth and not config.app.demo
    assert config.app.refresh == timedelta(milliseconds=500)
    assert config.app.collector == "off"
    assert config.plugins.dirs == (tmp_path / "extra-plugins", Path("~/more").expanduser())
    assert config.plugins.timeout == timedelta(seconds=2)
    assert config.storage.backend == "sqlite"
    assert config.storage.path == tmp_path / "data" / "lishi.db"
    assert config.collector.max_backoff == timedelta(hours=1, minutes=30)
    assert config.collector.max_bytes == 1048576 and config.collector.retries == 3

    req = config.indicators["requests_done"]
    assert req.plugin == "config" and req.name_en == "Citizen requests handled"
    assert req.direction is Direction.HIGHER and req.frequency is Frequency.MONTHLY
    assert req.measure is MeasureKind.RATIO
    assert req.baseline is not None and req.baseline.on == date(2021, 1, 1)
    assert req.target is not None and req.target.deadline == date(2021, 12, 31)
    assert req.thresholds is not None
    assert req.thresholds.mode is ThresholdMode.PERCENT_OF_TARGET
    assert req.stale_after == timedelta(days=60)
    assert req.tags == ("民生", "livelihood")
    # An indicator's source defaults to the first source that lists it.
    assert req.source == "economy_api"

    api = config.sources["economy_api"]
    assert api.interval == timedelta(hours=1) and api.timeout == timedelta(seconds=20)
    assert api.indicators == ("gdp_growth", "requests_done")
    assert api.options["url"] == "https://stats.example.org/api/gdp"
    assert api.options["headers"] == {"Authorization": "Bearer tok-SECRET-123"}
    # Defaults are filled in and typed; durations are parsed.
    assert api.options["retries"] == 1 and api.options["format"] == "json"
    assert api.options["every"] == timedelta(minutes=1)
    assert api.allow_redirects_to == ("mirror.example.org",)
    assert set(api.secrets) == {"gdp", "tok-SECRET-123", "literal-secret"}
    report = config.sources["report"]
    assert report.indicators == ("requests_done",) and not report.enabled
    assert report.options == {"path": "builtin:livelihood/published.toml"}

    assert [p.id for p in config.pages] == ["民生", "economy"]
    panels = config.pages[0].panels
    assert panels[0].kind == PanelKind.GAUGE and panels[0].indicators == ("requests_done",)
    assert panels[1].kind == PanelKind.TABLE and panels[1].width == 2
    assert config.pages[1].panels == ()

    with pytest.raises(dataclasses.FrozenInstanceError):
        config.app.language = "zh"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.sources["new"] = api  # type: ignore[index]
    with pytest.raises(TypeError):
        api.options["url"] = "http://elsewhere"  # type: ignore[index]


def test_plugin_indicator_merged_with_config_overrides(tmp_path: Path) -> None:
    path = tmp_path / "lishi.toml"
    shutil.copy(DATA / "valid.toml", path)
    config = load_config(path, make_registry(), ENV)
    gdp = config.indicators["gdp_growth"]
    # Overridden by the config ...
    assert gdp.decimals == 2
    assert gdp.target is not None and gdp.target.value == 7.0
    assert gdp.target.note == "five-year plan"
    # ... and kept from the plugin.
    assert gdp.name_zh == "地区生产总值增速" and gdp.unit == "%" and gdp.plugin == "economy"
    assert gdp.source == "economy_api"


def test_empty_file_is_valid_and_uses_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), make_registry(), {})
    assert config.sources == {} and config.pages == ()
    assert config.storage.path is not None and config.storage.path.name == "lishi.db"
    assert "gdp_growth" in config.indicators  # plugin indicators are known without config


def test_source_without_indicators_feeds_an_empty_tuple(tmp_path: Path) -> None:
    text = '[sources.s]\ntype = "published"\ninterval = "5m"\npath = "a"\n'
    config = load_config(write(tmp_path, text), make_registry(), {})
    assert config.sources["s"].indicators == ()


# ---- each kind of mistake, located ----------------------------------------------------------


def test_bad_toml_syntax_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, '[app]\nlanguage = "zh"\ndemo = tru\n')
    with pytest.raises(ConfigError) as info:
        read_raw(path)
    (issue,) = info.value.issues
    assert issue.file == path and issue.line == 3
    assert "syntax" in issue.message
    assert str(issue).startswith(f"{path}:3: ")
    assert check_config(path, make_registry(), {})[0].line == 3


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    text = MINIMAL.replace('interval = "1h"', 'interval = "1h"\nintervall = "2h"')
    issue = only_issue(tmp_path, text)
    assert (issue.line, issue.key, issue.suggestion) == (4, "sources.s.intervall", "interval")
    assert str(issue).endswith("sources.s.intervall: unknown key (did you mean 'interval'?)")


def test_unknown_key_in_app_and_top_level(tmp_path: Path) -> None:
    found = issues_of(tmp_path, '[app]\nlangauge = "en"\n\n[storge]\npath = "x"\n')
    assert [(i.line, i.key, i.suggestion) for i in found] == [
        (2, "app.langauge", "language"),
        (4, "storge", "storage"),
    ]


def test_wrong_type(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, "[collector]\n\nuser_agent = 12\n")
    assert (issue.line, issue.key) == (3, "collector.user_agent")
    assert "expected a string, got an integer" in issue.message


def test_bool_is_not_an_int(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, "[collector]\nretries = true\n")
    assert (issue.line, issue.key) == (2, "collector.retries")
    assert "expected an integer, got a boolean" in issue.message
    opt = only_issue(
        tmp_path,
        MINIMAL.replace("published", "http_json").replace(
            'path = "x.toml"', 'url = "http://h/"\nretries = false'
        ),
    )
    assert (opt.line, opt.key) == (6, "sources.s.retries")


def test_unknown_source_type_suggests_a_registered_one(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, MINIMAL.replace('"published"', '"pubished"'))
    assert (issue.line, issue.key, issue.suggestion) == (2, "sources.s.type", "published")
    assert "'http_json', 'published'" in issue.message


def test_missing_required_option_and_required_keys(tmp_path: Path) -> None:
    text = '[sources.s]\ntype = "http_json"\nindicator = "gdp_growth"\n'
    found = issues_of(tmp_path, text)
    messages = {i.message.split(" (")[0]: i for i in found}
    assert set(messages) == {"missing required key 'interval'", "missing required option 'url'"}
    assert all(i.line == 1 and i.key == "sources.s" for i in found)
    assert "where to GET" in messages["missing required option 'url'"].message


def test_bad_duration(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, MINIMAL.replace('"1h"', '"1 hour"'))
    assert (issue.line, issue.key) == (3, "sources.s.interval")
    assert "not a duration" in issue.message


def test_unknown_indicator_in_a_source_and_in_a_panel(tmp_path: Path) -> None:
    text = MINIMAL.replace('"gdp_growth"', '"gdp_growht"') + (
        '\n[pages.p]\ntitle_zh = "页"\n\n[[pages.p.panels]]\nkind = "stat"\n'
        '\n[[pages.p.panels]]\nkind = "chart"\nindicators = ["gdp_growth", "nope"]\n'
    )
    found = issues_of(tmp_path, text)
    assert [(i.line, i.key, i.suggestion) for i in found] == [
        (4, "sources.s.indicator", "gdp_growth"),
        (10, "pages.p.panels[0]", None),  # a panel needs an indicator
        (15, "pages.p.panels[1].indicators[1]", None),
    ]
    assert "unknown indicator 'nope'" in found[2].message


def test_bad_enum_values(tmp_path: Path) -> None:
    text = (
        '[app]\nlanguage = "fr"\n\n[indicators.x]\nname_zh = "x"\ndirection = "up"\n'
        'frequency = "weekly"\nthresholds = { green = 1, amber = 2, mode = "absolut" }\n'
        '\n[pages.p]\ntitle_zh = "p"\n[[pages.p.panels]]\nkind = "pie"\nindicator = "x"\n'
    )
    found = issues_of(tmp_path, text)
    assert [(i.line, i.key) for i in found] == [
        (2, "app.language"),
        (6, "indicators.x.direction"),
        (7, "indicators.x.frequency"),
        (8, "indicators.x.thresholds.mode"),
        (13, "pages.p.panels[0].kind"),
    ]
    assert found[3].suggestion == "absolute"


def test_bad_dates(tmp_path: Path) -> None:
    text = '[indicators.x]\nname_zh = "x"\nbaseline = { value = 1, on = "2021-13-01" }\n'
    issue = only_issue(tmp_path, text)
    assert (issue.line, issue.key) == (3, "indicators.x.baseline.on")


def test_missing_env_variable_is_named_but_no_value_is_printed(tmp_path: Path) -> None:
    text = MINIMAL.replace("published", "http_json").replace(
        'path = "x.toml"',
        'url = "https://h/${HOST_PART}"\nheaders = { X-Key = "${MISSING_KEY}" }',
    )
    issue = only_issue(tmp_path, text, {"HOST_PART": "hidden-value-42"})
    assert (issue.line, issue.key) == (6, "sources.s.headers.X-Key")
    assert "MISSING_KEY" in issue.message
    assert "hidden-value-42" not in str(issue)


def test_secret_values_never_appear_in_issues(tmp_path: Path) -> None:
    text = MINIMAL.replace("published", "http_json").replace(
        'path = "x.toml"', 'url = "${API_URL}"\nformat = "${FMT}"'
    )
    found = issues_of(tmp_path, text, {"API_URL": "ftp://user:pw-777@h", "FMT": "xml-999"})
    assert [i.key for i in found] == ["sources.s.url", "sources.s.format"]
    assert not any("pw-777" in str(i) or "xml-999" in str(i) for i in found)


def test_indicator_and_indicators_together(tmp_path: Path) -> None:
    text = MINIMAL.replace('path = "x.toml"', 'path = "x"\nindicators = ["gdp_growth"]')
    issue = only_issue(tmp_path, text)
    assert (issue.line, issue.key) == (6, "sources.s.indicators")


def test_config_only_indicator_needs_name_zh_and_source_must_exist(tmp_path: Path) -> None:
    text = '\n[indicators.x]\nname_en = "X"\n\n[indicators.gdp_growth]\nsource = "nowhere"\n'
    found = issues_of(tmp_path, text)
    assert [(i.line, i.key) for i in found] == [
        (2, "indicators.x"),
        (6, "indicators.gdp_growth.source"),
    ]


def test_storage_backend_rules(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, '[storage]\nbackend = "postgresql"\n')
    assert (issue.line, issue.key) == (2, "storage.backend") and "url" in issue.message
    issue = only_issue(tmp_path, '[storage]\nbackend = "mysql"\n')
    assert "not one of" in issue.message
    config = load_config(
        write(tmp_path, '[storage]\nbackend = "postgresql"\nurl = "postgresql://${PGU}@h/db"\n'),
        make_registry(),
        {"PGU": "me"},
    )
    assert config.storage.url == "postgresql://me@h/db"


def test_several_errors_in_one_file_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    shutil.copy(DATA / "broken.toml", path)
    with pytest.raises(ConfigError) as info:
        load_config(path, make_registry(), {})
    found = [(i.line, i.key) for i in info.value.issues]
    assert found == [
        (3, "app.refresh"),
        (6, "collector.retries"),
        (7, "collector.max_concurency"),
        (11, "sources.a.type"),
        (16, "sources.b.url"),
        (17, "sources.b.formt"),
        (20, "pages.p"),  # title_zh is required
        (21, "pages.p.panels[0].indicator"),
    ]
    text = str(info.value)
    assert text.count("\n") == len(found) - 1
    assert f"{path}:7: collector.max_concurency: unknown key (did you mean 'max_concurrency'?)" in (
        text.splitlines()
    )


# ---- phase 1 and locating ---------------------------------------------------------------------


def test_plugin_settings_with_env_lists(tmp_path: Path) -> None:
    raw = read_raw(write(tmp_path, '[plugins]\ndirs = ["p"]\nallow = ["a"]\ndeny = ["d"]\n'))
    settings = plugin_settings(
        raw, {"LISHI_TUI_PLUGINS_ALLOW": "b, c,,a", "LISHI_TUI_PLUGINS_DENY": "e"}
    )
    assert settings.dirs == (tmp_path / "p",)
    assert settings.allow == ("a", "b", "c") and settings.deny == ("d", "e")
    with pytest.raises(ConfigError) as info:
        plugin_settings(read_raw(write(tmp_path, "[plugins]\ntimeout = 5\n")), {})
    assert info.value.issues[0].key == "plugins.timeout"
    # Phase 1 ignores what only phase 2 can judge.
    raw = read_raw(write(tmp_path, '[sources.s]\ntype = "unknown"\n'))
    assert plugin_settings(raw, {}).allow == ()
    with pytest.raises(ConfigError):
        build_config(raw, make_registry(), {})


def test_locate_config_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cli = write(tmp_path, "", "cli.toml")
    from_env = write(tmp_path, "", "env.toml")
    assert locate_config(cli, {"LISHI_TUI_CONFIG": str(from_env)}) == cli
    assert locate_config(None, {"LISHI_TUI_CONFIG": str(from_env)}) == from_env
    assert locate_config(None, {}) == bundled_config_path()
    user = tmp_path / "xdg" / "lishi-tui" / "lishi.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert locate_config(None, {}) == user
    with pytest.raises(ConfigError) as info:
        locate_config(None, {"LISHI_TUI_CONFIG": str(tmp_path / "gone.toml")})
    assert "gone.toml" in str(info.value) and "LISHI_TUI_CONFIG" in str(info.value)
    with pytest.raises(ConfigError):
        locate_config(tmp_path / "missing.toml", {})


def test_bundled_dir_is_the_checkout_root() -> None:
    assert (bundled_dir() / "plugins").is_dir()
    assert bundled_plugins_dir() == bundled_dir() / "plugins"
    assert bundled_config_path() == bundled_dir() / "config" / "lishi.toml"
