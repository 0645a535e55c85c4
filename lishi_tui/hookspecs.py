"""The plugin API: every hook a lishi-tui plugin can implement.

This is the one module a plugin author needs to read for the hooks; everything a
plugin imports comes from ``lishi_tui.plugin`` (the stable API), and the tutorial is
``docs/plugins.md``. A plugin is a module (or an
object) with functions decorated by ``lishi_tui.hookimpl`` whose names match the
hooks below. It is found in one of three ways, all loaded by the same code path:

* an entry point in the ``lishi_tui`` group of an installed package;
* a ``.py`` file or a package folder in the bundled ``plugins/`` folder;
* a ``.py`` file or package folder in a folder listed in ``[plugins] dirs``.

Hooks are registration hooks: each receives a ``register`` callable and calls it
once per thing it provides. Each hook implementation is called on its own and
time-boxed, so a plugin that raises, hangs or registers something malformed is
recorded with its error (see ``lishi-tui plugins``) and every other plugin keeps
working.

Example::

    from lishi_tui.plugin import (
        FetchContext, Indicator, Option, OptionKind, Period, Reading, SourceType, hookimpl,
    )

    async def fetch(ctx: FetchContext) -> list[Reading]:
        return [Reading(ctx.indicator, Period.year(2021), 51.0, origin="report")]

    @hookimpl
    def lishi_register_source_types(register):
        register(SourceType("fixed", fetch, {"note": Option(OptionKind.STR)}))

    @hookimpl
    def lishi_register_indicators(register):
        register(Indicator("tertiary_share", "第三产业占比", "Tertiary share", unit="%"))
"""

from __future__ import annotations

from typing import Protocol

import pluggy

from lishi_tui.commands.api import PluginCommand
from lishi_tui.domain.model import Indicator
from lishi_tui.export.api import ExportFormat
from lishi_tui.notify.api import NotifierType
from lishi_tui.panel_api import PanelType
from lishi_tui.sources.api import SourceType

PROJECT_NAME = "lishi_tui"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


class RegisterSourceType(Protocol):
    """Called by a plugin once per source type it provides."""

    def __call__(self, source_type: SourceType, /) -> None: ...


class RegisterIndicator(Protocol):
    """Called by a plugin once per indicator it defines."""

    def __call__(self, indicator: Indicator, /) -> None: ...


class RegisterNotifier(Protocol):
    """Called by a plugin once per notification channel type it provides."""

    def __call__(self, notifier_type: NotifierType, /) -> None: ...


class RegisterPanelKind(Protocol):
    """Called by a plugin once per panel kind it provides."""

    def __call__(self, panel_type: PanelType, /) -> None: ...


class RegisterExportFormat(Protocol):
    """Called by a plugin once per export format it provides."""

    def __call__(self, export_format: ExportFormat, /) -> None: ...


class RegisterCommand(Protocol):
    """Called by a plugin once per ``lishi-tui`` subcommand it provides."""

    def __call__(self, command: PluginCommand, /) -> None: ...


@hookspec
def lishi_register_source_types(register: RegisterSourceType) -> None:
    """Register the source types this plugin provides.

    Runs once, when plugins are loaded (at start-up of every command), before the
    configuration's ``[sources.*]`` tables are validated: each table's ``type`` must
    name a registered source type, and its other keys are checked against that
    type's ``options`` schema.

    :param register: call ``register(SourceType(...))`` once per source type. A name
        already registered by another plugin is refused and recorded as this
        plugin's error.
    :returns: nothing; return values are ignored.
    """


@hookspec
def lishi_register_indicators(register: RegisterIndicator) -> None:
    """Register the indicators this plugin defines.

    Runs once, when plugins are loaded, before the configuration is validated. A
    config table ``[indicators.<id>]`` with the same id overrides individual fields
    (typically target, thresholds, page and source); an indicator the config does not
    mention is still known to ``show`` but has no panel unless a page lists it.

    :param register: call ``register(Indicator(...))`` once per indicator. An id
        already registered by another plugin is refused and recorded as this
        plugin's error.
    :returns: nothing; return values are ignored.
    """


@hookspec
def lishi_register_notifiers(register: RegisterNotifier) -> None:
    """Register the notification channel types this plugin provides.

    Runs once, when plugins are loaded, before the configuration is validated: each
    ``[notifiers.<id>]`` table's ``type`` must name a registered channel type, and its
    other keys are checked against that type's ``options`` (declared with ``Option``,
    ``secret=True`` for keys, passwords and signing secrets, which are then never shown).
    When an alert changes state, the alerts engine hands each channel its batch: ``send``
    gets a ``SendContext`` (options, events, language, the shared HTTP client as
    ``ctx.http.post_json``, the batch as one ``ctx.message``) and delivers it or raises
    ``DeliveryError`` (``retryable=True`` for transient failures). Each attempt is
    time-limited; retries with backoff are done for it.

    Example::

        from lishi_tui.notify.api import DeliveryError, NotifierType, SendContext
        from lishi_tui.sources.api import Option, OptionKind

        async def send(ctx: SendContext) -> None:
            reply = await ctx.http.post_json(ctx.options["url"], {"text": ctx.message.text})
            if b'"ok"' not in reply.content:
                raise DeliveryError(f"the chat refused the message: {reply.text[:80]}")

        @hookimpl
        def lishi_register_notifiers(register):
            register(NotifierType("mychat", send, {"url": Option(OptionKind.URL, required=True,
                                                                 secret=True)}))

    :param register: call ``register(NotifierType(...))`` once per channel type. A name
        already registered by another plugin is refused and recorded as this plugin's
        error.
    :returns: nothing; return values are ignored.
    """


