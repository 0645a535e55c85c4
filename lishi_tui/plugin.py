"""The plugin API: the one module a lishi-tui plugin imports.

Everything named in ``__all__`` is the stable API: it keeps its name and meaning
within a major version, and a change is said in the changelog. Anything a plugin
reaches for elsewhere in ``lishi_tui`` is internal and may change without notice;
the built-in plugins in ``plugins/`` import only from here (a test enforces it), so
they are written exactly as a third-party plugin would be.

Importing this module imports neither Textual nor httpx, so a plugin and its
tests run without either. The hooks themselves are documented in
``lishi_tui.hookspecs``; the tutorial is ``docs/plugins.md``. Notification channels
use ``NotifierType``, ``AlertEvent``, ``SendContext`` and ``DeliveryError``; export
formats ``ExportFormat``, ``ExportData`` and ``ExportRow``; commands ``PluginCommand`` and
``CommandContext``; panel kinds ``PanelType``.

The names a panel's widget is written with (``Panel``, ``PanelContext``,
``IndicatorView``, the built-in panel classes, ``value_text`` and ``period_text``) are
Textual's world: they are imported from here too, but only when first used, so that a
plugin which imports them inside its widget loader keeps every command but the
dashboard free of Textual.

A complete source-type plugin::

    from lishi_tui.plugin import (
        FetchContext, Indicator, Option, OptionKind, Period, Reading, SourceType, hookimpl,
    )

    async def fetch(ctx: FetchContext) -> list[Reading]:
        reply = await ctx.http.get(ctx.options["url"])
        return [Reading(ctx.indicator, Period.year(2021), float(reply.text), origin=reply.url)]

    @hookimpl
    def lishi_register_source_types(register):
        register(SourceType("office_api", fetch, {"url": Option(OptionKind.URL, required=True)}))

    @hookimpl
    def lishi_register_indicators(register):
        register(Indicator("tertiary_share", "第三产业占比", "Tertiary share", unit="%"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lishi_tui import hookimpl
from lishi_tui.commands.api import CommandContext, PluginCommand
from lishi_tui.config.schema import PanelConfig
from lishi_tui.declare import indicators_hook, load_indicators, source_types_hook
from lishi_tui.domain.model import (
    Baseline,
    Direction,
    Frequency,
    Indicator,
    MeasureKind,
    ObservationStatus,
    Qualifier,
    Reading,
    Target,
    ThresholdMode,
    Thresholds,
)
from lishi_tui.domain.periods import CHINA_TZ, Period, PeriodError, PeriodKind
from lishi_tui.domain.units import rescaled
from lishi_tui.export.api import ExportData, ExportFormat, ExportRow, figure_text
from lishi_tui.hookspecs import (
    RegisterCommand,
    RegisterExportFormat,
    RegisterIndicator,
    RegisterNotifier,
    RegisterPanelKind,
    RegisterSourceType,
)
from lishi_tui.notify.api import AlertEvent, DeliveryError, NotifierType, SendContext
from lishi_tui.panel_api import PanelType
from lishi_tui.sources.api import (
    HTTP_OPTIONS,
    FetchContext,
    FetchError,
    HttpGetter,
    HttpResult,
    Option,
    OptionKind,
    ParseFn,
    SourceType,
    file_source_type,
    http_source_type,
)
from lishi_tui.sources.parsing import (
    DecodeError,
    NumberError,
    PathError,
    Repeated,
    decode_text,
    join_year_period,
    load_json,
    normalise_header,
    parse_number,
    parse_period,
    parse_quantity,
    resolve_or_fail,
    resolve_path,
    scale_exact,
    status_from_code,
)
from lishi_tui.sources.published_format import (
    PublishedFigure,
    PublishedFile,
    PublishedFormatError,
    covers,
    load_published,
)
from lishi_tui.sources.tabular import (
    FREQUENCY_OPTION,
    Cells,
    one_frequency,
    readings_from_table,
    table_from_rows,
    table_options,
)
from lishi_tui.text import excerpt, strip_control

if TYPE_CHECKING:
    from lishi_tui.app.formatting import period_text, value_text
    from lishi_tui.app.snapshot import IndicatorView
    from lishi_tui.app.widgets.panels.base import Panel
    from lishi_tui.app.widgets.panels.chart import ChartPanel
    from lishi_tui.app.widgets.panels.context import PanelContext
    from lishi_tui.app.widgets.panels.gauge import GaugePanel
    from lishi_tui.app.widgets.panels.stat import StatPanel
    from lishi_tui.app.widgets.panels.table import TablePanel

# Imported on first use (PEP 562): these bring Textual in.
_LAZY = {
    "ChartPanel": "lishi_tui.app.widgets.panels.chart",
    "GaugePanel": "lishi_tui.app.widgets.panels.gauge",
    "IndicatorView": "lishi_tui.app.snapshot",
    "Panel": "lishi_tui.app.widgets.panels.base",
    "PanelContext": "lishi_tui.app.widgets.panels.context",
    "StatPanel": "lishi_tui.app.widgets.panels.stat",
    "TablePanel": "lishi_tui.app.widgets.panels.table",
    "period_text": "lishi_tui.app.formatting",
    "value_text": "lishi_tui.app.formatting",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CHINA_TZ",
    "FREQUENCY_OPTION",
    "HTTP_OPTIONS",
    "AlertEvent",
    "Baseline",
    "Cells",
    "ChartPanel",
    "CommandContext",
    "DecodeError",
    "DeliveryError",
    "Direction",
    "ExportData",
    "ExportFormat",
    "ExportRow",
    "FetchContext",
    "FetchError",
    "Frequency",
    "GaugePanel",
    "HttpGetter",
    "HttpResult",
    "Indicator",
    "IndicatorView",
    "MeasureKind",
    "NotifierType",
    "NumberError",
    "ObservationStatus",
    "Option",
    "OptionKind",
    "Panel",
    "PanelConfig",
    "PanelContext",
    "PanelType",
    "ParseFn",
    "PathError",
    "Period",
    "PeriodError",
    "PeriodKind",
    "PluginCommand",
    "PublishedFigure",
    "PublishedFile",
    "PublishedFormatError",
    "Qualifier",
    "Reading",
    "RegisterCommand",
    "RegisterExportFormat",
    "RegisterIndicator",
    "RegisterNotifier",
    "RegisterPanelKind",
    "RegisterSourceType",
    "Repeated",
    "SendContext",
    "SourceType",
    "StatPanel",
    "TablePanel",
    "Target",
    "ThresholdMode",
    "Thresholds",
    "covers",
    "decode_text",
    "excerpt",
    "figure_text",
    "file_source_type",
    "hookimpl",
    "http_source_type",
    "indicators_hook",
    "join_year_period",
    "load_indicators",
    "load_json",
    "load_published",
    "normalise_header",
    "one_frequency",
    "parse_number",
    "parse_period",
    "parse_quantity",
    "period_text",
    "readings_from_table",
    "rescaled",
    "resolve_or_fail",
    "resolve_path",
    "scale_exact",
    "source_types_hook",
    "status_from_code",
    "strip_control",
    "table_from_rows",
    "table_options",
    "value_text",
]
