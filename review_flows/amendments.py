"""Amendments of a case's own facts (incident date, nation, owner) as events of its log. Pure.

A wrong incident date or nation, or a new owner, is an ``amended`` event that names the field
and its new value; the service that appends it updates the case row in the same transaction,
never the row alone. The case as it now reads is the row with the latest amendment of each
field applied, and replaying the log gives the row (``cspr audit verify`` checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from review_flows.calendar import Nation, parse_nation
from review_flows.errors import CaseDataInvalid

#: The facts of a case that an amendment may change.
AMENDABLE_FIELDS: tuple[str, ...] = ("incident_date", "nation", "owner")


def parse_amended_value(field: str, text: str) -> dt.date | Nation | str:
    """The typed value of an amendment of ``field`` stored as ``text``."""
    if field == "incident_date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CaseDataInvalid(f"incident date {text!r} is not a date (YYYY-MM-DD)") from None
    if field == "nation":
        return parse_nation(text)
    if field == "owner":
        return text  # a username, checked by the service that records it
    raise CaseDataInvalid(f"{field!r} cannot be amended; amendable: {', '.join(AMENDABLE_FIELDS)}")


def amended_fields(amendments: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Field -> typed value from ``(field, value)`` pairs in recording order; the latest wins."""
    return {field: parse_amended_value(field, value) for field, value in amendments}


def apply_amendments(
    fields: Mapping[str, Any], amendments: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """``fields`` of a case row with its amendments applied."""
    return {**fields, **amended_fields(amendments)}
