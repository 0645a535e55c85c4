"""The test harness and the config loader give a plugin the same typed option values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from lishi_tui.config.errors import ConfigError
from lishi_tui.config.loader import load_config
from lishi_tui.config.options import typed_options
from lishi_tui.sources.api import Option, OptionKind, SourceType
from lishi_tui.testing import PluginHarness
from tests.support.bundled import load_bundled

REGISTRY = load_bundled()
INDICATOR = next(iter(REGISTRY.indicators))


def sample(option: Option) -> Any:
    """A value of the option's kind, as a config file would hold it."""
    if option.choices:
        return option.choices[-1]
    match option.kind:
        case OptionKind.STR:
            return "value"
        case OptionKind.INT:
            return int(option.minimum) + 1 if option.minimum is not None else 2
        case OptionKind.FLOAT:
            return float(option.minimum) + 0.5 if option.minimum is not None else 2.5
        case OptionKind.BOOL:
            return not bool(option.default)
        case OptionKind.LIST:
            return ["a", "b"]
        case OptionKind.TABLE:
            return {"区县": "离石区"}
        case OptionKind.DURATION:
            return "7m"
        case OptionKind.PATH:
            return "data/file.csv"
        case OptionKind.URL:
            return "http://127.0.0.1:9/data"
        case OptionKind.STR_OR_INT:
            return 1
    raise AssertionError(option.kind)


def loader_options(tmp_path: Path, source_type: SourceType, given: dict[str, Any]) -> Any:
    table = {"type": source_type.name, "interval": "1h", "indicator": INDICATOR, **given}
    path = tmp_path / "lishi.toml"
    path.write_text(tomli_w.dumps({"sources": {"s": table}}), encoding="utf-8")
    return dict(load_config(path, REGISTRY, {}).sources["s"].options)


def cases() -> list[Any]:
    out = []
    for name, source_type in sorted(REGISTRY.source_types.items()):
        required = {k: sample(o) for k, o in source_type.options.items() if o.required}
        every = {k: sample(o) for k, o in source_type.options.items()}
        out.append(pytest.param(source_type, required, id=f"{name}-defaults"))
        out.append(pytest.param(source_type, every, id=f"{name}-every-option"))
    return out


@pytest.mark.parametrize(("source_type", "given"), cases())
def test_harness_and_loader_agree(
    tmp_path: Path, source_type: SourceType, given: dict[str, Any]
) -> None:
    try:
        expected = loader_options(tmp_path, source_type, given)
    except ConfigError as exc:  # an option combination the type refuses: refused alike
        with pytest.raises(ConfigError):
            typed_options(source_type, given)
        assert exc.issues
        return
    assert typed_options(source_type, given) == expected
    assert set(expected) == set(source_type.options)


def test_every_option_kind_is_covered() -> None:
    kinds = {o.kind for t in REGISTRY.source_types.values() for o in t.options.values()}
    # Kinds no bundled type declares are checked against a type made for the test.
    extra = SourceType("all_kinds", lambda ctx: [], {k.value: Option(k) for k in OptionKind})
    values = typed_options(extra, {k.value: sample(Option(k)) for k in OptionKind})
    assert values["duration"] == timedelta(minutes=7)
    assert values["int"] == 2 and values["float"] == 2.5 and values["str_or_int"] == 1
    assert values["table"] == {"区县": "离石区"}
    assert kinds <= set(OptionKind)


def test_defaults_are_typed_like_given_values() -> None:
    source_type = SourceType(
        "durations", lambda ctx: [], {"step": Option(OptionKind.DURATION, default="5m")}
    )
    assert typed_options(source_type, {}) == {"step": timedelta(minutes=5)}


def test_harness_refuses_what_the_loader_refuses(tmp_path: Path) -> None:
    source_type = SourceType(
        "strict", lambda ctx: [], {"url": Option(OptionKind.URL, required=True)}
    )
    with pytest.raises(ConfigError, match="missing required option 'url'"):
        typed_options(source_type, {})
    with pytest.raises(ConfigError, match=r"sources\.under_test\.retries"):
        typed_options(source_type, {"url": "http://127.0.0.1:9/", "retries": 3})
    harness = PluginHarness(tmp_path)
    with pytest.raises(ValueError, match="missing required option 'url'"):
        harness.fetch(REGISTRY, "http_json", {})


def test_a_fetch_under_the_harness_sees_the_loaders_values(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fetch(ctx: Any) -> list[Any]:
        seen.update(ctx.options)
        return []

    options = {k.value: Option(k, default=sample(Option(k))) for k in OptionKind}
    probe = SourceType("probe", fetch, options)

    class Plugin:
        from lishi_tui.plugin import hookimpl

        @hookimpl
        def lishi_register_source_types(self, register: Any) -> None:
            register(probe)

    harness = PluginHarness(tmp_path)
    registry = harness.load("probe_plugin", Plugin())
    assert not harness.errors(registry)
    harness.fetch(registry, "probe", {})
    assert seen == typed_options(probe, {})
    assert seen["duration"] == timedelta(minutes=7)  # parsed, as the loader gives it, not "7m"
