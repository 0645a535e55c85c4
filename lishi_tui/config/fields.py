"""Field declarations: each kind of config value checks itself and describes itself as JSON Schema.

A field carries its name, default, description, whether it is required, and its
own constraints (ranges, choices). ``Field.check`` turns a TOML value into the
typed value or records a located issue and returns ``INVALID``; ``Field.schema``
gives the JSON Schema (draft 7) fragment for the same rules, so the loader and
the schema an editor reads are one declaration.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from lishi_tui.config.durations import format_duration, parse_duration
from lishi_tui.text import nearest

if TYPE_CHECKING:
    from lishi_tui.config.engine import Issues
    from lishi_tui.config.lines import KeyPath

# Every number has a bound, declared or not: a value that passes `config check` must not
# overflow a timer, a date or a format later. Fields declare tighter ones where they know.
LONGEST_DURATION = timedelta(days=3650)
LARGEST_INT = 10**9
LARGEST_FLOAT = 1e15

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()
"""What ``check`` returns for a value it rejected (the issue is already recorded)."""

DURATION_PATTERN = r"^\s*(\d+(\.\d+)?\s*(ms|d|h|m|s)\s*)+$"
ENV_REF_PATTERN = r"\$\{[A-Za-z_][A-Za-z0-9_]*\}"


def type_name(value: object) -> str:
    """``an integer``, ``a table``...: how a TOML value is named in an issue."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    return type(value).__name__


def quoted(values: Iterable[object]) -> str:
    return ", ".join(f"'{v}'" for v in values)


@dataclass(frozen=True)
class Where:
    """Where a value sits, for the issues its check records."""

    issues: Issues
    path: KeyPath
    sensitive: bool = False  # a secret: never echo the value

    def add(self, message: str, suggestion: str | None = None) -> None:
        self.issues.add(self.path, message, suggestion)

    def at(self, key: str | int) -> Where:
        return replace(self, path=(*self.path, key))


def _is_int(value: object) -> bool:
    # bool is a subclass of int in Python, but `retries = true` is a mistake in TOML.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, kw_only=True)
class Field:
    """One key of a table. Subclasses say what the value must be.

    A subclass that adds or re-defaults no field is a plain subclass, not a dataclass of
    its own: it inherits every generated method, and each @dataclass costs about a
    millisecond of start-up (the methods are compiled from source).
    """

    name: str
    description: str = ""
    default: Any = None
    required: bool = False
    missing_hint: str = ""  # appended to "missing required key 'x'"
    choices: tuple[Any, ...] = ()  # allowed values (plugin options), checked after the type
    env_refs: bool = False  # ${NAME} is expanded before the check (source options)
    expected: ClassVar[str] = "a value"  # "expected <this>, got a table"
    json_type: ClassVar[str | list[str] | None] = None

    def check(self, value: Any, where: Where) -> Any:
        """The typed value, or ``INVALID`` after recording why not."""
        result = self.convert(value, where)
        if result is INVALID or not self.choices or value in self.choices:
            return result
        shown = "" if where.sensitive else f", got {value!r}"
        suggestion = None
        if isinstance(value, str) and not where.sensitive:
            suggestion = nearest(value, [c for c in self.choices if isinstance(c, str)])
        where.add(f"must be one of {', '.join(repr(c) for c in self.choices)}{shown}", suggestion)
        return INVALID

    def convert(self, value: Any, where: Where) -> Any:
        return value

    def wrong(self, value: Any, where: Where) -> Any:
        where.add(f"expected {self.expected}, got {type_name(value)}")
        return INVALID

    def default_value(self) -> Any:
        """The value an absent key takes, in the form a given value would take."""
        return copy.deepcopy(self.default)

    def schema(self) -> dict[str, Any]:
        """This field as a JSON Schema fragment."""
        out: dict[str, Any] = {}
        if self.json_type is not None:
            out["type"] = self.json_type
        if self.description:
            out["description"] = self.description
        if self.choices:
            out["enum"] = list(self.choices)
        default = self.schema_default()
        if default is not None and not self.required:
            out["default"] = default
        out.update(self.constraints())
        return out

    def schema_default(self) -> Any:
        return self.default

    def constraints(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class Str(Field):
    """A string; ``non_empty`` refuses ``""``."""

    default: Any = ""
    non_empty: bool = False
    expected: ClassVar[str] = "a string"
    json_type: ClassVar[str | list[str] | None] = "string"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, where)
        if self.non_empty and not value:
            where.add("must not be empty")
            return INVALID
        return value

    def constraints(self) -> dict[str, Any]:
        return {"minLength": 1} if self.non_empty else {}


