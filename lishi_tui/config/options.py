"""A source type's options parsed exactly as the loader parses a ``[sources.<id>]`` table.

The test harness (``lishi_tui.testing``) goes through here, so a plugin tested with
it gets the same typed values (a ``timedelta`` for a duration, defaults filled in
from its ``Option`` declarations) as in production: there is one parser, the
loader's, not a second one that could drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from lishi_tui.config.engine import Build, Issues
from lishi_tui.config.errors import ConfigError, ConfigIssue
from lishi_tui.config.reading import parse_raw
from lishi_tui.config.tables.sources import SourcesTable
from lishi_tui.sources.api import SourceType

_SOURCE_ID = "under_test"


def typed_options(
    source_type: SourceType,
    given: Mapping[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    path: Path = Path("<options>"),
) -> dict[str, Any]:
    """``given`` (TOML values, as a config file would hold them) checked and converted by
    ``source_type``'s declared options, with every default filled in.

    Raises ``ConfigError`` listing every problem, located as ``sources.under_test.<key>``.
    """
    table = {"type": source_type.name, **given}
    try:
        text = tomli_w.dumps({"sources": {_SOURCE_ID: table}})
    except TypeError as exc:
        issue = ConfigIssue(path, None, f"sources.{_SOURCE_ID}", f"not a TOML value: {exc}")
        raise ConfigError([issue]) from exc
    raw = parse_raw(path, text)
    issues = Issues(raw)
    ctx = Build(issues, None, env or {})
    options: dict[str, Any] = {}
    sources = ctx.section("sources")
    section = sources.table(_SOURCE_ID) if sources is not None else None
    if section is not None:
        options, _secrets = SourcesTable._options(ctx, section, source_type)
    issues.raise_if_any()
    return options
