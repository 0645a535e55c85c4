"""The dashboard following its config file: valid saves applied in place, broken ones shown
as a persistent banner (the last good config stays in force) until the file is fixed."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.widgets import Static

from lishi_tui.app.i18n import t
from lishi_tui.config import live
from lishi_tui.config.reload import ConfigWatcher, Reload
from lishi_tui.config.schema import Config, resolve_language
from lishi_tui.text import clean

if TYPE_CHECKING:
    from lishi_tui.app.app import LishiApp
    from lishi_tui.app.screens.dashboard import DashboardScreen


class ConfigBanner(Static):
    """The located errors of a config save that was not applied; stays until fixed."""

    DEFAULT_CSS = """
    ConfigBanner {
        height: auto;
        max-height: 8;
        padding: 0 1;
        background: $error;
        color: $text;
    }
    """


def banner_text(watcher: ConfigWatcher, lang: str) -> str:
    head = (
        "配置文件有错误，未应用；仍使用上一个有效配置："
        if lang == "zh"
        else "Config file has errors and was not applied; the last good config is in force:"
    )
    lines = [clean(str(issue), single_line=True) for issue in watcher.issues[:5]]
    more = len(watcher.issues) - len(lines)
    if more > 0:
        lines.append(f"… +{more}")
    return "\n".join([head, *lines])


def show_banner(app: LishiApp, watcher: ConfigWatcher) -> None:
    screen = app.dashboard
    text = banner_text(watcher, app.lang)
    existing = list(screen.query(ConfigBanner))
    if existing:
        existing[0].update(text)
    else:
        # In the flow above the pages, not docked: docked at the top it would lie over the
        # header (which is docked there) and hide the title and the role.
        pages = list(screen.query("#pages"))
        banner = ConfigBanner(text, markup=False, id="config-banner")
        if pages:
            screen.mount(banner, before=pages[0])
        else:
            screen.mount(banner)


def clear_banner(app: LishiApp) -> None:
    for banner in app.dashboard.query(ConfigBanner):
        banner.remove()


async def apply_config(app: LishiApp, config: Config) -> None:
    """Rebuild the dashboard's pages and panels from ``config`` in place (the same screen):
    pages, panels, indicators, targets, thresholds, language. Every shown indicator is
    read from the store again."""
    from lishi_tui.app.screens.dashboard import dashboard_screen_class
    from lishi_tui.app.screens.detail import DetailScreen

    app.config = config
    spoke = app.lang
    app.lang = resolve_language(config.app.language, app.env)
    app.panel_context = dataclasses.replace(app.panel_context, lang=app.lang)
    app.data = dataclasses.replace(app.data, config=config, ctx=app.panel_context)
    screen = app.dashboard
    fresh = dashboard_screen_class(app.lang)(  # never mounted
        config, app.panel_context, overview=config.app.overview, registry=app.registry
    )
    screen.config, screen.ctx, screen.pages = config, app.panel_context, fresh.pages
    screen._last_focus = {}
    app._panels_by_indicator = {}
    for panel in screen.panels:
        for iid in panel.indicator_ids:
            app._panels_by_indicator.setdefault(iid, []).append(panel)
    if app.lang != spoke:
        speak(app, fresh)
    await screen.recompose()
    screen.apply_layout(app.size.width, app.size.height)
    screen.focus_page_panel(0)
    app.load_all()
    for open_screen in app.screen_stack:
        if isinstance(open_screen, DetailScreen):
            open_screen.use_data(app.data)
    app.config_reloads += 1


def speak(app: LishiApp, fresh: DashboardScreen) -> None:
    """A reload changed the language: the words the rebuilt pages do not carry (title,
    header, the footer's key labels) follow. ``fresh`` is an unmounted dashboard built in
    the new language, whose bindings the mounted one takes."""
    app._bind_keys()
    app.title = t("app.title", app.lang)
    # Textual reads BINDINGS once, when a screen is built; the mounted dashboard is kept.
    app.dashboard._bindings = fresh._bindings
    app.dashboard.refresh_bindings()
    if app.collector is None:
        app._show_heartbeat(app.heartbeat)
    else:
        role = t(f"role.{app.role.value}", app.lang)
        app.alert_watch.set_base_subtitle(f"{t('app.subtitle.live', app.lang)} · {role}")


def on_reload(
    app: LishiApp, watcher: ConfigWatcher, result: Reload, audit_file: bool = True
) -> None:
    """Apply what a look at the files found (``audit_file``: False when this app wrote it)."""
    if result.issues:
        show_banner(app, watcher)
    elif result.config is not None:
        clear_banner(app)
        collector = app.collector
        if collector is not None and hasattr(collector, "apply_config"):
            collector.apply_config(result.config)
            try:
                if audit_file:
                    live.audit_file_edit(app.store, watcher, result, app.account)
            except Exception as exc:  # the reload stands
                app.notify(clean(f"audit: {exc}"), severity="warning", markup=False)
        app.run_worker(
            apply_config(app, result.config),
            group="config-apply",
            exclusive=True,
            exit_on_error=False,
        )
    if app.collector is not None:
        for sid in result.data_changed:
            app.collector.refresh(sid)


async def follow(app: LishiApp, watcher: ConfigWatcher) -> None:
    """The app's reload loop (an async worker): a few stat calls every half second."""
    if watcher.broken:
        show_banner(app, watcher)
    await live.follow(watcher, lambda result: on_reload(app, watcher, result))


__all__ = ["ConfigBanner", "apply_config", "follow"]
