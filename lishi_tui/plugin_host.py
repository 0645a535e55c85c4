"""Finding, loading and isolating plugins: one path for built-in, folder and entry-point ones."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import queue
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pluggy

from lishi_tui import hookspecs
from lishi_tui.commands import BUILTIN_COMMANDS
from lishi_tui.commands.api import validate_command
from lishi_tui.config.locate import bundled_plugins_dir
from lishi_tui.config.schema import PluginSettings
from lishi_tui.domain.model import Indicator
from lishi_tui.export.api import validate_export_format
from lishi_tui.notify.api import NotifierType
from lishi_tui.panel_api import validate_panel_type
from lishi_tui.registry import PluginOrigin, PluginRecord, PluginState, Registry
from lishi_tui.sources.api import FetchStages, Option, SourceType
from lishi_tui.text import did_you_mean, nearest

ENTRY_POINT_GROUP = "lishi_tui"
SAFE_MODE_ENV = (
    "LISHI_TUI_SAFE_MODE"  # set: third-party plugins (entry points, [plugins] dirs) stay off
)
MODULE_PREFIX = "lishi_tui_plugins"
HOOK_PREFIX = "lishi_"


@dataclass(frozen=True)
class Candidate:
    """A plugin found but not yet imported."""

    name: str
    origin: PluginOrigin
    location: str
    load: Callable[[], object]
    version: str = ""


# What a module attribute must be for pluggy to take it as a hook (its _static_hook_attr).
_HOOKABLE = (types.FunctionType, types.MethodType, staticmethod, classmethod)
_ABSENT = object()


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, reading a plugin module's attributes from its ``__dict__``.

    ``register`` asks about every name in ``dir(plugin)``, and pluggy answers each with
    ``inspect.getattr_static`` (about 30 a plugin, mostly imported names: a few ms a
    start over the built-in plugins). A module's attribute that is not a function or a
    method cannot be a hook, and neither can a plain function that ``@hookimpl`` did not
    mark (the mark is an attribute in the function's own ``__dict__``), so both are skipped
    here at a dict's cost (a module's dunders too: ``__file__``, ``__spec__`` and the like);
    anything else (a marked function, a classmethod, a name the module's ``__dict__`` does
    not hold, a plugin object that is not a module) goes through pluggy."""

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self._marker = project_name + "_impl"  # where pluggy's HookimplMarker keeps its options

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> pluggy.HookimplOpts | None:
        if isinstance(plugin, types.ModuleType):
            value = plugin.__dict__.get(name, _ABSENT)
            if value is not _ABSENT and not isinstance(value, _HOOKABLE):
                return None
            if isinstance(value, types.FunctionType) and self._marker not in value.__dict__:
                return None  # a plain function (most are imported names) with no hookimpl mark
        return super().parse_hookimpl_opts(plugin, name)


def _module_name(name: str) -> str:
    return f"{MODULE_PREFIX}.{name}"


def _ensure_namespace() -> None:
    if MODULE_PREFIX not in sys.modules:
        namespace = types.ModuleType(MODULE_PREFIX, "Plugins loaded from folders by lishi-tui.")
        namespace.__path__ = []
        sys.modules[MODULE_PREFIX] = namespace


def _import_path(name: str, path: Path) -> Callable[[], object]:
    """A loader importing a .py file or a package folder under a private module name."""

    def load() -> object:
        module_name = _module_name(name)
        if module_name in sys.modules:  # idempotent: the same file is imported once
            return sys.modules[module_name]
        _ensure_namespace()
        if path.is_dir():
            spec = importlib.util.spec_from_file_location(
                module_name, path / "__init__.py", submodule_search_locations=[str(path)]
            )
        else:
            spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
        return module

    return load


def discover_folder(folder: Path, origin: PluginOrigin) -> list[Candidate]:
    """Plugins in a folder: each ``name.py`` file and each ``name/__init__.py`` package."""
    if not folder.is_dir():
        return []
    found: list[Candidate] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            name = entry.name
        elif entry.is_file() and entry.suffix == ".py":
            name = entry.stem
        else:
            continue
        found.append(Candidate(name, origin, str(entry), _import_path(name, entry)))
    return found


def discover_entry_points() -> list[Candidate]:
    """Plugins of installed packages, from the ``lishi_tui`` entry-point group."""
    from lishi_tui.entry_point_cache import entry_points

    found: list[Candidate] = []
    for ep in entry_points(ENTRY_POINT_GROUP):  # cached while the install is unchanged
        location = f"{ep.dist} {ep.version}" if ep.dist else ep.value
        found.append(Candidate(ep.name, PluginOrigin.ENTRY_POINT, location, ep.load, ep.version))
    return found


