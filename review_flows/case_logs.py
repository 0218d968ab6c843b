"""Bulk reads of the event log: every case's events in one query, built fast.

The dashboard and ``cspr case list`` read every open case at once (100,000 in the benchmark);
these helpers keep that under a few seconds on SQLite.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.engine import Connection

from core.db import table_of
from review_flows.events import Event, EventKind
from review_flows.models import Case, CaseEvent


def load_logs(connection: Connection, cases: Select[Any]) -> dict[int, tuple[Event, ...]]:
    """Light events (kind, date, id, corrects) of the cases ``cases`` selects, by case id, in
    recording order. Notes and recorders are left out: stage and milestones do not need them."""
    ids = cases.with_only_columns(table_of(Case).c.id).order_by(None)
    events = table_of(CaseEvent).c
    # The kind as its stored string, looked up below: SQLAlchemy's per-row enum processing
    # is a third of the load time at 500,000 events.
    query = (
        select(events.case_id, type_coerce(events.kind, String), events.on, events.id)
        .add_columns(events.corrects)
        .where(events.case_id.in_(ids))
        .order_by(events.case_id, events.id)
    )
    kinds = {kind.value: kind for kind in EventKind}
    logs: dict[int, list[Event]] = {}
    current: int | None = None
    log: list[Event] = []
    for case_id, kind, on, event_id, corrects in connection.execute(query).all():
        if case_id != current:
            current, log = case_id, logs.setdefault(case_id, [])
        log.append(_light_event(kinds[kind], on, event_id, corrects))
    return {case_id: tuple(events) for case_id, events in logs.items()}


def load_amendments(connection: Connection, cases: Select[Any]) -> dict[int, list[tuple[str, str]]]:
    """``(field, value)`` amendments of the cases ``cases`` selects, by case id, in order."""
    ids = cases.with_only_columns(table_of(Case).c.id).order_by(None)
    events = table_of(CaseEvent).c
    query = (
        select(events.case_id, events.amends, events.amended_to)
        .where(events.case_id.in_(ids), type_coerce(events.kind, String) == EventKind.AMENDED.value)
        .order_by(events.case_id, events.id)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for case_id, field, value in connection.execute(query).all():
        found.setdefault(case_id, []).append((field, value))
    return found


_new_object = object.__new__
_set_attribute = object.__setattr__


def _light_event(kind: EventKind, on: dt.date, event_id: int, corrects: int | None) -> Event:
    # Why not Event(...): the frozen dataclass __init__ sets its 7 fields one at a time, which
    # is most of the cost of building 500,000 events; the dict holds every field, as __init__'s.
    event = _new_object(Event)
    _set_attribute(
        event,
        "__dict__",
        {"kind": kind, "on": on, "id": event_id, "note": None, "corrects": corrects,
         "recorded_by": None, "recorded_at": None},
    )  # fmt: skip
    return event


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many acyclic objects.

    Why: each full collection walks every live object, so building 100,000 cases with their
    events triggered passes that took more than half of the load time. Nothing built here
    forms reference cycles; collection resumes (if it was on) when the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
