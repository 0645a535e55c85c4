"""Meta-tests of the plugin API: every hook documented, typed, implemented and reachable."""

from __future__ import annotations

import inspect
import typing

import pluggy

from lishi_tui import hookimpl, hookspecs
from lishi_tui.config.locate import bundled_plugins_dir
from lishi_tui.plugin_host import load_plugins
from lishi_tui.registry import PluginState

HOOKS = [
    name
    for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("lishi_")
]


def test_hooks_are_documented_and_typed() -> None:
    assert HOOKS == [
        "lishi_register_commands",
        "lishi_register_export_formats",
        "lishi_register_indicators",
        "lishi_register_notifiers",
        "lishi_register_panel_kinds",
        "lishi_register_source_types",
    ]
    for name in HOOKS:
        function = getattr(hookspecs, name)
        doc = inspect.getdoc(function) or ""
        assert "Runs" in doc and ":param register:" in doc and ":returns:" in doc, name
        hints = typing.get_type_hints(function)
        assert hints["return"] is type(None), name
        assert "register" in hints, name


def test_only_hookimpl_is_public_api() -> None:
    import lishi_tui

    assert lishi_tui.__all__ == ["__version__", "hookimpl"]
    assert isinstance(hookimpl, pluggy.HookimplMarker)
    assert hookimpl.project_name == hookspecs.PROJECT_NAME


def test_every_hook_is_implemented_by_a_builtin_plugin() -> None:
    registry = load_plugins(builtin_dir=bundled_plugins_dir(), env={}, include_entry_points=False)
    failed = {p.name: p.error for p in registry.plugins if p.state is not PluginState.LOADED}
    assert failed == {}
    used = {hook for p in registry.plugins for hook in p.hooks}
    assert used == set(HOOKS)
    assert {
        "csv",
        "http_json",
        "worldbank",
        "sdmx_json",
        "nbs",
        "prometheus",
        "published",
        "demo",
    } <= set(registry.source_types)


def test_the_plugin_api_imports_without_textual_or_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys, lishi_tui.hookspecs, lishi_tui.sources.api, lishi_tui.domain.status;"
        "print(sorted(m for m in ('textual', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
