"""The JSON Schema (draft 7) of a whole config file, derived from the table declarations.

Editors read it through taplo / Even Better TOML: a ``#:schema <path>`` line at the top
of the TOML file names it. Source tables list every registered type's options.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from lishi_tui.config.files import atomic_write_text
from lishi_tui.config.starter import SCHEMA_NAME
from lishi_tui.config.tables import all_tables
from lishi_tui.registry import Registry

DRAFT = "http://json-schema.org/draft-07/schema#"


def config_schema(registry: Registry | None) -> dict[str, Any]:
    """The schema of a config file with the source types ``registry`` holds."""
    return {
        "$schema": DRAFT,
        "title": "lishi-tui configuration",
        "description": "The TOML file lishi-tui reads; docs/config.md describes every key.",
        "type": "object",
        "properties": {t.key: t.schema(registry) for t in all_tables()},
        "additionalProperties": False,
    }


def schema_text(registry: Registry | None) -> str:
    return json.dumps(config_schema(registry), ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path, registry: Registry | None) -> None:
    """Write the schema file (generated: it is replaced whole)."""
    atomic_write_text(path, schema_text(registry))


def as_json_data(value: Any) -> Any:
    """TOML data as an editor's schema check sees it: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


__all__ = ["DRAFT", "SCHEMA_NAME", "as_json_data", "config_schema", "schema_text", "write_schema"]
