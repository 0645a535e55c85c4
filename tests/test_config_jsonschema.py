"""The JSON Schema editors read: derived from the declarations, and agreeing with the loader."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lishi_tui.cli import main
from lishi_tui.config.jsonschema import as_json_data, config_schema
from lishi_tui.config.loader import CORE_TABLES, check_config
from lishi_tui.registry import Registry
from tests.support.bundled import CONFIG, ROOT, load_bundled

EXAMPLES = sorted((ROOT / "config" / "examples").glob("*.toml"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_bundled()


@pytest.fixture(scope="module")
def validator(registry: Registry) -> jsonschema.Draft7Validator:
    schema = config_schema(registry)
    jsonschema.Draft7Validator.check_schema(schema)  # the schema is itself valid draft 7
    return jsonschema.Draft7Validator(schema)


def errors(validator: jsonschema.Draft7Validator, data: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(as_json_data(data))
    ]


@pytest.mark.parametrize("path", [CONFIG, *EXAMPLES], ids=lambda p: p.name)
def test_bundled_and_example_configs_validate(
    path: Path, registry: Registry, validator: jsonschema.Draft7Validator
) -> None:
    assert check_config(path, registry, {}) == []
    assert errors(validator, tomllib.loads(path.read_text(encoding="utf-8"))) == []


def test_every_source_type_and_its_options_are_described(
    registry: Registry, validator: jsonschema.Draft7Validator
) -> None:
    entry = config_schema(registry)["properties"]["sources"]["additionalProperties"]
    variants = {v["title"]: v for v in entry["anyOf"]}
    assert set(variants) == set(registry.source_types)
    for name, st in registry.source_types.items():
        props = variants[name]["properties"]
        for option_name, option in st.options.items():
            assert option_name in props, (name, option_name)
            if option.choices:
                assert props[option_name]["enum"] == list(option.choices)
    app = config_schema(registry)["properties"]["app"]["properties"]
    assert app["language"]["enum"] == ["zh", "en", "auto"] and app["language"]["description"]


# ---- schema and loader agree, both ways -------------------------------------------------


def sample(schema: dict[str, Any], key: str = "") -> Any:
    """A value the schema accepts, filling every property it declares."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][-1]
    if schema.get("default") not in (None, [], {}, ""):
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        return {k: sample(v, k) for k, v in schema["properties"].items()}
    if kind == "object":
        return {}
    if kind == "array":
        items = schema.get("items", {})
        return [sample(items)] if items.get("type") == "object" else []
    if kind == "boolean":
        return True
    if kind == "integer":
        return schema.get("minimum", 0) + 1
    if kind == "number":
        return 2.5
    if schema.get("format") == "date":
        return "2025-12-31"
    if schema.get("format") == "date-time":
        return "2026-12-02T10:15:00+08:00"
    pattern = schema.get("pattern", "")
    if pattern.startswith("^(https?"):
        return "https://example.org/x"
    if "ms|d|h|m|s" in pattern:
        return "1h"
    return f"x-{key}"


def full_document(registry: Registry) -> dict[str, Any]:
    """Every table and key the schema declares, with one source of each registered type."""
    tables = config_schema(registry)["properties"]
    doc: dict[str, Any] = {}
    # Core tables only: a table declared elsewhere whose keys depend on another key's value
    # (alert rules by `kind`) cannot be filled in blindly; its own tests cover it.
    for key, schema in tables.items():
        if key not in CORE_TABLES:
            continue
        entry = schema.get("additionalProperties")
        doc[key] = sample(schema) if schema.get("properties") else {}
        if isinstance(entry, dict) and "anyOf" in entry:
            for variant in entry["anyOf"]:
                doc[key][f"s_{variant['title']}"] = sample(variant)
        elif isinstance(entry, dict):
            doc[key]["e1"] = sample(entry)
    # Cross-references the schema cannot express: one of indicator/indicators, known ids.
    doc["storage"]["backend"] = "sqlite"
    doc["indicators"]["e1"].pop("source")
    doc["indicators"]["e1"]["thresholds"]["mode"] = "absolute"
    for table in [*doc["sources"].values(), *doc["pages"]["e1"]["panels"]]:
        table.pop("indicators")
        table["indicator"] = "e1"
    return doc


def dump(doc: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(doc)


def test_every_key_the_schema_declares_is_accepted_by_the_loader(
    tmp_path: Path, registry: Registry, validator: jsonschema.Draft7Validator
) -> None:
    doc = full_document(registry)
    assert errors(validator, doc) == []
    path = tmp_path / "full.toml"
    path.write_text(dump(doc), encoding="utf-8")
    issues = [i for i in check_config(path, registry, {}) if "does not exist" not in i.message]
    assert issues == []


def key_paths(doc: dict[str, Any], prefix: tuple[str | int, ...] = ()) -> list[tuple[Any, ...]]:
    """Every table in ``doc`` (as a key path), tables inside arrays included."""
    out = [prefix]
    for key, value in doc.items():
        if isinstance(value, dict):
            out += key_paths(value, (*prefix, key))
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, dict):
                    out += key_paths(item, (*prefix, key, n))
    return out


def test_a_key_neither_declares_is_refused_by_both(
    tmp_path: Path, registry: Registry, validator: jsonschema.Draft7Validator
) -> None:
    base = full_document(registry)
    free = {("sources", s, "headers") for s in base["sources"]} | {
        ("sources", s, "series") for s in base["sources"]
    }
    checked = 0
    for path in key_paths(base):
        # Tables whose keys are ids or a plugin's own (headers, series) take any key.
        if path in (("indicators",), ("sources",), ("pages",)) or path in free:
            continue
        doc = copy.deepcopy(base)
        table: Any = doc
        for part in path:
            table = table[part]
        if not isinstance(table, dict) or (not table and path):
            continue
        table["zz_not_a_key"] = 1
        assert errors(validator, doc), path
        file = tmp_path / "extra.toml"
        file.write_text(dump(doc), encoding="utf-8")
        found = check_config(file, registry, {})
        assert any("zz_not_a_key" in i.key for i in found), (path, found)
        checked += 1
    assert checked > 15


def test_config_schema_prints_json_and_init_writes_the_directive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "schema"], env={}) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "demo" in {
        v["title"] for v in printed["properties"]["sources"]["additionalProperties"]["anyOf"]
    }

    target = tmp_path / "mine.toml"
    assert main(["config", "init", str(target)], env={}) == 0
    first = target.read_text(encoding="utf-8").splitlines()[0]
    assert first == "#:schema ./lishi.schema.json"
    schema = json.loads((tmp_path / "lishi.schema.json").read_text(encoding="utf-8"))
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(as_json_data(data))) == []
