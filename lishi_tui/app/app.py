"""The dashboard application and ``make_app``, the one factory the CLI and the tests share."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from textual.app import SystemCommand
from textual.filter import Monochrome
from textual.reactive import Reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from lishi_tui import css_cache, dataclass_cache, gc_pause, regex_cache, toml_cache
from lishi_tui.app import hangup
from lishi_tui.app import signals as exit_signals
from lishi_tui.app.collector_api import CollectorLike, DeferredCollector
from lishi_tui.app.crash import crash_report
from lishi_tui.app.data import AppData
from lishi_tui.app.formatting import age_text, clean
from lishi_tui.app.guarded import GuardedApp
from lishi_tui.app.i18n import t
from lishi_tui.app.messages import DetailRequested, StoreRead
from lishi_tui.app.palette import (
    IndicatorCommands,
    LocalisedPalette,
    system_commands,
    theme_palette,
)
from lishi_tui.app.polling import Shown, StoreFollower
from lishi_tui.app.screens.dashboard import DashboardScreen, dashboard_screen_class
from lishi_tui.app.snapshot import HISTORY_POINTS, IndicatorView, read_view, restatus
from lishi_tui.app.store_faults import StoreFaultNotices
from lishi_tui.app.watcher import StoreWatcher
from lishi_tui.app.widgets.alert_badge import AlertsRead, AlertWatch, read_rows
from lishi_tui.app.widgets.chart import PlotChart, defer_charts, load_plotext_in_background
from lishi_tui.app.widgets.panels import Panel, PanelContext
from lishi_tui.collector.heartbeat import is_stale
from lishi_tui.config.reload import ConfigWatcher
from lishi_tui.config.schema import Config, resolve_language
from lishi_tui.config.secrets import config_secrets
from lishi_tui.registry import PluginState, Registry
from lishi_tui.roles import Permissions, Role, current_account
from lishi_tui.store.base import Heartbeat, SourceHealth, Store

LOW_BANDWIDTH_MIN_INTERVAL = timedelta(seconds=1)
CLOCK_TICK_S = 60.0  # ages, staleness and pace are redone this often
HANGUP_GRACE_S = 1.5  # after SIGHUP, a clean exit gets this long before the process is ended
COLLECTOR_STOP_TIMEOUT_S = 1.0
EXIT_HANGUP = 129  # 128 + SIGHUP, the shell's convention


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LishiApp(GuardedApp):
    """Pages of indicator panels that follow the store, with detail, plugins and help screens."""

    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = GuardedApp.COMMANDS | {IndicatorCommands}
    # The header redraws its own line when these change (Textual's would repaint the screen).
    title: Reactive[str] = Reactive("", compute=False, repaint=False)
    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)

    def __init__(
        self,
        config: Config,
        registry: Registry,
        store: Store,
        *,
        collector: CollectorLike | None = None,
        clock: Callable[[], datetime] | None = None,
        env: Mapping[str, str] | None = None,
        role: Role = Role.VIEWER,
        account: str | None = None,
        config_watcher: ConfigWatcher | None = None,
    ) -> None:
        super().__init__()
        css_cache.attach()  # if lishi-tui installed it: the CSS parsed in earlier runs
        env = os.environ if env is None else env
        self.env = env
        self.config_watcher = config_watcher  # hot reload (lishi_tui.app.reloading)
        self.config_reloads = 0  # applied reloads (tests wait on it)
        self.role = role
        self.permissions = Permissions.for_role(role)
        self.account = account if account is not None else current_account(env)
        self.config = config
        self.registry = registry
        self.store = store
        self.collector = collector
        self.clock = clock or _utc_now
        self.lang = resolve_language(config.app.language, env)
        if "NO_COLOR" in env and not self.no_color:
            # Textual reads NO_COLOR from os.environ only; an env given to make_app counts too.
            self.no_color = True
            self._filters.append(Monochrome())
        self.low_bandwidth = config.app.low_bandwidth
        self.colour = not (self.no_color or self.low_bandwidth)
        if self.low_bandwidth:
            self.animation_level = "none"
        refresh = config.app.refresh
        if self.low_bandwidth:
            refresh = max(refresh, LOW_BANDWIDTH_MIN_INTERVAL)
        self.poll_interval = max(refresh.total_seconds(), 0.05)
        self.panel_context = PanelContext(self.lang, self.colour, self.clock)
        self.title = t("app.title", self.lang)
        self.sub_title = " · ".join(
            (
                # Read-only: what the collector is doing is said once its heartbeat is read.
                t("app.subtitle.live" if collector else "app.subtitle.readonly_plain", self.lang),
                t(f"role.{role.value}", self.lang),
            )
        )
        self.alert_watch = AlertWatch(self, self.sub_title)  # header badge, marks, screen
        self._bind_keys()
        self.screenshots: list[Path] = []  # saved this session (tests read it)
        self.views: dict[str, IndicatorView] = {}
        self._data_versions: dict[str, int] = {}
        self._watcher: StoreWatcher | None = None
        self.polls = 0  # store reads applied (tests wait on it)
        self.ticks = 0  # clock ticks done (tests read it)
        self.heartbeat: Heartbeat | None = None  # the collector's last beat, read-only viewers
        # What the page on screen shows (indicator id -> history points its panels draw),
        # and the history points of each view in ``views`` that is as new as the store.
        # Only what is on screen is read; the rest is read when its page is shown.
        self._on_screen: dict[str, int] = {}
        self._depth: dict[str, int] = {}
        self._status_due: set[str] = set()  # read, off screen, clock-dependent status old
        # Reads what each commit changed on the watcher's thread; posts only what shows.
        self.follower = StoreFollower(
            store,
            Shown(
                indicators=lambda: self.config.indicators,
                panelled=lambda: self._panels_by_indicator,
                on_screen=lambda: self._on_screen,
                source_of=lambda i: v.source_id if (v := self.views.get(i)) else None,
                include_demo=lambda: self.config.app.demo,
                clock=lambda: self.clock(),
            ),
            lambda read: self.post_message(StoreRead(read)),
            alerts=lambda now: read_rows(self.store, now),
            heartbeat=collector is None,
            log=self.log.error,
        )
        self.dashboard: DashboardScreen = dashboard_screen_class(self.lang)(
            config,
            self.panel_context,
            overview=config.app.overview,
            on_show=self.page_shown,
            registry=registry,
        )
        self._panels_by_indicator: dict[str, list[Panel]] = {}
        for panel in self.dashboard.panels:
            for iid in panel.indicator_ids:
                self._panels_by_indicator.setdefault(iid, []).append(panel)
        self._stopping = False
        self.data = AppData(
            config=config,
            registry=registry,
            store=store,
            ctx=self.panel_context,
            health=lambda: self._health,
            collector_states=collector.states if collector is not None else _no_states,
            live=collector is not None,
        )

    # lifecycle

    def get_default_screen(self) -> Screen[None]:
        return self.dashboard

    def on_mount(self) -> None:
        if not self.is_headless:
            # Figures first: plotext is imported once the first frame is on the screen.
            defer_charts()
            self.call_after_refresh(
                load_plotext_in_background, lambda: self.call_from_thread(self._charts_loaded)
            )
        self.load_all()  # the alerts are read by the follower's first look
        self._tell_plugin_failures()
        self._watcher = StoreWatcher(
            self.store,
            self.poll_interval,
            self.follower.look,
            alive=lambda: self.is_running,
            own_writes=self.collector is not None,
        )
        # Once the first frame is drawn: its first look (alerts, heartbeat, their modules,
        # the file listener) would otherwise take the interpreter from the first frame.
        self.call_after_refresh(self._watcher.start)
        self.call_after_refresh(gc_pause.resume)  # held off by lishi-tui since its start
        self.call_after_refresh(dataclass_cache.save)  # if lishi-tui installed it: once, if new
        self.call_after_refresh(css_cache.save)  # the same
        self.call_after_refresh(toml_cache.save)  # the same
        self.call_after_refresh(regex_cache.save)  # the same
        # Its first runs (and, made here, its imports) start once the first frame is drawn.
        self.call_after_refresh(self._start_collector)
        if self.config_watcher is not None:
            # Its thread (and its file listener's set-up) starts once the first frame is drawn.
            self.call_after_refresh(self._follow_config)
        if not self.is_headless:
            self._install_hangup_handler()
        self.set_interval(CLOCK_TICK_S, self.clock_tick, name="clock")

    def _follow_config(self) -> None:
        from lishi_tui.app.reloading import follow

        if self.config_watcher is not None and self.is_running:
            self.run_worker(
                follow(self, self.config_watcher), group="config-reload", exit_on_error=False
            )

    def _bind_keys(self) -> None:
        """The app's own keys, described in the UI language."""
        for key, action, label, show in (
            ("a", "alerts", "binding.alerts", True),
            ("ctrl+s", "screenshot", "binding.screenshot", False),
        ):
            self._bindings.key_to_bindings.pop(key, None)  # bind() adds, never replaces
            self.bind(key, action, description=t(label, self.lang), show=show)

    def _tell_plugin_failures(self) -> None:
        """What stderr said before the alternate screen wiped it, said on the screen."""
        if all(p.state is not PluginState.FAILED for p in self.registry.plugins):
            return  # (the plugins screen's module is imported only when there is news)
        from lishi_tui.app.screens.plugins import failure_notice

        notice = failure_notice(self.registry, self.lang)
        if notice is not None:
            title = t("plugins.failed_title", self.lang)
            self.notify(notice, title=title, severity="error", timeout=30, markup=False)

    def clock_tick(self) -> None:
        """Once a minute (so also within a minute of a period boundary): ages, staleness and
        pace redone from the figures in memory, no store read; a panel repaints only the
        cells that change, so an idle minute with nothing new on screen sends nothing."""
        self.ticks += 1
        # Off screen, the status is redone when its page shows (``page_shown``).
        self._status_due.update(i for i in self.views if i not in self._on_screen)
        self._show_views({}, status_only={i for i in self.views if i in self._on_screen})
        if self.collector is None:  # read by the follower; gone stale since, said here
            self._show_heartbeat(self.follower.heartbeat)

    def _show_heartbeat(self, beat: Heartbeat | None) -> None:
        """A read-only viewer says whether a collector is writing to its store."""
        self.heartbeat = beat
        subtitle = " · ".join(
            (
                collector_words(beat, self.clock(), self.lang),
                t(f"role.{self.role.value}", self.lang),
            )
        )
        self.alert_watch.set_base_subtitle(subtitle)

    def _charts_loaded(self) -> None:
        for screen in self.screen_stack:
            for chart in screen.query(PlotChart):
                chart.refresh()

    async def _run_collector(self) -> None:
        collector = self.collector
        if isinstance(collector, DeferredCollector):
            collector = await collector.collector()  # made now, after the first frame
        if collector is None:
            return
        if hasattr(collector, "on_run"):  # a store fault is told on screen
            notices = StoreFaultNotices(self.notify, collector.on_run, lang=self.lang)
            collector.on_run = notices
        await collector.run_forever()

    def _start_collector(self) -> None:
        if self.collector is not None and not self._stopping:
            self.run_worker(
                self._run_collector(), name="collector", group="collector", exit_on_error=False
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "collector" and event.state is WorkerState.ERROR:
            error = clean(str(worker.error))
            self.notify(
                t("error.collector", self.lang, error=error), severity="error", markup=False
            )

    async def _stop_collector(self) -> None:
        if self.collector is None or self._stopping:
            return
        self._stopping = True
        try:
            await asyncio.wait_for(self.collector.stop(), COLLECTOR_STOP_TIMEOUT_S)
        except Exception as exc:  # leaving must not fail because the collector did
            self.log.error(f"collector stop failed: {exc!r}")
        self.workers.cancel_group(self, "collector")

    async def action_quit(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        await self._stop_collector()
        self.exit()

    def _install_hangup_handler(self) -> None:
        # No SIGHUP on Windows; no handler outside the main thread.
        hangup.install(self._hang_up, grace_s=HANGUP_GRACE_S, code=EXIT_HANGUP)
        exit_signals.install(self._leave_on_signal)

    def _fatal_error(self) -> None:
        """An unhandled exception: Textual's traceback shows locals, which hold tokens;
        this one shows none, and redacts every configured secret."""
        self.bell()
        report = crash_report(config_secrets(self.config), width=self.console.width or 100)
        self._exit_renderables.append(report)
        self._close_messages_no_wait()

    def _leave_on_signal(self, code: int) -> None:
        """SIGTERM or SIGINT: leave as `q` does, so that the terminal is restored."""
        self.run_worker(self._leave_with(code), group="exit", exit_on_error=False)

    async def _leave_with(self, code: int) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        await self._stop_collector()
        self.exit(return_code=code)

    def _hang_up(self) -> None:
        """The terminal is gone: leave now (app/hangup.py ends the process if this stalls)."""
        self.run_worker(self._leave_after_hangup(), group="exit", exit_on_error=False)

    async def _leave_after_hangup(self) -> None:
        await self._stop_collector()
        self.exit(return_code=EXIT_HANGUP)

    # data

    def _next_version(self, indicator_id: str) -> int:
        version = self._data_versions.get(indicator_id, 0) + 1
        self._data_versions[indicator_id] = version
        return version

    def read_view(self, indicator_id: str) -> IndicatorView:
        """One indicator read from the store now, on the calling thread, with the history
        its panel on screen draws."""
        points = self._on_screen.get(indicator_id, HISTORY_POINTS)
        view = read_view(
            self.store,
            self.config.indicators[indicator_id],
            self.clock(),
            self._health,
            include_demo=self.config.app.demo,
            history_points=points,
            data_version=self._next_version(indicator_id),
        )
        self._depth[indicator_id] = points
        return view

    def load_all(self) -> None:
        """Read what the page on screen shows (at start, and after a config reload)."""
        try:
            version = self.store.version()
            cursor, _ = self.store.changes_since(0)
            self.follower.reset(version, cursor, self.store.health())
        except Exception as exc:
            self.notify(
                t("error.store", self.lang, error=clean(str(exc))), severity="error", markup=False
            )
            return
        self._depth = {}
        self._status_due = set()
        self._on_screen = self.dashboard.kept_current()
        self.apply_changes(set(self._on_screen))

    @property
    def _health(self) -> dict[str, SourceHealth]:
        """The sources' health as last read (by the follower, on the watcher's thread)."""
        return self.follower.health

    def page_shown(self, needs: dict[str, int]) -> None:
        """A page is about to show, or one is made ready ahead (``needs``: what the two draw,
        kept current from now on): read what is not yet read from the store, changed since,
        or not as deep as it draws, before its panels are drawn; redo the status of what is
        read but older than the last clock tick."""
        self._on_screen = needs
        for iid in self.follower.take_stale(needs):
            self._depth.pop(iid, None)
        due = self._status_due.intersection(needs)
        self._status_due -= due
        self.apply_changes(
            {i for i, points in needs.items() if self._depth.get(i, 0) < points}, status_only=due
        )

    def on_store_read(self, message: StoreRead) -> None:
        """What a commit changed on screen, read by the follower on the watcher's thread."""
        if self._watcher is not None:
            self._watcher.delivered()  # the watcher posts again only after this
        read = message.read
        try:
            if read.generation != self.follower.generation:
                return  # read before a reload, which read everything again
            for iid in read.changed - set(read.views):
                self._depth.pop(iid, None)  # read when its page shows
            self._depth.update(read.depths)
            if read.views or read.status_only:
                fresh = {
                    iid: replace(view, data_version=self._next_version(iid))
                    for iid, view in read.views.items()
                }
                self._show_views(fresh, status_only=read.status_only - set(fresh))
            if read.alerts is not None:
                self.alert_watch.apply(AlertsRead(read.alerts))
            if read.collector_moved:
                self._show_heartbeat(self.follower.heartbeat)
            # The page may have changed while the watcher read: what it shows is read now.
            self.page_shown(self._on_screen)
        finally:
            self.polls += 1

    def on_alerts_read(self, message: AlertsRead) -> None:
        self.alert_watch.apply(message)

    def apply_changes(
        self, ids: set[str], *, status_only: set[str] | frozenset[str] = frozenset()
    ) -> None:
        """Re-read ``ids`` from the store, redo only the status of ``status_only`` (their
        source ran but stored nothing new), and redraw only the panels that show them.
        What is not on screen is only marked to be read when its page is shown."""
        fresh: dict[str, IndicatorView] = {}
        for iid in ids:
            if iid not in self.config.indicators or iid not in self._panels_by_indicator:
                continue
            if iid in self._on_screen:
                fresh[iid] = self.read_view(iid)
            else:
                self._depth.pop(iid, None)
        self._show_views(fresh, status_only=set(status_only) - set(fresh))

    def _show_views(
        self, fresh: dict[str, IndicatorView], *, status_only: set[str] | frozenset[str]
    ) -> None:
        """Put re-read views (``fresh``) and re-statused ones on the panels that show them."""
        touched: set[Panel] = set()
        now = self.clock()
        for iid in set(fresh) | set(status_only):
            if iid not in self.config.indicators or iid not in self._panels_by_indicator:
                continue
            known = self.views.get(iid)
            if iid in fresh:
                self.views[iid] = fresh[iid]
            elif known is None:
                if iid not in self._on_screen:
                    continue  # never read, not on screen: read when its page is shown
                self.views[iid] = self.read_view(iid)
            else:
                self.views[iid] = restatus(known, now, self._health)
            touched.update(self._panels_by_indicator[iid])
        for panel in touched:
            panel.update_views(self.views)
        if not self.screen_stack:
            return  # closing (a fatal error closed every screen): a late read has no screen
        screen = self.screen
        if screen is self.dashboard:
            return  # (the other screens' modules are imported when first opened)
        from lishi_tui.app.screens.detail import DetailScreen

        if isinstance(screen, DetailScreen) and screen.indicator_id in set(fresh) | set(
            status_only
        ):
            screen.reload()

    # actions

    def action_help(self) -> None:
        from lishi_tui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))

    def action_alerts(self) -> None:
        self.alert_watch.open_screen()

    def acknowledge(self, alert_id: str, reason: str) -> None:
        self.alert_watch.acknowledge(alert_id, reason)

    def silence(self, alert_id: str, duration: timedelta, reason: str) -> None:
        self.alert_watch.silence(alert_id, duration, reason)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's (gated by role) in the UI language, then the dashboard's own."""
        yield from system_commands(self, super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not self.screen.has_class("--textual-command-palette"):
            self.push_screen(LocalisedPalette(self.lang, id="--command-palette"))

    def search_themes(self) -> None:
        self.push_screen(theme_palette(self.lang))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Ctrl+S and the palette: the screen as an SVG in ``[app] screenshots``."""
        if self.allowed("screenshot"):
            from lishi_tui.app.screenshots import take_screenshot

            take_screenshot(self, filename, Path(path) if path else None)

    def action_plugins(self) -> None:
        from lishi_tui.app.screens.plugins import PluginsScreen, plugins_screen_class

        if not isinstance(self.screen, PluginsScreen):
            self.push_screen(plugins_screen_class(self.lang)(self.data))

    def action_refresh_now(self) -> None:
        if not self.allowed("refresh_sources"):
            return
        if self.collector is None:
            state = collector_words(self.heartbeat, self.clock(), self.lang)
            self.notify(t("notify.readonly", self.lang, state=state), markup=False)
            return
        self.collector.refresh(None)
        self.notify(t("notify.refresh", self.lang), markup=False)

    def on_detail_requested(self, message: DetailRequested) -> None:
        self.open_detail(message.indicator_id)

    def open_detail(self, indicator_id: str) -> None:
        if indicator_id not in self.config.indicators:
            return
        from lishi_tui.app.screens.detail import detail_screen_class

        while len(self.screen_stack) > 1 and self.screen is not self.dashboard:
            self.pop_screen()
        self.push_screen(detail_screen_class(self.lang)(indicator_id, self.data))

    def open_indicator(self, indicator_id: str) -> None:
        """From the palette: show the indicator's panel on its page, then its detail."""
        panels = self._panels_by_indicator.get(indicator_id)
        if panels:
            self.dashboard.focus_panel(panels[0])
        self.open_detail(indicator_id)


