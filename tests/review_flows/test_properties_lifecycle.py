"""Properties of the lifecycle, for random event sequences: every event is accepted or refused
by name, pure and on a real SQLite database, where a refused event writes nothing and the
stage always agrees with the log."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

from review_flows.case_queries import case_timeline, get_case, list_cases
from review_flows.cases import parse_input, record_event
from review_flows.errors import (
    CaseDataInvalid,
    EventRefused,
    InvalidTransition,
)
from review_flows.event_validation import validate_event, validate_log
from review_flows.events import AMENDING_KINDS, Event, EventKind
from review_flows.lifecycle import (
    TRANSITIONS,
    Stage,
    accepted_kinds,
    derive_stage,
    effective_events,
)
from review_flows.models import CaseEvent, CaseEventCreate, Job

D = dt.date
TODAY = D(2026, 3, 31)  # the ``today`` fixture
INCIDENT, AWARE = D(2026, 1, 5), D(2026, 1, 6)  # the case factory's dates


NOTES = st.sampled_from([None, "", "  ", "criminal trial", "entered in error"])


@st.composite
def attempts(draw: st.DrawFn, ids: list[int], stage: Stage | None, last: dt.date) -> Event:
    """One event to try: mostly a kind the stage accepts on a date near the last one; sometimes
    any kind, date, note or event to correct."""
    kinds = accepted_kinds(stage) if stage is not None else (EventKind.AWARE,)
    kind = draw(st.sampled_from(kinds) | st.sampled_from(list(EventKind)))
    on = last + dt.timedelta(days=draw(st.integers(-5, 25)))
    if draw(st.integers(0, 9)) == 0:
        on = draw(st.dates(D(1985, 1, 1), D(2105, 12, 31)))
    corrects = None
    if kind in (EventKind.CORRECTION, EventKind.VOID) or draw(st.integers(0, 19)) == 0:
        corrects = draw(st.sampled_from(ids) | st.integers(-1, 10**6)) if ids else None
    note = "criminal trial" if kind is EventKind.DELAY_RECORDED else None
    if draw(st.integers(0, 4)) == 0 or kind in (EventKind.VOID, EventKind.AMENDED):
        note = draw(NOTES)
    return Event(kind, on, note=note, corrects=corrects)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_event_sequences_are_accepted_or_refused_by_name(data: st.DataObject) -> None:
    log: list[Event] = []
    for _ in range(data.draw(st.integers(1, 20))):
        stage = derive_stage(log) if effective_events(log) else None  # None: no aware yet
        last = max((e.on for e in log), default=AWARE)
        new = data.draw(attempts([e.id for e in log if e.id is not None], stage, last))
        try:
            validate_event(log, new, INCIDENT, TODAY)
        except EventRefused as refusal:
            assert str(refusal)
            continue
        log.append(Event(new.kind, new.on, id=len(log) + 1, note=new.note, corrects=new.corrects))
        # what was accepted holds together as a whole, and moves the stage as the graph says
        validate_log(log, INCIDENT, TODAY)
        if stage is not None and new.kind not in (EventKind.CORRECTION, EventKind.VOID):
            assert derive_stage(log) == TRANSITIONS[stage][new.kind]
        dated = [e for e in log if e.kind not in AMENDING_KINDS]  # these carry no clock
        assert all(D(1990, 1, 1) <= e.on <= D(2100, 12, 31) for e in dated)
        assert all(e.on <= TODAY for e in dated if e.kind is not EventKind.PUBLICATION_PLANNED)


# --- the lifecycle on a real database ------------------------------------------------------------

_references = itertools.count(1)


def _count(session: Session, model: type, case_id: int | None = None) -> int:
    query = select(func.count()).select_from(model)
    if case_id is not None:
        query = query.where(model.case_id == case_id)  # type: ignore[attr-defined]
    return session.exec(query).one()


def _verdict(log: list[Event], new: Event) -> type[Exception] | None:
    """The class of the pure lifecycle's refusal of ``new``, or None if it accepts it."""
    if new.kind is EventKind.AMENDED:  # the store takes amendments only through amend_case
        return InvalidTransition
    try:
        validate_event(log, new, INCIDENT, TODAY)
    except EventRefused as refusal:
        return type(refusal)
    return None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_events_on_a_real_database_keep_the_log_and_its_stage_whole(
    session: Session, case_factory: Any, data: st.DataObject
) -> None:
    reference = f"NSH-PBT-{next(_references):05d}"
    record = case_factory(reference=reference)
    case_id = record.case.id
    for _ in range(data.draw(st.integers(1, 15))):
        before = get_case(session, reference)
        last = max(e.on for e in before.events)
        ids = [e.id for e in before.events if e.id is not None]
        new = data.draw(attempts(ids, before.stage, last))
        counts = (_count(session, CaseEvent), _count(session, Job))
        pure = _verdict(list(before.events), new)
        try:
            payload = {"kind": new.kind, "on": new.on, "note": new.note, "corrects": new.corrects}
            record_event(
                session,
                reference,
                parse_input(CaseEventCreate, payload),
                recorded_by="tester",
                today=TODAY,
            )
        except (EventRefused, CaseDataInvalid) as refusal:
            assert str(refusal)
            # the store refuses what the pure lifecycle refuses, and more only by its rulebook
            assert type(refusal) is pure or (pure is None and type(refusal) is InvalidTransition)
            # nothing written, and the session still works
            assert (_count(session, CaseEvent), _count(session, Job)) == counts
            after = get_case(session, reference)
            assert after.case == before.case and after.events == before.events
        else:
            assert pure is None
            assert _count(session, CaseEvent, case_id) == len(before.events) + 1
        after = get_case(session, reference)
        stored = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        assert [(e.kind, e.on, e.corrects) for e in after.events] == [
            (EventKind(r.kind), r.on, r.corrects) for r in stored
        ]
        # the stage every reader shows is the one the stored log derives to
        assert after.stage == derive_stage(after.events)
        listed = [r for r in list_cases(session, stage=after.stage) if r.case.id == case_id]
        assert len(listed) == 1
        assert case_timeline(session, reference, today=TODAY).stage == after.stage
        validate_log(list(after.events), INCIDENT, TODAY)
