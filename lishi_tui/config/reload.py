"""Hot reload: notice a config (or data file) change, apply a valid one, keep the last good one.

``ConfigWatcher.poll()`` stats the config file and every file a source's ``path`` option
names (a few ``stat`` calls: the caller polls every half second from a timer or a
sleeping task, never a busy loop). A changed config is read and validated with the
plugins already loaded: valid, it becomes the current config and a copy of its text is
kept as the *last good* one; invalid, the current config stays and the located issues are
reported until the file is fixed.

A process that starts while the file is broken runs on the last good copy
(``load_resilient``), says so, and goes on watching the file. ``config check`` stays strict.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from lishi_tui.config.diff import SourceDiff, diff_sources
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.files import atomic_write_text
from lishi_tui.config.lines import format_key_path
from lishi_tui.config.loader import build_config
from lishi_tui.config.locate import bundled_plugins_dir
from lishi_tui.config.reading import parse_raw
from lishi_tui.config.schema import Config
from lishi_tui.registry import Registry
from lishi_tui.sources.api import OptionKind

ENV_STATE_DIR = "LISHI_TUI_STATE_DIR"
POLL_SECONDS = 0.5

Signature = tuple[int, int, int] | None  # (mtime_ns, size, inode); None: missing


def state_dir(env: Mapping[str, str]) -> Path:
    """Where last good copies are kept: the user data folder, where the default database is.

    (The database's own folder cannot be used: where it is, the config says, and the
    config is what may be broken.) ``$LISHI_TUI_STATE_DIR`` overrides it.
    """
    given = env.get(ENV_STATE_DIR, "").strip()
    return Path(given) if given else Path(platformdirs.user_data_dir("lishi-tui")) / "last-good"


def last_good_path(config_path: Path, env: Mapping[str, str]) -> Path:
    resolved = str(Path(config_path).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:12]
    return state_dir(env) / f"{Path(config_path).stem}-{digest}.toml"


def save_last_good(config_path: Path, text: str, env: Mapping[str, str]) -> None:
    """Keep ``text`` as the last good copy of ``config_path`` (unchanged copies not rewritten)."""
    target = last_good_path(config_path, env)
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            return
        atomic_write_text(target, text, keep_backup=False)
    except OSError:
        pass  # a read-only home must not stop a dashboard; the copy is a convenience


def read_last_good(config_path: Path, env: Mapping[str, str]) -> str | None:
    try:
        return last_good_path(config_path, env).read_text(encoding="utf-8")
    except OSError:
        return None


def load_resilient(
    path: Path,
    registry_for: Any,
    env: Mapping[str, str],
    *,
    remember: bool = True,
) -> tuple[Config, Registry, str, list[ConfigIssue]]:
    """The config at ``path``, or the last good copy when the file is broken.

    ``registry_for(raw)`` loads the plugins a raw config asks for. Returns the config,
    its registry, the text it was built from, and the issues of the file when the last
    good copy was used instead (empty when the file itself was valid). Raises the file's
    ``ConfigError`` when there is no usable last good copy. ``remember=False`` (a viewer,
    which writes nothing) reads the last good copy but never writes one.
    """
    from lishi_tui.config.reading import read_raw

    try:
        raw = read_raw(path)
        registry = registry_for(raw)
        config = build_config(raw, registry, env)
    except ConfigError as broken:
        text = read_last_good(path, env)
        if text is None:
            raise
        try:
            raw = parse_raw(path, text)
            registry = registry_for(raw)
            config = build_config(raw, registry, env)
        except ConfigError:
            raise broken from None
        return config, registry, text, broken.issues
    if remember:
        save_last_good(path, raw.text, env)
    return config, registry, raw.text, []


def with_db(config: Config, db: Path | None) -> Config:
    """``--db`` over ``[storage]``, as ``load_runtime`` applies it."""
    if db is None:
        return config
    storage = dataclasses.replace(config.storage, backend="sqlite", path=db.resolve())
    return dataclasses.replace(config, storage=storage)


# ---- what changed --------------------------------------------------------------------------


def _flatten(data: Any, prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(_flatten(v, (*prefix, k)))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for n, v in enumerate(data):
            out.update(_flatten(v, (*prefix, n)))
    else:
        out[format_key_path(prefix)] = data
    return out


def changed_keys(old_text: str, new_text: str) -> list[tuple[str, str | None, str | None]]:
    """(key, old, new) for every leaf key that differs, values as TOML text."""
    from lishi_tui.config.edit import toml_text

    try:
        before = _flatten(tomllib.loads(old_text))
        after = _flatten(tomllib.loads(new_text))
    except tomllib.TOMLDecodeError:
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (
            k,
            None if k not in before else toml_text(before[k]),
            None if k not in after else toml_text(after[k]),
        )
        for k in keys
        if before.get(k, _MISSING) != after.get(k, _MISSING)
    ]


_MISSING = object()


# ---- watching -----------------------------------------------------------------------------


def _signature(path: Path) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def data_files(config: Config, registry: Registry) -> dict[Path, tuple[str, ...]]:
    """Every file a source's ``path`` option names, with the sources that read it."""
    out: dict[Path, list[str]] = {}
    builtin = bundled_plugins_dir()
    for sid, source in config.sources.items():
        st = registry.source_types.get(source.type)
        if st is None:
            continue
        for name, option in st.options.items():
            value = source.options.get(name)
            if option.kind is not OptionKind.PATH or not isinstance(value, str) or not value:
                continue
            if value.startswith("builtin:"):
                file = builtin / value.removeprefix("builtin:")
            else:
                p = Path(value).expanduser()
                file = p if p.is_absolute() else config.base_dir / p
            out.setdefault(file, []).append(sid)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Reload:
    """What one look at the files found."""

    config: Config | None = None  # a new valid config, now current
    issues: tuple[ConfigIssue, ...] = ()  # the file is broken: the current config stays
    sources: SourceDiff = field(default_factory=SourceDiff)
    data_changed: tuple[str, ...] = ()  # sources whose data files changed (run them again)
    keys: tuple[tuple[str, str | None, str | None], ...] = ()  # for the audit trail


