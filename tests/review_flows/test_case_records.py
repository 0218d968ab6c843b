"""Opening a case and recording its events on a real migrated database (SQLite here;
test_postgres.py runs them on PostgreSQL): refusals write nothing, a correction is a
new event, each rulebook takes only its own events, and stored rows stay readable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session

from review_flows import actions, cases
from review_flows.case_queries import case_timeline, get_case
from review_flows.cases import create_case, parse_input, record_event
from review_flows.errors import (
    CaseDataInvalid,
    CaseNotFound,
    CaseReferenceAmbiguous,
    CorrectionInvalid,
    DuplicateCaseReference,
    EventDateInvalid,
    EventNoteMissing,
    InvalidTransition,
    RulebookNotFound,
)
from review_flows.events import EventKind
from review_flows.lifecycle import Stage
from review_flows.milestones import MilestoneStatus
from review_flows.models import Case, CaseCreate, CaseEvent, CaseEventCreate
from tests.review_flows.case_inputs import NEW_CASE, D, K, _count, _event, _settings


def test_create_case_records_aware(session: Session, today: D) -> None:
    data = parse_input(CaseCreate, {**NEW_CASE, "looked_after": True})
    record = create_case(session, data, recorded_by="alice", today=today)
    assert record.stage is Stage.INCIDENT_RECORDED
    assert record.case.looked_after and not record.case.child_protection_plan
    assert record.case.created_at.tzinfo == dt.UTC
    (aware,) = record.events
    assert (aware.kind, aware.on, aware.recorded_by) == (K.AWARE, D(2026, 1, 6), "alice")
    assert aware.recorded_at is not None and aware.recorded_at.tzinfo == dt.UTC


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"incident_date": D(2026, 4, 1), "aware_on": D(2026, 4, 1)}, EventDateInvalid,
         "incident date 2026-04-01 is in the future"),
        ({"aware_on": D(2026, 1, 4)}, EventDateInvalid, "before the incident"),
        ({"aware_on": D(2026, 4, 2)}, EventDateInvalid, "in the future"),
        ({"ruleset_id": "england-cspr-2099"}, RulebookNotFound, "no rulebook 'england-cspr-2099'"),
        ({"ruleset_id": "wales-susr"}, CaseDataInvalid, "rulebook wales-susr is for wales"),
    ],
)  # fmt: skip
def test_create_case_refusals_write_nothing(
    session: Session, today: D, changes: dict, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        create_case(
            session, parse_input(CaseCreate, {**NEW_CASE, **changes}), recorded_by="a", today=today
        )
    assert (_count(session, Case), _count(session, CaseEvent)) == (0, 0)


def test_create_case_with_a_bad_recorder_leaves_nothing_behind(session: Session, today: D) -> None:
    with pytest.raises(CaseDataInvalid, match="username 'Alice Smith'"):
        create_case(
            session, parse_input(CaseCreate, NEW_CASE), recorded_by="Alice Smith", today=today
        )
    session.commit()  # whatever the caller does next, no half-made case is written
    assert (_count(session, Case), _count(session, CaseEvent)) == (0, 0)


def test_parse_input_names_the_bad_fields() -> None:
    with pytest.raises(CaseDataInvalid, match=r"reference: reference 'Jane Smith' .*; outcome: "):
        parse_input(CaseCreate, {**NEW_CASE, "reference": "Jane Smith", "outcome": "fine"})


def test_references_are_unique_per_partnership(session: Session, case_factory: Any) -> None:
    case_factory("NSH-2026-004")
    with pytest.raises(DuplicateCaseReference, match="Northshire already has a case NSH-2026-004"):
        case_factory("NSH-2026-004")
    case_factory("NSH-2026-004", partnership="Southshire")
    with pytest.raises(CaseReferenceAmbiguous, match=r"several partnerships \(Northshire, South"):
        get_case(session, "NSH-2026-004")
    assert get_case(session, "NSH-2026-004", partnership="Southshire").case.partnership == (
        "Southshire"
    )
    for reference, partnership in (("NSH-2026-999", None), ("NSH-2026-004", "Westmere")):
        with pytest.raises(CaseNotFound, match=f"^no case {reference} that you can see$"):
            get_case(session, reference, partnership=partnership)


@pytest.mark.parametrize(
    ("event", "error", "match"),
    [
        (_event(K.PUBLISHED, D(2026, 1, 9)), InvalidTransition, "published needs decision then"),
        (_event(K.RAPID_REVIEW_SUBMITTED, D(2026, 4, 1)), EventDateInvalid, "in the future"),
        (_event(K.RAPID_REVIEW_SUBMITTED, D(2026, 1, 7)), EventDateInvalid, "before notified"),
        (_event(K.DELAY_RECORDED, D(2026, 1, 9)), EventNoteMissing, "needs a note"),
        (_event(K.CORRECTION, D(2026, 1, 7), corrects=1), CorrectionInvalid,
         "event #1 is not an event of this case"),
    ],
)  # fmt: skip
def test_refused_events_write_nothing(
    session: Session, case_factory: Any, today: D, event: CaseEventCreate, error: type, match: str
) -> None:
    case_factory("NSH-2026-001")  # event #1 belongs to this other case
    record = case_factory("NSH-2026-002", events=((K.NOTIFIED, D(2026, 1, 8)),))
    before = _count(session, CaseEvent)
    with pytest.raises(error, match=match):
        record_event(session, "NSH-2026-002", event, recorded_by="bob", today=today)
    assert _count(session, CaseEvent) == before
    assert get_case(session, "NSH-2026-002").events == record.events


def test_correction_moves_the_date_milestones_use(
    session: Session, case_factory: Any, today: D
) -> None:
    record = case_factory(events=((K.NOTIFIED, D(2026, 1, 20)),))  # 10 working days: late
    notified_id = record.events[1].id
    settings = _settings()
    late = case_timeline(session, record.case.reference, today=today, settings=settings)
    assert _status(late, "notification") is MilestoneStatus.DONE_LATE
    fixed = record_event(
        session,
        record.case.reference,
        _event(K.CORRECTION, D(2026, 1, 9), corrects=notified_id, note="typed the wrong day"),
        recorded_by="bob",
        today=today,
    )
    assert (fixed.kind, fixed.corrects, fixed.recorded_by) == (K.CORRECTION, notified_id, "bob")
    timeline = case_timeline(session, record.case.reference, today=today, settings=settings)
    assert _status(timeline, "notification") is MilestoneStatus.DONE_ON_TIME
    assert [e.kind for e in timeline.events] == [K.AWARE, K.NOTIFIED, K.CORRECTION]
    assert timeline.events[1].on == D(2026, 1, 20)  # the original row is never changed


def _status(timeline: Any, milestone: str) -> MilestoneStatus:
    return next(m.status for m in timeline.milestones if m.milestone == milestone)


def test_services_offer_no_way_to_change_or_remove_events() -> None:
    names = [name for module in (cases, actions) for name in dir(module)]
    assert not [n for n in names if n.startswith(("update_", "delete_", "remove_", "edit_"))]


def test_rows_are_read_without_validating_them_again(session: Session, today: D) -> None:
    """A rule tightened later must not make stored cases unreadable."""
    from sqlalchemy import insert

    row = {k: v for k, v in NEW_CASE.items() if k != "aware_on"}
    legacy = {**row, "reference": "old ref 7", "created_at": dt.datetime(2026, 1, 6, tzinfo=dt.UTC)}
    case_id = session.execute(insert(Case).values(**legacy)).inserted_primary_key[0]
    session.execute(
        insert(CaseEvent).values(
            case_id=case_id, kind="aware", on=D(2026, 1, 6), recorded_by="legacy",
            recorded_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC), note="Mr Legacy note",
        )
    )  # fmt: skip
    session.commit()
    record = get_case(session, "old ref 7")
    assert (record.case.reference, record.stage) == ("old ref 7", Stage.INCIDENT_RECORDED)
    timeline = case_timeline(session, "old ref 7", today=today, settings=_settings())
    assert timeline.events[0].note == "Mr Legacy note"


def test_an_english_review_is_published_only_after_its_report_went_to_the_panel(
    session: Session, case_factory: Any
) -> None:
    reviewing = (
        (K.NOTIFIED, D(2026, 1, 7)),
        (K.RAPID_REVIEW_SUBMITTED, D(2026, 1, 20)),
        (K.DECISION, D(2026, 1, 22)),
        (K.REVIEWER_APPOINTED, D(2026, 2, 2)),
    )
    record = case_factory(events=reviewing)
    reference = record.case.reference
    with pytest.raises(
        InvalidTransition,
        match=r"published needs report_sent first: england-cspr-2023 requires it \(record "
        r"report_sent with its date, then published\)",
    ):
        record_event(session, reference, _event(K.PUBLISHED, D(2026, 3, 2)), recorded_by="tester",
                     today=D(2026, 3, 31))  # fmt: skip
    assert get_case(session, reference).stage.value == "reviewing"  # nothing written
    for kind, on in ((K.REPORT_SENT, D(2026, 3, 2)), (K.PUBLISHED, D(2026, 3, 12))):
        record_event(
            session, reference, _event(kind, on), recorded_by="tester", today=D(2026, 3, 31)
        )
    assert get_case(session, reference).stage.value == "published"


@pytest.mark.parametrize(
    ("fields", "kind", "message"),
    [
        ({"incident_date": D(2017, 3, 1), "aware_on": D(2017, 3, 2)}, K.RAPID_REVIEW_SUBMITTED,
         "rapid_review_submitted is not part of a case under england-scr-2015: rapid reviews "
         "began with Working Together 2018"),
        ({"nation": "wales"}, K.RAPID_REVIEW_STARTED,
         "rapid_review_started is not part of a case under wales-susr: rapid reviews are part "
         "of England's arrangements"),
    ],
)  # fmt: skip
def test_a_case_takes_only_the_events_its_rulebook_uses(
    session: Session, case_factory: Any, fields: dict, kind: EventKind, message: str
) -> None:
    record = case_factory(**fields)
    notified = record.events[0].on + dt.timedelta(days=2)
    record_event(session, record.case.reference, _event(K.NOTIFIED, notified),
                 recorded_by="tester", today=D(2026, 3, 31))  # fmt: skip
    with pytest.raises(InvalidTransition, match=message):
        record_event(session, record.case.reference, _event(kind, notified),
                     recorded_by="tester", today=D(2026, 3, 31))  # fmt: skip