def collector_words(beat: Heartbeat | None, now: datetime, lang: str) -> str:
    """What a read-only viewer says about the collector that feeds its store."""
    if beat is None:
        return t("app.subtitle.no_collector", lang)
    if is_stale(beat, now):
        age = age_text(timedelta(seconds=max(beat.age(now), 0)), lang)
        return t("app.subtitle.collector_stopped", lang, age=age)
    return t("app.subtitle.readonly", lang)


def _no_states() -> Mapping[str, object]:
    return {}


def make_app(
    config: Config,
    registry: Registry,
    store: Store,
    *,
    collector: CollectorLike | None = None,
    clock: Callable[[], datetime] | None = None,
    env: Mapping[str, str] | None = None,
    role: Role = Role.VIEWER,
    account: str | None = None,
    config_watcher: ConfigWatcher | None = None,
) -> LishiApp:
    """The dashboard for ``config``, reading ``store``; with ``collector`` it also runs it.

    ``role`` decides what the session may do (``app.permissions``); ``account`` is who
    is recorded for what an operator does (default: the account the process runs as).
    """
    return LishiApp(
        config,
        registry,
        store,
        collector=collector,
        clock=clock,
        env=env,
        role=role,
        account=account,
        config_watcher=config_watcher,
    )


__all__ = ["CollectorLike", "LishiApp", "make_app"]