class Url(Str):
    """An http:// or https:// URL."""

    def convert(self, value: Any, where: Where) -> Any:
        result = super().convert(value, where)
        if result is not INVALID and not re.match(r"https?://[^/\s]", result):
            shown = "" if where.sensitive else f", got {value!r}"
            where.add(f"must be an http:// or https:// URL{shown}")
            return INVALID
        return result

    def constraints(self) -> dict[str, Any]:
        env = f"|.*{ENV_REF_PATTERN}" if self.env_refs else ""
        return {"pattern": rf"^(https?://[^/\s]{env})"}


class Bool(Field):
    expected: ClassVar[str] = "a boolean (true or false)"
    json_type: ClassVar[str | list[str] | None] = "boolean"

    def convert(self, value: Any, where: Where) -> Any:
        return value if isinstance(value, bool) else self.wrong(value, where)


@dataclass(frozen=True, kw_only=True)
class Int(Field):
    """An integer within ``minimum``..``maximum`` (never beyond ±``LARGEST_INT``)."""

    minimum: int | None = -LARGEST_INT
    maximum: int | None = LARGEST_INT
    expected: ClassVar[str] = "an integer"
    json_type: ClassVar[str | list[str] | None] = "integer"

    def convert(self, value: Any, where: Where) -> Any:
        if not _is_int(value):
            return self.wrong(value, where)
        if self.minimum is not None and value < self.minimum:
            where.add(f"must be at least {self.minimum}, got {value}")
            return INVALID
        if self.maximum is not None and value > self.maximum:
            where.add(f"must be at most {self.maximum}, got {value}")
            return INVALID
        return value

    def constraints(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True, kw_only=True)
