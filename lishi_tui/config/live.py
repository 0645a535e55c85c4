"""A running process following its config: resilient start-up, the reload loop, the log lines.

Used by ``collect`` and the dashboard: start on the last good config when the file is
broken (loudly), then ``follow`` the file, applying each valid save and reporting each
broken one until it is fixed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import select
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lishi_tui.bootstrap import Runtime
from lishi_tui.config.errors import ConfigIssue
from lishi_tui.config.reload import POLL_SECONDS, ConfigWatcher, Reload, load_resilient, with_db
from lishi_tui.file_events import FileEvents
from lishi_tui.wake_pipe import WakePipe

if TYPE_CHECKING:
    from lishi_tui.config.reading import RawConfig
    from lishi_tui.registry import Registry
    from lishi_tui.store.base import Store

REMIND_EVERY_S = 60.0
# With file events: looks a tick apart after an event (a change is read once it held for
# one), and a look this often without any (a file on a network file system raises none).
LOOKS_AFTER_EVENT = 3
FALLBACK_S = 2.0


def open_resilient(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO, *, remember: bool = True
) -> tuple[Runtime, ConfigWatcher]:
    """Like ``open_runtime``, but a broken file falls back to its last good copy (said on
    ``err``); raises ``ConfigError`` only when there is none. ``remember=False`` for a
    process that must write nothing (``view``): it reads the last good copy, never writes it."""
    from lishi_tui.commands.common import warn_plugin_errors
    from lishi_tui.config.loader import plugin_settings
    from lishi_tui.config.locate import locate_config
    from lishi_tui.plugin_host import load_plugins

    db = getattr(args, "db", None) or (
        Path(env["LISHI_TUI_DB"]) if env.get("LISHI_TUI_DB") else None
    )
    path = locate_config(getattr(args, "config", None), env)

    def registry_for(raw: RawConfig) -> Registry:
        return load_plugins(plugin_settings(raw, env), env=env)

    config, registry, text, issues = load_resilient(path, registry_for, env, remember=remember)
    config = with_db(config, db)
    runtime = Runtime(config, registry)
    warn_plugin_errors(runtime, err)
    if issues:
        print_broken(issues, err, starting=True)
    watcher = ConfigWatcher(
        path, config, registry, env, text=text, issues=issues, db=db, remember=remember
    )
    return runtime, watcher


def print_broken(issues: Iterable[ConfigIssue], err: TextIO, *, starting: bool = False) -> None:
    head = (
        "CONFIG BROKEN: starting on the last good copy; fix the file (it is watched):"
        if starting
        else "config not applied (the last good config stays in force):"
    )
    print(head, file=err, flush=True)
    for issue in issues:
        print(f"  {issue}", file=err, flush=True)


class _Looker:
    """The thread that looks at the files every ``interval`` seconds (or at once when
    woken) and hands what it found to ``found``; it calls nothing else.

    Where the file system tells of writes (``lishi_tui.file_events``: Linux inotify on the
    folders of the watched files), it sleeps until one of those files is written, then
    looks every ``interval`` for ``LOOKS_AFTER_EVENT`` looks (a change is read once it
    has held for a whole tick), and otherwise looks only every ``FALLBACK_S`` (a file on
    a network file system raises no event). Elsewhere it looks every ``interval``.
    """

    def __init__(
        self,
        watcher: ConfigWatcher,
        interval: float,
        found: Callable[[Reload | BaseException | None], object],
        remind: bool,
    ) -> None:
        self.watcher = watcher
        self.interval = interval
        self.found = found  # a Reload, an error raised by poll, or None: remind (still broken)
        self.remind = remind
        self.wake = threading.Event()
        self._poke = WakePipe()  # wakes a sleep on file events
        self.stopped = threading.Event()
        self.looks = 0  # completed looks (tests read it)
        self.events: FileEvents | None = None  # None: polling every interval
        self._thread = threading.Thread(target=self._run, name="lishi-config-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        """Look now (a forced reload, or stop)."""
        self.wake.set()
        self._poke.wake()

    def stop(self) -> None:
        self.stopped.set()
        self.poke()

    def _watched(self) -> list[Path] | None:
        watched = getattr(self.watcher, "watched", None)
        return None if watched is None else list(watched())

    def _sleep(self, due: int) -> tuple[bool, int]:
        """Wait for the next look: (forced, looks still due at ``interval``)."""
        events = self.events
        if events is None or due > 0:
            forced = self.wake.wait(self.interval)
            # Written meanwhile: the change must hold for a tick again.
            written = events is not None and events.drain()
            return forced, LOOKS_AFTER_EVENT if written else max(0, due - 1)
        deadline = time.monotonic() + FALLBACK_S
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([events.fileno(), self._poke.fileno()], [], [], left)
            self._poke.drain()
            if self.wake.is_set():
                return True, 0
            if events.fileno() in ready and events.drain():
                # Let the writer finish: the first look comes a tick after the event.
                return self.wake.wait(self.interval), LOOKS_AFTER_EVENT - 1
            if not ready:
                break
        return False, 0  # the fallback look

    def _run(self) -> None:
        watched = self._watched()
        self.events = FileEvents.open(watched) if watched is not None else None
        try:
            self._follow()
        finally:
            if self.events is not None:
                self.events.close()
            self._poke.close()

    def _follow(self) -> None:
        last_reminder = time.monotonic()
        due = 0
        while True:
            forced, due = self._sleep(due)
            if forced:  # only then: a poke between a timed-out wait and here is the next look
                self.wake.clear()
            if self.stopped.is_set():
                return
            try:
                result = self.watcher.poll(force=forced)
            except Exception as exc:  # raised in the follower, as when it polled itself
                self.found(exc)
                return
            finally:
                self.looks += 1
            if result is not None:
                last_reminder = time.monotonic()
                self.found(result)
                if self.events is not None and not self.events.watch(self._watched() or ()):
                    self.events.close()  # a new data file's folder cannot be watched: poll
                    self.events = None
            elif (
                self.watcher.broken
                and self.remind
                and time.monotonic() - last_reminder >= REMIND_EVERY_S
            ):
                last_reminder = time.monotonic()
                self.found(None)


async def follow(
    watcher: ConfigWatcher,
    on_reload: Callable[[Reload], object],
    *,
    force: asyncio.Event | None = None,
    interval: float = POLL_SECONDS,
    on_still_broken: Callable[[], object] | None = None,
) -> None:
    """Poll the files every ``interval`` seconds (or at once when ``force`` is set) forever.

    The looking (a few ``stat`` calls) is done by a thread of its own, so that the event
    loop wakes only when a look found something, never to ask: an idle process that
    follows its config costs its loop nothing. ``on_reload`` and ``on_still_broken`` run
    on the loop, in the order the looks found them.
    """
    force = force or asyncio.Event()
    loop = asyncio.get_running_loop()
    found: asyncio.Queue[Reload | BaseException | None] = asyncio.Queue()

    def hand_over(item: Reload | BaseException | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody to tell
            loop.call_soon_threadsafe(found.put_nowait, item)

    looker = _Looker(watcher, interval, hand_over, remind=on_still_broken is not None)

    async def forward_force() -> None:
        while True:
            await force.wait()
            force.clear()
            looker.poke()

    forwarder = asyncio.create_task(forward_force())
    looker.start()
    try:
        while True:
            item = await found.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                if on_still_broken is not None:
                    on_still_broken()
            else:
                on_reload(item)
    finally:
        looker.stop()
        forwarder.cancel()


def audit_file_edit(store: Store, watcher: ConfigWatcher, result: Reload, who: str) -> None:
    """Record the keys a file edit changed (origin: file), as the collecting process sees it."""
    from lishi_tui.config import audit  # not before the dashboard's first frame

    entries = [
        audit.AuditEntry(audit.now(), who, audit.Origin.FILE, str(watcher.path), k, old, new)
        for k, old, new in result.keys
    ]
    audit.record_file_edits(store, entries)


def describe(result: Reload) -> str:
    """One log line for an applied reload."""
    parts = [f"{len(result.keys)} key(s) changed"]
    diff = result.sources
    for what, ids in (
        ("started", diff.added),
        ("stopped", diff.removed),
        ("restarted", diff.changed),
    ):
        if ids:
            parts.append(f"{what} {', '.join(ids)}")
    return "config reloaded: " + "; ".join(parts)


async def follow_collector(
    watcher: ConfigWatcher,
    collector: object,
    store: Store,
    err: TextIO,
    *,
    force: asyncio.Event | None = None,
    who: str | None = None,
) -> None:
    """``collect``'s reload loop: apply valid saves to the collector, log broken ones (and
    remind every minute until fixed), re-run sources whose data files changed, audit edits."""
    from lishi_tui.collector.collector import Collector
    from lishi_tui.roles import current_account

    assert isinstance(collector, Collector)
    account = who or current_account()

    def on_reload(result: Reload) -> None:
        if result.issues:
            print_broken(result.issues, err)
        elif result.config is not None:
            collector.apply_config(result.config)
            print(describe(result), file=err, flush=True)
            try:
                audit_file_edit(store, watcher, result, account)
            except Exception as exc:  # the reload stands; the trail says what it missed
                print(f"warning: config change not recorded in the audit trail: {exc}", file=err)
        for sid in result.data_changed:
            collector.refresh(sid)

    await follow(
        watcher, on_reload, force=force, on_still_broken=lambda: print_broken(watcher.issues, err)
    )


__all__ = [
    "audit_file_edit",
    "describe",
    "follow",
    "follow_collector",
    "open_resilient",
    "print_broken",
]
