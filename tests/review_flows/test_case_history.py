"""Cases taken over at a later stage: one ``history_imported`` event, the known steps after it,
the guard starting from that stage, milestones computed from what is known and saying so."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session

from review_flows.calendar import Nation, calendar_for
from review_flows.case_history import (
    CaseHistoryCreate,
    KnownStep,
    add_case_with_history,
    open_case_with_history,
)
from review_flows.cases import parse_input, record_event
from review_flows.errors import (
    CorrectionInvalid,
    DuplicateCaseReference,
    EventDateInvalid,
    InvalidTransition,
)
from review_flows.event_validation import validate_event
from review_flows.events import Event, EventKind
from review_flows.lifecycle import Stage, derive_stage, unrecorded_steps
from review_flows.milestones import PENDING_STATUSES, MilestoneStatus
from review_flows.models import CaseEventCreate
from review_flows.rulebook import select_rulebook
from review_flows.timeline import compute_milestones

_K = EventKind
TODAY = dt.date(2026, 3, 31)
INCIDENT = dt.date(2025, 9, 1)


def _log(
    *steps: tuple[EventKind, dt.date], taken_over: dt.date = dt.date(2026, 1, 5)
) -> list[Event]:
    """A log checked event by event as the store checks it; ids in recording order."""
    log: list[Event] = []
    for place, (kind, on) in enumerate([(_K.HISTORY_IMPORTED, taken_over), *steps], start=1):
        note = "held by the previous system" if kind is _K.HISTORY_IMPORTED else None
        event = Event(kind, on, id=place, note=note)
        validate_event(log, event, INCIDENT, TODAY)
        log.append(event)
    return log


# --- the guard ---------------------------------------------------------------------------------


def test_a_case_taken_over_at_its_review_starts_at_that_stage_with_the_gaps_named() -> None:
    log = _log((_K.DECISION, dt.date(2025, 11, 3)), (_K.REVIEWER_APPOINTED, dt.date(2025, 12, 1)))
    assert derive_stage(log) is Stage.REVIEWING
    assert unrecorded_steps(log) == {_K.AWARE, _K.NOTIFIED}


def test_known_early_steps_leave_only_the_real_gaps_unrecorded() -> None:
    log = _log(
        (_K.AWARE, dt.date(2025, 9, 2)),
        (_K.NOTIFIED, dt.date(2025, 9, 5)),
        (_K.RAPID_REVIEW_SUBMITTED, dt.date(2025, 9, 24)),
    )
    assert derive_stage(log) is Stage.AWAITING_DECISION
    assert unrecorded_steps(log) == frozenset()


def test_steps_given_out_of_order_are_refused_as_an_impossible_order() -> None:
    with pytest.raises(InvalidTransition, match="notified"):
        _log((_K.DECISION, dt.date(2025, 11, 3)), (_K.NOTIFIED, dt.date(2025, 11, 10)))


def test_a_step_before_the_previous_one_is_refused() -> None:
    with pytest.raises(EventDateInvalid, match="before notified"):
        _log((_K.NOTIFIED, dt.date(2025, 11, 3)), (_K.DECISION, dt.date(2025, 10, 1)))


def test_after_the_take_over_the_usual_order_holds_again() -> None:
    log = _log((_K.NOTIFIED, dt.date(2025, 9, 5)))
    late = Event(_K.REVIEWER_APPOINTED, dt.date(2026, 2, 2), id=99)
    with pytest.raises(InvalidTransition, match="needs"):
        validate_event(log, late, INCIDENT, TODAY)
    validate_event(log, Event(_K.DECISION, dt.date(2026, 2, 2), id=99), INCIDENT, TODAY)


def test_a_history_is_only_ever_the_first_event() -> None:
    log = _log((_K.NOTIFIED, dt.date(2025, 9, 5)))
    again = Event(_K.HISTORY_IMPORTED, dt.date(2026, 1, 6), id=9, note="again")
    with pytest.raises(InvalidTransition, match="only when a case is opened"):
        validate_event(log, again, INCIDENT, TODAY)


def test_the_history_event_cannot_be_voided() -> None:
    log = _log((_K.NOTIFIED, dt.date(2025, 9, 5)))
    void = Event(_K.VOID, dt.date(2026, 2, 1), id=9, note="mistake", corrects=1)
    with pytest.raises(CorrectionInvalid, match="first event"):
        validate_event(log, void, INCIDENT, TODAY)


@pytest.mark.parametrize(
    ("on", "words"),
    [(dt.date(2026, 4, 1), "in the future"), (dt.date(2025, 8, 1), "before the incident")],
)
def test_a_history_keeps_refusing_impossible_dates(on: dt.date, words: str) -> None:
    with pytest.raises(EventDateInvalid, match=words):
        _log((_K.NOTIFIED, on), taken_over=max(on, dt.date(2026, 1, 5)))


# --- milestones --------------------------------------------------------------------------------


def _milestones(log: list[Event]) -> dict[str, Any]:
    book = select_rulebook(Nation.ENGLAND, INCIDENT)
    milestones = compute_milestones(log, book, calendar_for(Nation.ENGLAND), TODAY)
    return {m.milestone: m for m in milestones}


def test_steps_before_the_take_over_without_a_date_read_not_recorded_never_overdue() -> None:
    milestones = _milestones(_log((_K.DECISION, dt.date(2025, 11, 3))))
    for name in ("notification", "rapid_review", "rapid_review_from_notification"):
        assert milestones[name].status is MilestoneStatus.NOT_RECORDED, name
        assert milestones[name].due is None
    # the clock that starts at the known decision runs as in any case
    review = milestones["review_published"]
    assert review.start == dt.date(2025, 11, 3)
    assert review.due is not None and review.status in PENDING_STATUSES
    # the same decision in an ordinary case, aware on the incident day: notification overdue
    ordinary = [Event(_K.AWARE, INCIDENT, id=1), Event(_K.DECISION, dt.date(2025, 11, 3), id=2)]
    assert _milestones(ordinary)["notification"].status is MilestoneStatus.OVERDUE


def test_a_step_whose_end_was_not_recorded_is_not_overdue() -> None:
    # aware known, the notification's date not: the case went on to a decision
    log = _log((_K.AWARE, dt.date(2025, 9, 2)), (_K.DECISION, dt.date(2025, 11, 3)))
    assert _K.NOTIFIED in unrecorded_steps(log)
    notification = _milestones(log)["notification"]
    assert notification.status is MilestoneStatus.NOT_RECORDED
    assert notification.start == dt.date(2025, 9, 2) and notification.due is not None


def test_milestones_from_known_dates_are_computed_as_in_any_case() -> None:
    steps = ((_K.AWARE, dt.date(2025, 9, 2)), (_K.NOTIFIED, dt.date(2025, 9, 5)))
    imported = _milestones(_log(*steps))
    ordinary: list[Event] = []
    for place, (kind, on) in enumerate(steps, start=1):
        ordinary.append(Event(kind, on, id=place))
    plain = _milestones(ordinary)
    assert {k: (m.due, m.done, m.status) for k, m in imported.items()} == {
        k: (m.due, m.done, m.status) for k, m in plain.items()
    }


# --- the store ---------------------------------------------------------------------------------


def _data(**fields: Any) -> CaseHistoryCreate:
    values = {
        "reference": "NSH-2025-090",
        "partnership": "Northshire",
        "nation": "england",
        "incident_date": INCIDENT,
        "outcome": "serious_harm",
        "age_group": "under_1",
        "taken_over_on": dt.date(2026, 1, 5),
        "reason": "taken over from the county tracker",
        **fields,
    }
    return parse_input(CaseHistoryCreate, values)


def test_a_case_opens_at_a_later_stage_and_takes_later_events(session: Session) -> None:
    steps = [
        KnownStep(_K.DECISION, dt.date(2025, 11, 3)),
        KnownStep(_K.NOTIFIED, dt.date(2025, 9, 8)),
    ]
    record = open_case_with_history(session, _data(), steps, recorded_by="tester", today=TODAY)
    assert record.stage is Stage.LOCAL_REVIEW
    kinds = [event.kind for event in record.events]
    assert kinds == [_K.HISTORY_IMPORTED, _K.NOTIFIED, _K.DECISION]
    note = record.events[0].note or ""
    assert "county tracker" in note and "became aware of the incident" in note
    record_event(
        session,
        "NSH-2025-090",
        CaseEventCreate(kind=_K.REVIEWER_APPOINTED, on=dt.date(2026, 2, 2)),
        recorded_by="tester",
        today=TODAY,
    )
    from review_flows.audit_log import verify_log

    assert verify_log(session).breaks == ()


def test_a_refused_history_adds_nothing(session: Session) -> None:
    from sqlmodel import select

    from review_flows.models import Case

    welsh = _data(nation="wales", reference="CYM-2025-001")
    with pytest.raises(InvalidTransition, match="rapid_review_started"):
        add_case_with_history(
            session,
            welsh,
            [KnownStep(_K.RAPID_REVIEW_STARTED, dt.date(2025, 9, 10))],
            recorded_by="tester",
            today=TODAY,
        )
    assert session.exec(select(Case)).all() == []


def test_a_name_in_the_reason_is_refused(session: Session) -> None:
    from review_flows.errors import CaseDataInvalid

    with pytest.raises(CaseDataInvalid):
        data = _data(reason="taken over from Jessica Smithson's social worker")
        add_case_with_history(
            session,
            data,
            [KnownStep(_K.NOTIFIED, dt.date(2025, 9, 8))],
            recorded_by="t",
            today=TODAY,
        )


def test_a_reference_already_used_is_refused(session: Session) -> None:
    steps = [KnownStep(_K.NOTIFIED, dt.date(2025, 9, 8))]
    open_case_with_history(session, _data(), steps, recorded_by="tester", today=TODAY)
    with pytest.raises(DuplicateCaseReference):
        open_case_with_history(session, _data(), steps, recorded_by="tester", today=TODAY)


def test_a_clock_the_case_went_past_before_the_take_over_is_not_overdue() -> None:
    # notified known, then a decision: the rapid review from notification was sent on a date
    # not recorded (a decided case can no longer record it), so it is not recorded, not late
    log = _log((_K.NOTIFIED, dt.date(2025, 9, 5)), (_K.DECISION, dt.date(2025, 11, 3)))
    milestones = _milestones(log)
    assert milestones["rapid_review_from_notification"].status is MilestoneStatus.NOT_RECORDED
    assert milestones["rapid_review_from_notification"].due == dt.date(2025, 9, 26)
    assert milestones["notification"].status is MilestoneStatus.NOT_RECORDED
    assert milestones["notification"].done == dt.date(2025, 9, 5)
    # the same log in an ordinary case keeps the clock running: its lateness is real there
    ordinary = [Event(_K.AWARE, INCIDENT, id=1), *(replace(e, id=e.id) for e in log[1:])]
    assert _milestones(ordinary)["rapid_review_from_notification"].status is (
        MilestoneStatus.OVERDUE
    )