@hookspec
def lishi_register_panel_kinds(register: RegisterPanelKind) -> None:
    """Register the panel kinds this plugin provides.

    Runs once, when plugins are loaded, before the configuration is validated: each
    ``[[pages.<id>.panels]]`` table's ``kind`` must name a registered panel kind (the
    built-in ``stat``, ``chart``, ``table`` and ``gauge`` are registered by the bundled
    ``panels`` plugin through this same hook). The dashboard builds each panel as
    ``widget(config, indicators, ctx)``: its ``PanelConfig``, the indicators it shows, and
    the ``PanelContext`` (language, colour, clock) every panel gets. Each time its
    indicators' figures change, ``update_views`` hands it an ``IndicatorView`` per
    indicator and it redraws ``body(width)``. A panel that raises (building, drawing, or
    taking new figures) shows its error in its own frame; the dashboard goes on.

    Example::

        from rich.text import Text
        from lishi_tui.plugin import Panel, PanelType, hookimpl

        class Countdown(Panel):
            def body(self, width: int) -> Text:
                view = self.view()
                deadline = view.indicator.target.deadline if view and view.indicator.target else None
                if deadline is None:
                    return Text("no deadline")
                return Text(f"{(deadline - self.ctx.clock().date()).days} days left")

        @hookimpl
        def lishi_register_panel_kinds(register):
            register(PanelType("countdown", Countdown, description="days to the target date"))

    ``widget`` may also be a function of no arguments returning the class, so that Textual
    is imported only when a dashboard shows the panel (the bundled kinds do this).

    :param register: call ``register(PanelType(...))`` once per kind. A name already
        registered by another plugin is refused and recorded as this plugin's error.
    :returns: nothing; return values are ignored.
    """


@hookspec
def lishi_register_export_formats(register: RegisterExportFormat) -> None:
    """Register the export formats this plugin provides.

    Runs once, when plugins are loaded. ``lishi-tui export --format NAME`` reads the latest
    figure of each indicator (or those given with ``--indicator``) and calls the format's
    ``write(data, out)`` with an ``ExportData`` (its ``rows``, one ``ExportRow`` per
    indicator with period, unit, status, obs_status and provenance: source, origin,
    fetched_at, ``demo``) and a text stream. A format must keep each row's provenance and
    mark demo rows. ``csv``, ``json`` and ``markdown`` are registered by the bundled
    ``exports`` plugin through this same hook. A format that raises is one line on
    standard error and exit code 1; ``--output FILE`` is then left as it was.

    Example::

        from lishi_tui.plugin import ExportFormat, hookimpl

        def write_tsv(data, out):
            for row in data.rows:
                demo = "DEMO" if row.demo else ""
                out.write(f"{row.indicator}\t{row.value}\t{row.period}\t{row.source}\t{demo}\n")

        @hookimpl
        def lishi_register_export_formats(register):
            register(ExportFormat("tsv", write_tsv, extension="tsv"))

    :param register: call ``register(ExportFormat(...))`` once per format. A name already
        registered by another plugin is refused and recorded as this plugin's error.
    :returns: nothing; return values are ignored.
    """


@hookspec
def lishi_register_commands(register: RegisterCommand) -> None:
    """Register the ``lishi-tui`` subcommands this plugin provides.

    Runs once, when plugins are loaded, which a command line naming a command that is not
    built in does before it is parsed. ``configure(parser)`` adds the command's arguments;
    ``run(ctx)`` gets a ``CommandContext`` (the parsed ``args``, the validated ``config``,
    the ``registry``, ``open_store()``, ``out`` and ``err``) and returns the exit code
    (None is 0). A name a built-in command has (``show``, ``fetch``...) is refused with a
    warning naming the plugin. Anything ``configure`` or ``run`` raises is one line on
    standard error naming the plugin, and exit code 1; never a traceback.

    Example::

        from lishi_tui.plugin import PluginCommand, hookimpl

        def configure(parser):
            parser.add_argument("indicator")

        def run(ctx):
            indicator = ctx.config.indicators.get(ctx.args.indicator)
            if indicator is None:
                print(f"unknown indicator {ctx.args.indicator!r}", file=ctx.err)
                return 2
            print(indicator.name("zh"), file=ctx.out)
            return 0

        @hookimpl
        def lishi_register_commands(register):
            register(PluginCommand("name-of", "print an indicator's name", run, configure))

    :param register: call ``register(PluginCommand(...))`` once per command. A name already
        registered by another plugin is refused and recorded as this plugin's error.
    :returns: nothing; return values are ignored.
    """
