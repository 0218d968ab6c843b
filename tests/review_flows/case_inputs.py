"""What the case service tests write with: a new case's fields, settings without a .env
file, an event to record, and a table's row count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.settings import Settings
from review_flows.events import EventKind
from review_flows.models import CaseEventCreate

D = dt.date
K = EventKind
NEW_CASE = {
    "reference": "NSH-2026-004",
    "partnership": "Northshire",
    "nation": "england",
    "incident_date": D(2026, 1, 5),
    "aware_on": D(2026, 1, 6),
    "outcome": "death",
    "age_group": "under_1",
}


def _settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


def _count(session: Session, table: Any) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _event(kind: EventKind, on: D, **fields: Any) -> CaseEventCreate:
    return CaseEventCreate(kind=kind, on=on, **fields)