def _names_from_env(env: Mapping[str, str], key: str) -> set[str]:
    return {n.strip() for n in env.get(key, "").split(",") if n.strip()}


class PluginHost:
    """Loads plugins into a pluggy manager and collects what they register.

    Loading is explicit (``load``) and idempotent. Each plugin is imported in its own
    try/except; each hook implementation is called on its own, in a worker thread with a
    time limit, so that a plugin that raises or hangs is recorded and skipped.
    """

    def __init__(
        self,
        settings: PluginSettings | None = None,
        *,
        builtin_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        include_entry_points: bool = True,
    ) -> None:
        self.settings = settings or PluginSettings()
        self.builtin_dir = builtin_dir if builtin_dir is not None else bundled_plugins_dir()
        self.env = os.environ if env is None else env
        self.include_entry_points = include_entry_points
        self.pm = _PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self._loaded = False
        self._runner = _HookRunner()

    # -- discovery -------------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        found = discover_folder(self.builtin_dir, PluginOrigin.BUILTIN)
        for folder in self.settings.dirs:
            found += discover_folder(Path(folder).expanduser(), PluginOrigin.DIRECTORY)
        if self.include_entry_points:
            found += discover_entry_points()
        return found

    def _blocked_reason(self, candidate: Candidate) -> str | None:
        name = candidate.name
        if self.env.get(SAFE_MODE_ENV, "").strip() not in ("", "0") and candidate.origin in (
            PluginOrigin.ENTRY_POINT,
            PluginOrigin.DIRECTORY,
        ):
            return f"safe mode ({SAFE_MODE_ENV}): only the built-in plugins load"
        allow = set(self.settings.allow) | _names_from_env(self.env, "LISHI_TUI_PLUGINS_ALLOW")
        deny = set(self.settings.deny) | _names_from_env(self.env, "LISHI_TUI_PLUGINS_DENY")
        if name in deny:
            return "denied by the deny list"
        if allow and name not in allow:
            return "not in the allow list"
        return None

    # -- loading -----------------------------------------------------------------------

    def load(self, extra: Iterable[tuple[str, object]] = ()) -> Registry:
        """Discover and load every plugin once; ``extra`` adds (name, plugin object) pairs."""
        if self._loaded:
            return self.registry
        self._loaded = True
        for candidate in self.candidates():
            self._load_candidate(candidate)
        for name, plugin in extra:
            self._load_candidate(
                Candidate(name, PluginOrigin.OBJECT, type(plugin).__name__, _constant(plugin))
            )
        self._check_pending()
        self._call_registration_hooks()
        return self.registry

    def _load_candidate(self, candidate: Candidate) -> None:
        record = PluginRecord(
            name=candidate.name,
            origin=candidate.origin,
            location=candidate.location,
            version=candidate.version,
        )
        if self.registry.plugin(candidate.name) is not None:
            record.state = PluginState.FAILED
            record.errors.append(
                f"a plugin named {candidate.name!r} is already loaded; this one is ignored"
            )
            self.registry.plugins.append(record)
            return
        self.registry.plugins.append(record)
        if (reason := self._blocked_reason(candidate)) is not None:
            record.state = PluginState.BLOCKED
            record.errors.append(reason)
            return
        started = time.perf_counter()
        try:
            plugin = candidate.load()
            if not record.version:
                record.version = str(getattr(plugin, "__version__", "") or "")
            self.pm.register(plugin, name=candidate.name)
        except BaseException as exc:  # KeyboardInterrupt at import is the plugin's error too
            record.state = PluginState.FAILED
            record.errors.append(f"failed to load: {_describe(exc)}")
            return
        finally:
            record.seconds["import"] = time.perf_counter() - started
        record.hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
        undecorated = sorted(
            attr
            for attr in dir(plugin)
            if attr.startswith(HOOK_PREFIX)
            and callable(getattr(plugin, attr, None))
            and attr not in record.hooks
        )
        for attr in undecorated:
            record.errors.append(f"{attr} is not decorated with @hookimpl, so it never runs")

    def _check_pending(self) -> None:
        """Hooks a plugin implements that no hookspec declares: usually a misspelling."""
        known = [n for n in dir(hookspecs) if n.startswith(HOOK_PREFIX)]
        for name, hook in self.pm.hook.__dict__.items():
            if name.startswith("_") or not isinstance(hook, pluggy.HookCaller) or hook.spec:
                continue
            message = f"unknown hook {name!r}{did_you_mean(nearest(name, known))}"
            for impl in hook.get_hookimpls():
                if (record := self.registry.plugin(impl.plugin_name)) is not None:
                    record.state = PluginState.FAILED
                    record.errors.append(message)

    def _call_registration_hooks(self) -> None:
        timeout = self.settings.timeout.total_seconds()
        try:
            self._call_all(timeout)
        finally:
            self._runner.close()

    def _call_all(self, timeout: float) -> None:
        self._call_each("lishi_register_source_types", self._source_type_registrar, timeout=timeout)
        self._call_each("lishi_register_indicators", self._indicator_registrar, timeout=timeout)
        self._call_each("lishi_register_notifiers", self._notifier_registrar, timeout=timeout)
        self._call_each("lishi_register_panel_kinds", self._panel_kind_registrar, timeout=timeout)
        self._call_each(
            "lishi_register_export_formats", self._export_format_registrar, timeout=timeout
        )
        self._call_each("lishi_register_commands", self._command_registrar, timeout=timeout)

    def _call_each(
        self,
        hook_name: str,
        make_registrar: Callable[[PluginRecord], Callable[[Any], None]],
        *,
        timeout: float,
    ) -> None:
        hook: pluggy.HookCaller = getattr(self.pm.hook, hook_name)
        # get_hookimpls() is in registration order (built-in plugins first); pluggy itself calls
        # the last-registered first. Registration order means a built-in name is never taken
        # over: a later plugin registering it is refused and told which plugin has it.
        for impl in hook.get_hookimpls():
            record = self.registry.plugin(impl.plugin_name)
            if record is None or record.state is not PluginState.LOADED:
                continue
            staged: list[Any] = []
            started = time.perf_counter()
            error = self._runner.call(impl.function, staged.append, timeout)
            record.seconds[hook_name] = time.perf_counter() - started
            if error is not None:
                record.state = PluginState.FAILED
                record.errors.append(f"{hook_name}: {error}")
                continue
            register = make_registrar(record)
            for item in staged:
                try:
                    register(item)
                except (TypeError, ValueError) as exc:
                    record.state = PluginState.FAILED
                    record.errors.append(f"{hook_name}: {exc}")

    def _source_type_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        return _named_registrar(
            "source type",
            validate_source_type,
            self.registry.source_types,
            self.registry.source_type_owner,
            record,
            record.source_types,
        )

    def _indicator_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        def register(item: Any) -> None:
            if not isinstance(item, Indicator):
                raise TypeError(f"expected an Indicator, got {type(item).__name__}: {item!r:.80}")
            if not item.id or not item.name_zh:
                raise ValueError(f"indicator {item.id!r} needs an id and a Chinese name")
            owner = self.registry.indicator_owner.get(item.id)
            if owner is not None:
                raise ValueError(f"indicator {item.id!r} is already registered by plugin {owner!r}")
            if not item.plugin:
                item = replace(item, plugin=record.name)
            self.registry.indicators[item.id] = item
            self.registry.indicator_owner[item.id] = record.name
            record.indicators.append(item.id)

        return register

    def _notifier_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        return _named_registrar(
            "notifier type",
            validate_notifier_type,
            self.registry.notifier_types,
            self.registry.notifier_type_owner,
            record,
            record.notifiers,
        )

    def _panel_kind_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        return _named_registrar(
            "panel kind",
            validate_panel_type,
            self.registry.panel_types,
            self.registry.panel_type_owner,
            record,
            record.panel_kinds,
        )

    def _export_format_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        return _named_registrar(
            "export format",
            validate_export_format,
            self.registry.export_formats,
            self.registry.export_format_owner,
            record,
            record.export_formats,
        )

    def _command_registrar(self, record: PluginRecord) -> Callable[[Any], None]:
        return _named_registrar(
            "command",
            _validate_plugin_command,
            self.registry.commands,
            self.registry.command_owner,
            record,
            record.commands,
        )