class ConfigWatcher:
    """The current config of one process, kept in step with the file."""

    def __init__(
        self,
        path: Path,
        config: Config,
        registry: Registry,
        env: Mapping[str, str],
        *,
        text: str,
        issues: Iterable[ConfigIssue] = (),
        db: Path | None = None,
        remember: bool = True,
    ) -> None:
        self.path = Path(path)
        self.config = config
        self.registry = registry
        self.env = env
        self.db = db
        self.remember = remember  # keep each valid text as the last good copy (not a viewer)
        self.text = text  # the text self.config was built from
        self.issues: tuple[ConfigIssue, ...] = tuple(issues)  # of the file, while it is broken
        self._config_sig = _signature(self.path)
        self._pending: Signature = self._config_sig
        self._lock = threading.Lock()  # the reload loop and a dashboard edit may both look
        self._data = self._data_signatures()

    @property
    def broken(self) -> bool:
        return bool(self.issues)

    def _data_signatures(self) -> dict[Path, tuple[Signature, tuple[str, ...]]]:
        return {
            p: (_signature(p), ids) for p, ids in data_files(self.config, self.registry).items()
        }

    def watched(self) -> list[Path]:
        """The files a look reads: the config file and every data file a source names."""
        with self._lock:
            return [self.path, *self._data]

    def poll(self, *, force: bool = False) -> Reload | None:
        """Look at the files; None when nothing changed (and ``force`` is not set)."""
        with self._lock:
            return self._poll(force)

    def _poll(self, force: bool) -> Reload | None:
        sig = _signature(self.path)
        config_moved = force or sig != self._config_sig
        if config_moved and not force and sig != self._pending:
            # Read a change only once it holds for a whole tick: an editor that writes in
            # place is seen half-way through otherwise (and a half file may even be valid).
            self._pending = sig
            return None
        touched: list[str] = []
        for p, (old_sig, ids) in self._data.items():
            if _signature(p) != old_sig:
                touched.extend(ids)
        if not config_moved and not touched:
            return None
        self._config_sig = sig
        if not config_moved:
            self._data = self._data_signatures()
            return Reload(data_changed=tuple(dict.fromkeys(touched)))
        return self._reload(tuple(dict.fromkeys(touched)))

    def _remember(self, text: str) -> None:
        if self.remember:
            save_last_good(self.path, text, self.env)

    def _reload(self, touched: tuple[str, ...]) -> Reload:
        try:
            text = self.path.read_text(encoding="utf-8")
            raw = parse_raw(self.path, text)
            config = with_db(build_config(raw, self.registry, self.env), self.db)
        except (ConfigError, OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, ConfigError):
                issues = exc.issues
            else:
                issues = [ConfigIssue(self.path, None, "", f"cannot read config file: {exc}")]
            self.issues = tuple(issues)
            return Reload(issues=self.issues, data_changed=touched)
        was_broken = self.broken
        self.issues = ()
        keys = tuple(changed_keys(self.text, text))
        if not keys and config == self.config:
            # Saved unchanged (or fixed back to what runs): nothing to apply.
            self.text = text
            self._remember(text)
            return Reload(config=config if was_broken else None, data_changed=touched)
        diff = diff_sources(self.config.sources, config.sources)
        self.config, self.text = config, text
        self._remember(text)
        self._data = self._data_signatures()
        return Reload(config=config, sources=diff, data_changed=touched, keys=keys)


__all__ = [
    "ConfigWatcher",
    "Reload",
    "SourceDiff",
    "changed_keys",
    "data_files",
    "diff_sources",
    "last_good_path",
    "load_resilient",
    "save_last_good",
    "state_dir",
]
