"""Services on a real migrated database (SQLite here; test_postgres.py runs them on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from core.settings import Settings
from review_flows import actions, cases, users
from review_flows.case_queries import case_timeline, get_case, list_cases, summarise_cases
from review_flows.cases import create_case, parse_input, record_event
from review_flows.errors import (
    ActionNotFound,
    CaseDataInvalid,
    CaseNotFound,
    CaseReferenceAmbiguous,
    CorrectionInvalid,
    DuplicateCaseReference,
    DuplicateUsername,
    EventDateInvalid,
    EventNoteMissing,
    InvalidTransition,
    RulebookNotFound,
    UserNotFound,
)
from review_flows.events import EventKind
from review_flows.lifecycle import Stage
from review_flows.models import (
    ActionCreate,
    Case,
    CaseCreate,
    CaseEvent,
    CaseEventCreate,
    User,
    UserCreate,
)
from review_flows.timeline import MilestoneStatus
from tests.review_flows.conftest import CaseFactory

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


def test_timeline_uses_rulebook_overrides_and_local_targets(
    session: Session, case_factory: Any, today: D, tmp_path: Path
) -> None:
    record = case_factory(events=((K.NOTIFIED, D(2026, 1, 8)),))
    plain = case_timeline(session, record.case.reference, today=today, settings=_settings())
    assert plain.ruleset_id == "england-cspr-2023"
    assert plain.stage is Stage.NOTIFIED
    assert _due(plain, "notification") == D(2026, 1, 13)  # aware Tue 6 Jan + 5 working days
    overrides = tmp_path / "holidays.yaml"
    overrides.write_text("england:\n  - 2026-01-08\n", encoding="utf-8")
    settings = _settings(
        holiday_overrides_file=overrides,
        local_targets={"england-cspr-2023:panel_decision": 10},
    )
    record = case_factory(events=((K.NOTIFIED, D(2026, 1, 8)), (K.RAPID_REVIEW_SUBMITTED,
                                  D(2026, 1, 20))))  # fmt: skip
    timeline = case_timeline(session, record.case.reference, today=today, settings=settings)
    assert _due(timeline, "notification") == D(2026, 1, 14)  # one working day later
    panel = next(m for m in timeline.milestones if m.milestone == "panel_decision")
    assert (panel.local_target, panel.due) == (True, D(2026, 2, 3))


def _due(timeline: Any, milestone: str) -> D | None:
    return next(m.due for m in timeline.milestones if m.milestone == milestone)


def test_pinned_rulebook_is_used(session: Session, case_factory: Any, today: D) -> None:
    # a partnership that adopted Working Together 2023 late keeps the 2018 edition for 2024
    record = case_factory(ruleset_id="england-cspr-2018", incident_date=D(2024, 11, 4))
    timeline = case_timeline(session, record.case.reference, today=today, settings=_settings())
    assert (timeline.case.ruleset_id, timeline.ruleset_id) == ("england-cspr-2018",) * 2


@pytest.mark.parametrize(
    ("ruleset", "incident", "message"),
    [
        ("england-scr-2015", D(2026, 1, 5),
         r"rulebook england-scr-2015 governs incidents from .* to 2018-06-28, not one on "
         r"2026-01-05; use england-cspr-2023"),
        ("england-cspr-2018", D(2025, 1, 6), "use england-cspr-2023"),
        ("england-cspr-2023", D(2023, 6, 1), "governs incidents from 2024-01-01"),
    ],
)  # fmt: skip
def test_a_pinned_rulebook_must_govern_the_incident(
    case_factory: Any, ruleset: str, incident: D, message: str
) -> None:
    with pytest.raises(RulebookNotFound, match=message):
        case_factory(ruleset_id=ruleset, incident_date=incident)


def test_list_and_summarise_filter_and_rank(session: Session, case_factory: Any, today: D) -> None:
    case_factory("NSH-2026-001")  # notification overdue
    case_factory("NSH-2026-002", events=((K.NOTIFIED, D(2026, 3, 27)),))
    closed = (
        (K.NOTIFIED, D(2026, 1, 7)),
        (K.DECISION_NO_REVIEW, D(2026, 1, 20)),
        (K.CLOSED, D(2026, 2, 2)),
    )
    case_factory("NSH-2026-003", events=closed)
    case_factory("SSH-2026-001", partnership="Southshire", aware_on=D(2026, 3, 30))

    def refs(**filters: Any) -> list[str]:
        return [r.case.reference for r in list_cases(session, **filters)]

    assert refs() == ["NSH-2026-001", "NSH-2026-002", "NSH-2026-003", "SSH-2026-001"]
    assert refs(open_only=True) == ["NSH-2026-001", "NSH-2026-002", "SSH-2026-001"]
    assert refs(partnership="Southshire") == ["SSH-2026-001"]
    assert refs(stage=Stage.CLOSED) == ["NSH-2026-003"]
    assert refs(stage=Stage.NOTIFIED, partnership="Southshire") == []
    rows = summarise_cases(session, today=today, open_only=True, settings=_settings())
    summary = {
        o.case.reference: (o.stage, o.next_due and o.next_due.milestone, o.worst_status)
        for o in rows
    }
    assert summary == {
        "NSH-2026-001": (Stage.INCIDENT_RECORDED, "notification", MilestoneStatus.OVERDUE),
        "NSH-2026-002": (Stage.NOTIFIED, "rapid_review", MilestoneStatus.OVERDUE),
        "SSH-2026-001": (Stage.INCIDENT_RECORDED, "notification", MilestoneStatus.DUE_SOON),
    }


def test_actions_follow_recommendations(session: Session, case_factory: Any, today: D) -> None:
    record = case_factory()
    data = ActionCreate(
        recommendation_ref="R2",
        recommendation="Health visitors ask about safe sleep at every contact",
        owner="Community health provider",
        due=D(2026, 6, 30),
    )
    action = actions.add_action(session, record.case.reference, data)
    assert (action.case_id, action.done, action.evidence) == (record.case.id, None, None)
    done = actions.complete_action(
        session, action.id, done=D(2026, 3, 30), today=today, evidence="audit of 40 records"
    )
    assert (done.done, done.evidence) == (D(2026, 3, 30), "audit of 40 records")
    assert actions.list_actions(session, record.case.reference) == [done]
    with pytest.raises(CaseDataInvalid, match="was completed on 2026-03-30"):
        actions.complete_action(session, action.id, done=D(2026, 3, 31), today=today)
    with pytest.raises(ActionNotFound, match="no action #999"):
        actions.complete_action(session, 999, done=D(2026, 3, 31), today=today)
    other = actions.add_action(session, record.case.reference, data)
    with pytest.raises(EventDateInvalid, match="in the future"):
        actions.complete_action(session, other.id, done=D(2026, 4, 1), today=today)
    with pytest.raises(CaseDataInvalid, match="seems to hold personal data: a person's name"):
        actions.complete_action(session, other.id, done=today, today=today, evidence="Mrs Lee ok")


def test_users_store_only_a_salted_hash(session: Session) -> None:
    data = UserCreate(
        username="alice", display_name="Alice A", role="analyst", password="correct horse"
    )
    created = users.create_user(session, data)
    stored = session.exec(select(User)).one()
    assert stored.password_hash.startswith("scrypt$")
    assert "correct horse" not in stored.password_hash
    assert users.verify_password(session, "alice", "correct horse") == created
    assert users.verify_password(session, "alice", "wrong horse!") is None
    assert users.verify_password(session, "nobody", "correct horse") is None
    assert users.get_user(session, "alice") == created
    with pytest.raises(UserNotFound):
        users.get_user(session, "nobody")
    with pytest.raises(DuplicateUsername, match="user alice already exists"):
        users.create_user(session, data)
    member = UserCreate(username="bob", display_name="Bob", role="panel_member", password="x" * 12)
    with pytest.raises(CaseDataInvalid, match="needs a partnership"):
        users.create_user(session, member)
    second = users.create_user(session, data.model_copy(update={"username": "carol"}))
    assert stored.password_hash != session.get(User, second.id).password_hash  # type: ignore[union-attr]


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


# --- amending a case's incident date or nation ---------------------------------------------------


def test_amend_incident_date_is_an_event_and_the_case_reads_amended(
    session: Session, case_factory: CaseFactory, today: dt.date
) -> None:
    from review_flows.case_queries import case_timeline, get_case, list_cases
    from review_flows.cases import amend_case

    case_factory("NSH-2026-001", events=(("notified", dt.date(2026, 1, 8)),))
    (event,) = amend_case(
        session,
        "NSH-2026-001",
        incident_date=dt.date(2026, 1, 4),
        reason="the hospital record gives the 4th",
        recorded_by="tester",
        today=today,
    )
    assert (event.kind, event.amends, event.amended_to, event.on) == (
        EventKind.AMENDED, "incident_date", "2026-01-04", today
    )  # fmt: skip
    assert get_case(session, "NSH-2026-001").case.incident_date == dt.date(2026, 1, 4)
    (listed,) = list_cases(session)
    assert listed.case.incident_date == dt.date(2026, 1, 4)
    timeline = case_timeline(session, "NSH-2026-001", today=today)
    assert timeline.case.incident_date == dt.date(2026, 1, 4)
    assert timeline.stage.value == "notified"  # the amendment moves no stage
    assert [e.kind for e in timeline.events][-1] is EventKind.AMENDED


def test_amend_nation_changes_calendar_and_rulebook(
    session: Session, case_factory: CaseFactory, today: dt.date
) -> None:
    from review_flows.case_queries import case_timeline
    from review_flows.cases import amend_case

    case_factory("NSH-2026-002")
    amend_case(
        session, "NSH-2026-002", nation="Wales", reason="the child lived in Wales",
        recorded_by="tester", today=today,
    )  # fmt: skip
    timeline = case_timeline(session, "NSH-2026-002", today=today)
    assert timeline.case.nation.value == "wales"
    assert timeline.ruleset_id.startswith("wales")


def test_amend_refuses_what_no_longer_fits_and_writes_nothing(
    session: Session, case_factory: CaseFactory, today: dt.date
) -> None:
    from review_flows.case_queries import get_case
    from review_flows.cases import amend_case

    steps = (("notified", dt.date(2026, 1, 8)), ("rapid_review_started", dt.date(2026, 1, 9)))
    case_factory("NSH-2026-003", events=steps)
    before = get_case(session, "NSH-2026-003").events
    with pytest.raises(EventDateInvalid, match="before the incident"):
        amend_case(
            session, "NSH-2026-003", incident_date=dt.date(2026, 1, 7), reason="typo",
            recorded_by="tester", today=today,
        )  # fmt: skip
    with pytest.raises(InvalidTransition, match="rapid_review_started"):
        amend_case(
            session, "NSH-2026-003", nation="scotland", reason="moved",
            recorded_by="tester", today=today,
        )  # fmt: skip
    with pytest.raises(CaseDataInvalid, match="nothing to amend"):
        amend_case(
            session, "NSH-2026-003", nation="ENG", reason="same", recorded_by="tester",
            today=today,
        )  # fmt: skip
    with pytest.raises(CaseDataInvalid, match="amend what"):
        amend_case(session, "NSH-2026-003", reason="x", recorded_by="tester", today=today)
    with pytest.raises(CaseDataInvalid, match="personal data"):
        amend_case(
            session, "NSH-2026-003", incident_date=dt.date(2026, 1, 2),
            reason="per Jane Smith 943 476 5919", recorded_by="tester", today=today,
        )  # fmt: skip
    assert get_case(session, "NSH-2026-003").events == before


def test_amended_is_not_an_event_kind_to_record_directly(
    session: Session, case_factory: CaseFactory, today: dt.date
) -> None:
    from review_flows.cases import record_event
    from review_flows.models import CaseEventCreate

    case_factory("NSH-2026-004")
    with pytest.raises(InvalidTransition, match="cspr case amend"):
        record_event(
            session, "NSH-2026-004",
            CaseEventCreate(kind="amended", on=today, note="x"),
            recorded_by="tester", today=today,
        )  # fmt: skip


def test_events_after_an_amended_incident_date_are_checked_against_it(
    session: Session, case_factory: CaseFactory, today: dt.date
) -> None:
    from review_flows.cases import amend_case, record_event
    from review_flows.models import CaseEventCreate

    case_factory("NSH-2026-005", incident_date=dt.date(2026, 1, 2), aware_on=dt.date(2026, 1, 20))
    amend_case(
        session, "NSH-2026-005", incident_date=dt.date(2026, 1, 19), reason="date confirmed",
        recorded_by="tester", today=today,
    )  # fmt: skip
    with pytest.raises(EventDateInvalid, match="before the incident"):
        record_event(
            session, "NSH-2026-005",
            CaseEventCreate(kind="correction", on=dt.date(2026, 1, 10), corrects=1),
            recorded_by="tester", today=today,
        )  # fmt: skip