class Float(Field):
    """A finite number (integers accepted) within ±``LARGEST_FLOAT`` unless declared
    tighter; ``positive`` means greater than 0."""

    positive: bool = False
    minimum: float | None = -LARGEST_FLOAT
    maximum: float | None = LARGEST_FLOAT
    expected: ClassVar[str] = "a number"
    json_type: ClassVar[str | list[str] | None] = "number"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return self.wrong(value, where)
        if value != value or value in (float("inf"), float("-inf")):
            where.add(f"must be a finite number, got {value}")
            return INVALID
        if self.positive and value <= 0:
            where.add(f"must be greater than 0, got {value}")
            return INVALID
        if self.minimum is not None and value < self.minimum:
            where.add(f"must be at least {self.minimum:g}, got {value}")
            return INVALID
        if self.maximum is not None and value > self.maximum:
            where.add(f"must be at most {self.maximum:g}, got {value}")
            return INVALID
        return float(value)

    def default_value(self) -> Any:
        return float(self.default) if _is_int(self.default) else copy.deepcopy(self.default)

    def constraints(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.positive:
            out["exclusiveMinimum"] = 0
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True, kw_only=True)
class Duration(Field):
    """A duration string such as "30s" or "1h30m", read as a ``timedelta``.

    ``positive`` refuses "0s"; ``maximum`` caps it (``LONGEST_DURATION`` unless declared).
    A plugin's default may be a string.
    """

    positive: bool = True
    maximum: timedelta | None = LONGEST_DURATION
    expected: ClassVar[str] = 'a duration string such as "30s"'
    json_type: ClassVar[str | list[str] | None] = "string"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, where)
        try:
            td = parse_duration(value)
        except ValueError as exc:
            where.add("not a duration" if where.sensitive else str(exc))
            return INVALID
        if self.positive and td <= timedelta():
            where.add("must be longer than 0")
            return INVALID
        if self.maximum is not None and td > self.maximum:
            where.add(f"must be at most {format_duration(self.maximum)}, got {value!r}")
            return INVALID
        return td

    def default_value(self) -> Any:
        if isinstance(self.default, str):
            # A plugin's malformed default is its own bug; pass it through, not blame the config.
            try:
                return parse_duration(self.default)
            except ValueError:
                return self.default
        return self.default

    def schema_default(self) -> Any:
        if isinstance(self.default, timedelta):
            return format_duration(self.default)
        return self.default

    def constraints(self) -> dict[str, Any]:
        if not self.env_refs:
            return {"pattern": DURATION_PATTERN}
        return {"pattern": f"^({DURATION_PATTERN[1:-1]}|.*{ENV_REF_PATTERN}.*)$"}


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    """One of a few strings; with ``enum`` set, read as that ``StrEnum``'s member."""

    values: tuple[str, ...] = ()
    enum: type[StrEnum] | None = None
    json_type: ClassVar[str | list[str] | None] = "string"

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(m.value for m in self.enum) if self.enum is not None else self.values

    def convert(self, value: Any, where: Where) -> Any:
        allowed = self.allowed
        if not isinstance(value, str):
            where.add(f"expected one of {quoted(allowed)}, got {type_name(value)}")
            return INVALID
        if value not in allowed:
            where.add(f"{value!r} is not one of {quoted(allowed)}", nearest(value, allowed))
            return INVALID
        return self.enum(value) if self.enum is not None else value

    def schema_default(self) -> Any:
        return str(self.default) if self.default is not None else None

    def constraints(self) -> dict[str, Any]:
        return {"enum": list(self.allowed)}


@dataclass(frozen=True, kw_only=True)
class StrList(Field):
    """An array of strings, read as a tuple."""

    default: Any = ()
    expected: ClassVar[str] = "an array of strings"
    json_type: ClassVar[str | list[str] | None] = "array"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, list):
            return self.wrong(value, where)
        out: list[str] = []
        for n, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                where.at(n).add(f"expected a string, got {type_name(item)}")
        return tuple(out)

    def schema_default(self) -> Any:
        return None if self.default is None else list(self.default)

    def constraints(self) -> dict[str, Any]:
        return {"items": {"type": "string"}}


class Date(Field):
    """A TOML date (``2021-12-31``) or the same as a string."""

    expected: ClassVar[str] = "a date such as 2021-12-31"
    json_type: ClassVar[str | list[str] | None] = "string"

    def convert(self, value: Any, where: Where) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                where.add(f"{value!r} is not a date (write 2021-12-31)")
                return INVALID
        return self.wrong(value, where)

    def constraints(self) -> dict[str, Any]:
        return {"format": "date"}


class DateTime(Field):
    """A TOML date-time with its offset (``2026-12-02T10:15:00+08:00``) or the same as a
    string; one without a time zone is refused (it would mean a different moment per host)."""

    expected: ClassVar[str] = "a date-time with its offset, such as 2026-12-02T10:15:00+08:00"
    json_type: ClassVar[str | list[str] | None] = "string"

    def convert(self, value: Any, where: Where) -> Any:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                where.add(f"{value!r} is not a date-time (write 2026-12-02T10:15:00+08:00)")
                return INVALID
        if not isinstance(value, datetime):
            return self.wrong(value, where)
        if value.utcoffset() is None:
            where.add("needs its time zone offset, e.g. 2026-12-02T10:15:00+08:00")
            return INVALID
        return value

    def constraints(self) -> dict[str, Any]:
        return {"format": "date-time"}


