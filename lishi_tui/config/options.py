"""A type's options parsed exactly as the loader parses its config table.

The test harness (``lishi_tui.testing``) goes through here, so a plugin tested with
it gets the same typed values (a ``timedelta`` for a duration, defaults filled in
from its ``Option`` declarations) as in production: there is one parser, the
loader's, not a second one that could drift. It serves source types
(``[sources.<id>]``) and notification channel types (``[notifiers.<id>]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lishi_tui.config.engine import Build, Issues
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.fields import Fields
from lishi_tui.config.reading import parse_raw
from lishi_tui.config.tables.sources import SOURCE_FIELDS, OptionsOwner
from lishi_tui.config.tables.sources import typed_options as _table_options

_ID = "under_test"


def _table_of(declared_type: OptionsOwner) -> tuple[str, Fields, str]:
    from lishi_tui.notify.api import NotifierType

    if isinstance(declared_type, NotifierType):
        from lishi_tui.notify.config import NOTIFIER_FIELDS

        return "notifiers", NOTIFIER_FIELDS, "notifier type"
    return "sources", SOURCE_FIELDS, "source type"


def typed_options(
    declared_type: OptionsOwner,
    given: Mapping[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    path: Path = Path("<options>"),
) -> dict[str, Any]:
    """``given`` (TOML values, as a config file would hold them) checked and converted by
    ``declared_type``'s options (a ``SourceType`` or a ``NotifierType``), every default
    filled in.

    Raises ``ConfigError`` listing every problem, located as ``sources.under_test.<key>``
    (or ``notifiers.under_test.<key>``).
    """
    table_key, common, what = _table_of(declared_type)
    table = {"type": declared_type.name, **given}
    import tomli_w  # a plugin author's helper: not on a dashboard's start

    try:
        text = tomli_w.dumps({table_key: {_ID: table}})
    except TypeError as exc:
        issue = ConfigIssue(path, None, f"{table_key}.{_ID}", f"not a TOML value: {exc}")
        raise ConfigError([issue]) from exc
    issues = Issues(parse_raw(path, text))
    ctx = Build(issues, None, env or {})
    options: dict[str, Any] = {}
    tables = ctx.section(table_key)
    section = tables.table(_ID) if tables is not None else None
    if section is not None:
        options, _secrets = _table_options(ctx, section, declared_type, common, what=what)
    issues.raise_if_any()
    return options