def _validate_plugin_command(item: Any) -> None:
    validate_command(item)
    if item.name in BUILTIN_COMMANDS:
        raise ValueError(
            f"command {item.name!r} is a built-in lishi-tui command; a plugin cannot replace it"
        )


def _named_registrar(
    what: str,
    validate: Callable[[Any], None],
    table: dict[str, Any],
    owners: dict[str, str],
    record: PluginRecord,
    listed: list[str],
) -> Callable[[Any], None]:
    """``register`` for a hook whose items are named (source types, channels, panel kinds,
    export formats, commands): each is validated, a name another plugin took is refused,
    and the item is recorded as ``record``'s."""

    def register(item: Any) -> None:
        validate(item)
        owner = owners.get(item.name)
        if owner is not None:
            raise ValueError(f"{what} {item.name!r} is already registered by plugin {owner!r}")
        table[item.name] = item
        owners[item.name] = record.name
        listed.append(item.name)

    return register


def validate_notifier_type(item: Any) -> None:
    """Raise TypeError/ValueError if a registered object is not a usable NotifierType."""
    if not isinstance(item, NotifierType):
        raise TypeError(f"expected a NotifierType, got {type(item).__name__}: {item!r:.80}")
    if not item.name or not item.name.replace("_", "").isalnum():
        raise ValueError(f"notifier type name {item.name!r} must be letters, digits and _")
    if not callable(item.send):
        raise TypeError(f"notifier type {item.name!r}: send is not callable")
    for key, option in item.options.items():
        if not isinstance(option, Option):
            raise TypeError(f"notifier type {item.name!r}: option {key!r} is not an Option")


