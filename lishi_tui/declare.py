"""Declarative plugins: a registration hook made from what a plugin declares.

A plugin whose hook only registers a fixed list does not need to write the hook::

    SOURCE_TYPE = http_source_type("office_api", parse, OPTIONS)
    lishi_register_source_types = source_types_hook(SOURCE_TYPE)

    INDICATORS = load_indicators(__file__)  # indicators.toml beside the module
    lishi_register_indicators = indicators_hook(INDICATORS)

The hooks made here are ordinary ``@hookimpl`` functions: the plugin host calls, times
and isolates them exactly as it does hand-written ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from lishi_tui import hookimpl
from lishi_tui.domain.model import Indicator
from lishi_tui.hookspecs import RegisterIndicator, RegisterSourceType
from lishi_tui.sources.api import SourceType

INDICATOR_FILE = "indicators.toml"


def source_types_hook(*types: SourceType) -> Callable[[RegisterSourceType], None]:
    """A ``lishi_register_source_types`` implementation registering ``types`` in order."""

    @hookimpl
    def lishi_register_source_types(register: RegisterSourceType) -> None:
        for source_type in types:
            register(source_type)

    return lishi_register_source_types


def indicators_hook(indicators: Iterable[Indicator]) -> Callable[[RegisterIndicator], None]:
    """A ``lishi_register_indicators`` implementation registering ``indicators`` in order."""
    declared = tuple(indicators)

    @hookimpl
    def lishi_register_indicators(register: RegisterIndicator) -> None:
        for indicator in declared:
            register(indicator)

    return lishi_register_indicators


def load_indicators(path: str | Path) -> tuple[Indicator, ...]:
    """The indicators declared in a TOML file, in the config's ``[indicators.<id>]`` format.

    ``path`` is the file, or a plugin module's ``__file__``: then ``indicators.toml`` in
    the same folder. Each table takes the keys a config's ``[indicators.<id>]`` takes
    (``name_zh`` required; ``unit``, ``decimals``, ``direction``, ``frequency``,
    ``measure``, ``stale_after = "2h"``, ``tags``, ``description``…), so one format serves
    both, and an operator can copy a table into a config to override it. A fault raises
    ``ConfigError`` naming the file, line and key, which fails the plugin's import: the
    host records it as that plugin's error.
    """
    from lishi_tui.config.tables.indicators import indicators_from_file  # the config engine

    file = Path(path)
    if file.suffix == ".py":
        file = file.with_name(INDICATOR_FILE)
    return indicators_from_file(file)
