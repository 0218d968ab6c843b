"""A case's facts in its event log: what the creation event records, and how the case row is
checked against it. Pure: no database.

The facts are every column of the case row that says what the case is, who may see it and
which clocks run: reference, partnership, nation, incident date, outcome, age group, the two
flags, the pinned rulebook and the owner (not the row's id nor its ``created_at``). The
creation event stores them as canonical JSON text (``case_facts``), inside its hash; each
``amended`` event names one field and its new value. The case row holds the facts as they now
read, so replaying the log (creation facts, then each amendment in order) must give the row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from sqlalchemy import RowMapping

#: The case row's columns that the creation event records, in a fixed order.
CASE_FACTS: tuple[str, ...] = (
    "reference",
    "partnership",
    "nation",
    "incident_date",
    "outcome",
    "age_group",
    "looked_after",
    "child_protection_plan",
    "ruleset_id",
    "owner",
)
_FLAGS = frozenset({"looked_after", "child_protection_plan"})

Fact = str | bool | None
#: A stored row's columns by name: a plain mapping, or a row read with ``.mappings()``
#: (SQLAlchemy's ``RowMapping``, also keyed by column objects, so no ``Mapping[str, Any]``).
RowValues: TypeAlias = "Mapping[str, Any] | RowMapping"


def fact_value(field: str, value: Any) -> Fact:
    """A fact in its canonical form: dates as ISO text, enums as their value, flags as bool."""
    if value is None:
        return None
    if field in _FLAGS:
        if isinstance(value, str):  # a flag read as text: SQLite's 0/1, PostgreSQL's t/f
            return value.strip().lower() in {"1", "t", "true"}
        return bool(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def facts_of(row: RowValues) -> dict[str, Fact]:
    """The facts of a case row (a mapping of its columns), canonical."""
    return {field: fact_value(field, row.get(field)) for field in CASE_FACTS}


def facts_text(row: RowValues) -> str:
    """What a creation event stores and hashes: the row's facts as canonical JSON text."""
    return json.dumps(facts_of(row), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def read_facts(text: str) -> dict[str, Fact]:
    """The facts a creation event stored (``ValueError`` if its text is not a JSON object)."""
    facts = json.loads(text)
    if not isinstance(facts, dict):
        raise ValueError("case facts must be a JSON object")
    return {field: facts.get(field) for field in CASE_FACTS}


def replay_facts(
    created: Mapping[str, Fact], amendments: Iterable[tuple[str | None, str | None]]
) -> dict[str, Fact]:
    """The facts as they now read: the creation facts, then each ``(field, new value)``
    amendment in recording order (the latest wins)."""
    facts = dict(created)
    for field, value in amendments:
        if field is not None:
            facts[field] = fact_value(field, value)
    return facts


@dataclass(frozen=True)
class FactMismatch:
    """One field whose value in the case row differs from what its event log says."""

    field: str
    in_row: Fact
    in_log: Fact

    def describe(self) -> str:
        return f"{self.field} in the row ({_shown(self.in_row)}) differs from its event log " + (
            f"({_shown(self.in_log)})"
        )


def fact_mismatches(row: Mapping[str, Fact], log: Mapping[str, Fact]) -> tuple[FactMismatch, ...]:
    """The fields where the row's facts and the log's differ, in :data:`CASE_FACTS` order."""
    return tuple(
        FactMismatch(field, row.get(field), log.get(field))
        for field in CASE_FACTS
        if row.get(field) != log.get(field)
    )


def _shown(value: Fact) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