def validate_source_type(item: Any) -> None:
    """Raise TypeError/ValueError if a registered object is not a usable SourceType."""
    if not isinstance(item, SourceType):
        raise TypeError(f"expected a SourceType, got {type(item).__name__}: {item!r:.80}")
    if not item.name or not item.name.replace("_", "").isalnum():
        raise ValueError(f"source type name {item.name!r} must be letters, digits and _")
    if not callable(item.fetch):
        raise TypeError(f"source type {item.name!r}: fetch is not callable")
    if item.stages is not None and not isinstance(item.stages, FetchStages):
        raise TypeError(f"source type {item.name!r}: stages is set by http_source_type only")
    for key, option in item.options.items():
        if not isinstance(option, Option):
            raise TypeError(f"source type {item.name!r}: option {key!r} is not an Option")


# One hook call for the worker thread (the function, its register, where its outcome goes),
# or None: the thread's cue to end.
_Job = tuple[Callable[..., object], Callable[[Any], None], concurrent.futures.Future[None]] | None


class _HookRunner:
    """Runs hook implementations one at a time in a daemon thread, each with a time limit.

    One thread serves every call of a load (a thread started per call cost about 0.1 ms
    each, some 20 a start). A call that does not return in time leaves its thread behind
    (a daemon: a hung plugin must not keep the process alive) and the next call gets a
    new thread, so one hung plugin never delays another's hooks."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Job] | None = None

    def call(
        self, function: Callable[..., object], register: Callable[[Any], None], timeout: float
    ) -> str | None:
        """Run ``function(register=register)``; an error message, or None if it returned."""
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            threading.Thread(
                target=_serve, args=(self._queue,), name="lishi-plugin-hook", daemon=True
            ).start()
        result: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._queue.put((function, register, result))
        try:
            result.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            self._queue.put(None)  # that thread ends if the call ever returns
            self._queue = None
            return f"did not return within {timeout:g} s (hung plugin skipped)"
        except BaseException as exc:
            return _describe(exc)
        return None

    def close(self) -> None:
        if self._queue is not None:
            self._queue.put(None)
            self._queue = None


def _serve(jobs: queue.SimpleQueue[_Job]) -> None:
    while (job := jobs.get()) is not None:
        function, register, result = job
        try:
            function(register=register)
        except BaseException as exc:  # a plugin's failure, whatever it is, is reported
            result.set_exception(exc)
        else:
            result.set_result(None)


def _constant(plugin: object) -> Callable[[], object]:
    return lambda: plugin


def _describe(exc: BaseException) -> str:
    """Exception type, message and the innermost frame, e.g. ``ValueError: bad (x.py:12)``."""
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({Path(last.filename).name}:{last.lineno})"
    return text


def load_plugins(
    settings: PluginSettings | None = None,
    *,
    builtin_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
    include_entry_points: bool = True,
) -> Registry:
    """Discover and load plugins; what they registered, with a record of each plugin."""
    host = PluginHost(
        settings, builtin_dir=builtin_dir, env=env, include_entry_points=include_entry_points
    )
    return host.load(extra)
