"""Amending a case's incident date or nation on a real migrated database (SQLite here;
test_postgres.py runs them on PostgreSQL): an amendment is an event, the case reads
amended, and what no longer fits is refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from review_flows.errors import CaseDataInvalid, EventDateInvalid, InvalidTransition
from review_flows.events import EventKind
from tests.review_flows.conftest import CaseFactory

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
