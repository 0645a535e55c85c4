"""Schema migrations written once for every backend, in per-module sequences.

A module that needs its own tables declares them once, as a ``Schema``: a name (its own
migration sequence, so modules never fight over one global version number) and an ordered
list of ``Migration`` steps. Step n is the n-th entry; steps already applied to a database
are recorded in its ``lishi_migrations`` table (module, step, name) and never run again.
Append steps, never edit or reorder applied ones: a step whose recorded name differs from
the declared one stops the store from opening rather than guessing.

SQL is written once in the shared dialect (see ``lishi_tui.store.sql``): ``?`` placeholders
and ``{word}`` substitutions for what differs between SQLite and PostgreSQL::

    ALERTS_SCHEMA = Schema("alerts", [
        Migration("alert instances", '''
            CREATE TABLE alert_instances (
                id       {id},
                rule     TEXT NOT NULL,
                since    {time} NOT NULL,
                firing   {bool} NOT NULL,
                detail   {json} NOT NULL
            );
            CREATE INDEX alert_instances_rule ON alert_instances (rule, since DESC)
        '''),
    ])

    store.ensure(ALERTS_SCHEMA)      # once, before first use; idempotent and cheap after

A step may also be a function of the open ``Transaction`` (for a backfill that needs Python).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lishi_tui.store.sql import Transaction

MIGRATIONS_TABLE = "lishi_migrations"


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this program (too new, or steps disagree)."""


@dataclass(frozen=True)
class Migration:
    """One step of a module's schema: SQL statements separated by ``;``, or a function."""

    name: str
    sql: str | Sequence[str] | Callable[[Transaction], None]

    def statements(self) -> list[str]:
        """The step's statements (``--`` comment lines dropped; a list is taken as given)."""
        if callable(self.sql):
            return []
        if not isinstance(self.sql, str):
            return [s for s in self.sql if s.strip()]
        lines = [line for line in self.sql.splitlines() if not line.strip().startswith("--")]
        return [s for s in "\n".join(lines).split(";") if s.strip()]


@dataclass(frozen=True)
class Schema:
    """A module's own migration sequence: step n is ``steps[n - 1]``."""

    module: str
    steps: tuple[Migration, ...]

    def __init__(self, module: str, steps: Sequence[Migration]) -> None:
        if not module or not module.replace("_", "").replace(".", "").isalnum():
            raise ValueError(f"schema module name {module!r}: use letters, digits, _ and .")
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"schema {module!r}: migration names must be unique")
        object.__setattr__(self, "module", module)
        object.__setattr__(self, "steps", tuple(steps))

    @property
    def version(self) -> int:
        return len(self.steps)


CREATE_MIGRATIONS_TABLE = f"""
CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
    module      TEXT NOT NULL,
    step        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    applied_at  {{time}} NOT NULL,
    PRIMARY KEY (module, step)
)
"""


def applied_steps(tx: Transaction) -> dict[str, dict[int, str]]:
    """Per module, the steps recorded in the database (empty before the first migration)."""
    if not tx.dialect.table_exists(tx, MIGRATIONS_TABLE):
        return {}
    out: dict[str, dict[int, str]] = {}
    for module, step, name in tx.query(f"SELECT module, step, name FROM {MIGRATIONS_TABLE}"):
        out.setdefault(str(module), {})[int(step)] = str(name)
    return out


def pending(schema: Schema, applied: dict[int, str]) -> list[int]:
    """Step numbers still to run; raises SchemaError when the database is ahead or differs."""
    newest = max(applied, default=0)
    if newest > schema.version:
        raise SchemaError(
            f"the database's {schema.module!r} schema is at step {newest}, newer than this "
            f"program knows ({schema.version}): upgrade lishi-tui to open it"
        )
    for step, name in applied.items():
        declared = schema.steps[step - 1].name
        if name != declared:
            raise SchemaError(
                f"the database's {schema.module!r} step {step} is {name!r} but this program's "
                f"is {declared!r}: migrations were renumbered after being applied"
            )
    return [n for n in range(1, schema.version + 1) if n not in applied]


def run_pending(tx: Transaction, schema: Schema, steps: Sequence[int]) -> None:
    """Run the given steps of ``schema`` in this (write) transaction and record each."""
    from datetime import UTC, datetime

    for number in steps:
        step = schema.steps[number - 1]
        if callable(step.sql):
            step.sql(tx)
        for statement in step.statements():
            tx.execute(statement)
        tx.execute(
            f"INSERT INTO {MIGRATIONS_TABLE} (module, step, name, applied_at) VALUES (?, ?, ?, ?)",
            (schema.module, number, step.name, datetime.now(UTC)),
        )