class AnyList(Field):
    """An array of anything (a plugin checks its items)."""

    expected: ClassVar[str] = "an array"
    json_type: ClassVar[str | list[str] | None] = "array"

    def convert(self, value: Any, where: Where) -> Any:
        return value if isinstance(value, list) else self.wrong(value, where)


class AnyTable(Field):
    """A table of anything (a plugin checks its keys)."""

    expected: ClassVar[str] = "a table"
    json_type: ClassVar[str | list[str] | None] = "object"

    def convert(self, value: Any, where: Where) -> Any:
        return value if isinstance(value, dict) else self.wrong(value, where)


class StrOrInt(Field):
    """A column name (string) or a 0-based index (integer)."""

    expected: ClassVar[str] = "a column name (string) or a 0-based index (integer)"
    json_type: ClassVar[str | list[str] | None] = ["string", "integer"]

    def convert(self, value: Any, where: Where) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int):
            return self.wrong(value, where)
        return value


@dataclass(frozen=True)
class Fields:
    """The declared keys of one table, in file order: the only list of what it may contain."""

    items: tuple[Field, ...]
    description: str = ""

    def __init__(self, *items: Field, description: str = "") -> None:
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "description", description)

    def __iter__(self) -> Iterator[Field]:
        return iter(self.items)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.items)

    def get(self, name: str) -> Field | None:
        return next((f for f in self.items if f.name == name), None)

    def __add__(self, other: Fields) -> Fields:
        return Fields(*self.items, *other.items, description=self.description)

    def schema(self, *, closed: bool = True) -> dict[str, Any]:
        """These fields as a JSON Schema object (``closed``: no other keys allowed)."""
        out: dict[str, Any] = {"type": "object"}
        if self.description:
            out["description"] = self.description
        out["properties"] = {f.name: f.schema() for f in self.items}
        required = [f.name for f in self.items if f.required]
        if required:
            out["required"] = required
        if closed:
            out["additionalProperties"] = False
        return out


@dataclass(frozen=True, kw_only=True)
class Table(Field):
    """A sub-table with declared fields, built into an object by ``make`` (None: rejected)."""

    fields: Fields = field(default_factory=Fields)
    make: Callable[[Mapping[str, Any]], object | None] = dict
    expected: ClassVar[str] = "a table"
    json_type: ClassVar[str | list[str] | None] = "object"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            return self.wrong(value, where)
        from lishi_tui.config.engine import Section

        values = Section(where.issues, value, where.path).read(self.fields)
        if any(f.required and f.name not in values for f in self.fields):
            return INVALID
        made = self.make(values)
        return INVALID if made is None else made

    def schema(self) -> dict[str, Any]:
        out = self.fields.schema()
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, kw_only=True)
class TableList(Field):
    """An array of tables (``[[x.name]]``) of declared fields, each built by ``make``; read
    as a tuple in file order."""

    fields: Fields = field(default_factory=Fields)
    make: Callable[[Mapping[str, Any]], object | None] = dict
    default: Any = ()
    expected: ClassVar[str] = "an array of tables"
    json_type: ClassVar[str | list[str] | None] = "array"

    def convert(self, value: Any, where: Where) -> Any:
        if not isinstance(value, list):
            return self.wrong(value, where)
        item = Table(name=self.name, fields=self.fields, make=self.make)
        made = [item.check(v, where.at(n)) for n, v in enumerate(value)]
        return tuple(m for m in made if m is not INVALID)

    def schema_default(self) -> Any:
        return list(self.default)

    def constraints(self) -> dict[str, Any]:
        return {"items": self.fields.schema()}


__all__ = [
    "INVALID",
    "AnyList",
    "AnyTable",
    "Bool",
    "Choice",
    "Date",
    "DateTime",
    "Duration",
    "Field",
    "Fields",
    "Float",
    "Int",
    "Str",
    "StrList",
    "StrOrInt",
    "Table",
    "TableList",
    "Url",
    "Where",
    "quoted",
    "type_name",
]
