"""Plugin discovery and isolation: one bad plugin never stops the others."""

from __future__ import annotations

import functools
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from lishi_tui.config.schema import PluginSettings
from lishi_tui.plugin_host import load_plugins
from lishi_tui.registry import PluginOrigin, PluginState

GOOD = '''
"""A good plugin."""
from lishi_tui import hookimpl
from lishi_tui.domain.model import Indicator, Reading
from lishi_tui.domain.periods import Period
from lishi_tui.sources.api import Option, OptionKind, SourceType

__version__ = "1.2.3"

async def fetch(ctx):
    return [Reading(ctx.indicator, Period.year(2021), 51.0, origin="report")]

@hookimpl
def lishi_register_source_types(register):
    register(SourceType("good_type", fetch, {"note": Option(OptionKind.STR)}))

@hookimpl
def lishi_register_indicators(register):
    register(Indicator("tertiary_share", "第三产业占比", "Tertiary share", unit="%"))
'''

BAD_PLUGINS = {
    "import_error.py": "raise RuntimeError('broken at import')\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "raises.py": """
from lishi_tui import hookimpl
@hookimpl
def lishi_register_indicators(register):
    raise ValueError("no indicators today")
""",
    "hangs.py": """
import time
from lishi_tui import hookimpl
@hookimpl
def lishi_register_source_types(register):
    time.sleep(30)
""",
    "garbage.py": """
from lishi_tui import hookimpl
@hookimpl
def lishi_register_source_types(register):
    register("not a source type")
""",
    "misspelled.py": """
from lishi_tui import hookimpl
@hookimpl
def lishi_register_indicator(register):
    pass
""",
    "undecorated.py": """
def lishi_register_indicators(register):
    pass
""",
    "later_duplicate.py": """
from lishi_tui import hookimpl
from lishi_tui.sources.api import SourceType
def fetch(ctx):
    return []
@hookimpl
def lishi_register_source_types(register):
    register(SourceType("good_type", fetch))
""",
}


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "good.py").write_text(GOOD, encoding="utf-8")
    for name, body in BAD_PLUGINS.items():
        (folder / name).write_text(textwrap.dedent(body), encoding="utf-8")
    package = folder / "packaged"
    package.mkdir()
    (package / "__init__.py").write_text("from .hooks import *  # noqa\n", encoding="utf-8")
    (package / "hooks.py").write_text(
        textwrap.dedent("""
        from lishi_tui import hookimpl
        from lishi_tui.domain.model import Indicator
        @hookimpl
        def lishi_register_indicators(register):
            register(Indicator("grid_cells", "末端网格", "Grid cells", unit="个"))
        """),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True)
def _forget_loaded_modules() -> Iterator[None]:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("lishi_tui_plugins"):
            del sys.modules[name]


def settings(timeout: float = 0.5, **kwargs: tuple[str, ...]) -> PluginSettings:
    return PluginSettings(timeout=timedelta(seconds=timeout), **kwargs)  # type: ignore[arg-type]


def test_bad_plugins_are_recorded_and_good_ones_work(plugin_dir: Path, tmp_path: Path) -> None:
    registry = load_plugins(settings(), builtin_dir=plugin_dir, env={}, include_entry_points=False)
    by_name = {p.name: p for p in registry.plugins}

    good = by_name["good"]
    assert good.state is PluginState.LOADED, good.error
    assert good.version == "1.2.3"
    assert good.hooks == ["lishi_register_indicators", "lishi_register_source_types"]
    assert "good_type" in registry.source_types
    assert registry.indicators["tertiary_share"].plugin == "good"
    assert by_name["packaged"].state is PluginState.LOADED
    assert "grid_cells" in registry.indicators

    def error(name: str) -> str:
        record = by_name[name]
        assert record.state is PluginState.FAILED, name
        return record.error or ""

    assert "RuntimeError: broken at import" in error("import_error")
    assert "import_error.py:1" in error("import_error")
    assert "SystemExit" in error("exits")
    assert "ValueError: no indicators today" in error("raises")
    assert "did not return within 0.5 s" in error("hangs")
    assert "expected a SourceType" in error("garbage")
    assert "unknown hook 'lishi_register_indicator'" in error("misspelled")
    assert "did you mean 'lishi_register_indicators'" in error("misspelled")
    assert "already registered by plugin 'good'" in error("later_duplicate")
    assert "not decorated with @hookimpl" in (by_name["undecorated"].error or "")


def test_loading_twice_is_idempotent(plugin_dir: Path) -> None:
    first = load_plugins(settings(), builtin_dir=plugin_dir, env={}, include_entry_points=False)
    second = load_plugins(settings(), builtin_dir=plugin_dir, env={}, include_entry_points=False)
    assert sorted(first.source_types) == sorted(second.source_types)
    assert second.plugin("good") is not None
    assert second.plugin("good").state is PluginState.LOADED  # type: ignore[union-attr]


def test_allow_and_deny(plugin_dir: Path) -> None:
    registry = load_plugins(
        settings(allow=("good", "packaged", "hangs")),
        builtin_dir=plugin_dir,
        env={"LISHI_TUI_PLUGINS_DENY": "hangs, packaged"},
        include_entry_points=False,
    )
    states = {p.name: p.state for p in registry.plugins}
    assert states["good"] is PluginState.LOADED
    assert states["hangs"] is PluginState.BLOCKED
    assert states["packaged"] is PluginState.BLOCKED
    assert states["raises"] is PluginState.BLOCKED
    assert "grid_cells" not in registry.indicators


def test_plugin_dirs_from_settings(tmp_path: Path, plugin_dir: Path) -> None:
    registry = load_plugins(
        settings(dirs=(plugin_dir,)),  # type: ignore[arg-type]
        builtin_dir=tmp_path / "empty",
        env={},
        include_entry_points=False,
    )
    good = registry.plugin("good")
    assert good is not None and good.origin is PluginOrigin.DIRECTORY


def test_entry_point_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "lishi_ep_demo").mkdir(parents=True)
    (site / "lishi_ep_demo" / "__init__.py").write_text(GOOD.replace("good_type", "ep_type"))
    dist = site / "lishi_ep_demo-0.4.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lishi-ep-demo\nVersion: 0.4.0\n")
    (dist / "entry_points.txt").write_text("[lishi_tui]\nep_demo = lishi_ep_demo\n")
    monkeypatch.syspath_prepend(str(site))
    registry = load_plugins(settings(), builtin_dir=tmp_path / "none", env={})
    record = registry.plugin("ep_demo")
    assert record is not None and record.state is PluginState.LOADED, record
    assert record.origin is PluginOrigin.ENTRY_POINT
    assert record.version == "0.4.0"
    assert "ep_type" in registry.source_types
    sys.modules.pop("lishi_ep_demo", None)


def test_hooks_found_are_pluggys_own(tmp_path: Path) -> None:
    """The manager reads module attributes from ``__dict__`` (a fast path): it must find the
    same hook implementations as pluggy's plain manager, on every bundled plugin module and
    on a module holding every kind of attribute pluggy looks at."""
    import types

    import pluggy

    from lishi_tui import hookspecs
    from lishi_tui.plugin import hookimpl
    from lishi_tui.plugin_host import PluginHost

    class Holder:
        @staticmethod
        @hookimpl
        def lishi_register_indicators(register: object) -> None: ...

    @hookimpl
    def lishi_register_source_types(register: object) -> None: ...

    odd = types.ModuleType("odd")
    odd.lishi_register_source_types = lishi_register_source_types  # type: ignore[attr-defined]
    odd.lishi_register_indicators = Holder.lishi_register_indicators  # type: ignore[attr-defined]
    odd.lishi_register_notifiers = Holder  # type: ignore[attr-defined]  # a class: not a hook
    odd.something = 3  # type: ignore[attr-defined]

    def lishi_register_commands(register: object) -> None: ...  # a hook's name, not marked

    @functools.wraps(lishi_register_source_types)
    def wrapped(register: object) -> None: ...  # the mark comes along in __dict__

    odd.lishi_register_commands = lishi_register_commands  # type: ignore[attr-defined]
    odd.lishi_register_export_formats = wrapped  # type: ignore[attr-defined]

    host = PluginHost(PluginSettings())
    host.load()
    modules = [m for m in sys.modules.values() if m.__name__.startswith("lishi_tui_plugins.")]
    assert len(modules) >= 10
    for module in [*modules, odd]:
        ours, plain = host.pm.__class__("lishi_tui"), pluggy.PluginManager("lishi_tui")
        found = []
        for manager in (ours, plain):
            manager.add_hookspecs(hookspecs)
            manager.register(module)
            found.append(sorted(c.name for c in manager.get_hookcallers(module) or []))
        assert found[0] == found[1], module.__name__
    assert found[0] == [
        "lishi_register_export_formats",
        "lishi_register_indicators",
        "lishi_register_source_types",
    ]


THREAD_NOTE = """
import threading
from lishi_tui import hookimpl
from lishi_tui.domain.model import Indicator

@hookimpl
def lishi_register_indicators(register):
    # How many hooks this thread has run, this one included (an ident could be reused).
    thread = threading.current_thread()
    thread.hooks_run = getattr(thread, "hooks_run", 0) + 1
    register(Indicator("{name}", "线程", str(thread.hooks_run)))
"""


def test_hooks_share_one_thread_until_one_hangs(tmp_path: Path) -> None:
    """Registration hooks run one at a time in one worker thread; a hung one is left
    behind with its thread, and the next plugin's hook runs, in a new thread."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    for name in ("a_first", "b_second", "d_after"):
        (folder / f"{name}.py").write_text(THREAD_NOTE.format(name=name), encoding="utf-8")
    (folder / "c_hangs.py").write_text(
        "import time\nfrom lishi_tui import hookimpl\n"
        "@hookimpl\ndef lishi_register_indicators(register):\n    time.sleep(30)\n",
        encoding="utf-8",
    )
    registry = load_plugins(settings(), builtin_dir=folder, env={}, include_entry_points=False)
    runs = {iid: registry.indicators[iid].name_en for iid in ("a_first", "b_second", "d_after")}
    assert runs == {"a_first": "1", "b_second": "2", "d_after": "1"}
    record = registry.plugin("c_hangs")
    assert record is not None and record.state is PluginState.FAILED
    assert "did not return within 0.5 s" in (record.error or "")
