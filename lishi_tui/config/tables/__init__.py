"""The top-level tables a config file may have, as the declarations the loader iterates.

To add a top-level table (say ``[alerts.<id>]``), declare it in a module of its own
and name that module below; nothing else in the loader changes:

    # lishi_tui/alerts/config.py
    from lishi_tui.config.engine import Entry, TableMap
    from lishi_tui.config.fields import Choice, Fields, Float, Str

    RULE_FIELDS = Fields(
        Str(name="indicator", required=True, description="the indicator watched"),
        Float(name="above", description="fire when the value is above this"),
        Choice(name="severity", values=("info", "warning"), default="warning"),
        description="one alert rule",
    )

    def _rule(entry: Entry) -> AlertRule | None:
        known = entry.ctx.built["indicators"]        # tables built earlier
        if entry.values.get("indicator") not in known:
            entry.section.add("unknown indicator")   # located at [alerts.<id>]
            return None
        return AlertRule(id=entry.id, **entry.values)

    TABLE = TableMap("alerts", RULE_FIELDS, _rule, description="alert rules")

and add ``"lishi_tui.alerts.config"`` to ``TABLE_MODULES``. Each module exposes
``TABLE`` (a ``TopTable``) or ``TABLES`` (several). Tables are built in this order,
so a table may read ``ctx.built[key]`` of any table listed before it. The built value
is read back, typed, with ``config.table(TABLE)``; the key list, the unknown-key
check, the defaults and the JSON Schema all come from the same ``Fields``.
Ranges (``Int(minimum=, maximum=)``, ``Float``, ``Duration(maximum=)``) and choices are
part of a field's declaration and appear in the schema too.
"""

from __future__ import annotations

import importlib
from functools import cache

from lishi_tui.config.engine import TopTable

# Built in this order; the first seven are the core tables Config names as attributes.
TABLE_MODULES: tuple[str, ...] = (
    "lishi_tui.config.tables.settings",
    "lishi_tui.config.tables.indicators",
    "lishi_tui.config.tables.sources",
    "lishi_tui.config.tables.pages",
    "lishi_tui.notify.config",  # before alerts: rules name notifiers
    "lishi_tui.alerts.config",
)


@cache
def all_tables() -> tuple[TopTable[object], ...]:
    """Every declared top-level table, in build order."""
    out: list[TopTable[object]] = []
    for name in TABLE_MODULES:
        module = importlib.import_module(name)
        tables = getattr(module, "TABLES", None) or (module.TABLE,)
        out.extend(tables)
    return tuple(out)


def table_keys() -> tuple[str, ...]:
    """The valid top-level keys, in build order."""
    return tuple(t.key for t in all_tables())
