"""The Case page's services: one case's details in the viewer's scope, the next event recorded
as the viewer, and the stored values as plain lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from review_flows.case_details import (
    case_details,
    job_lines,
    notice_lines,
    readings_text,
    record_next_event,
    visible_references,
)
from review_flows.errors import (
    CaseDataInvalid,
    CaseNotFound,
    CorrectionInvalid,
    EventDateInvalid,
)
from review_flows.events import EventKind
from review_flows.milestones import MilestoneStatus
from review_flows.models import CaseEvent, Job, JobKind, Notice
from review_flows.notify.kinds import Channel, NoticeKind
from review_flows.shortlists import save_to_shortlist
from review_flows.workbench import NotAllowed

K = EventKind
DAY = dt.date
NOW = dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)

PANEL = Viewer("pat", Role.PANEL_MEMBER, partnership="Northshire")
OTHER_PANEL = Viewer("owen", Role.PANEL_MEMBER, partnership="Cwm Tawel")
REVIEWER = Viewer("rita", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)


@pytest.fixture
def reference(session: Session, case_factory: Any) -> str:
    """A Northshire case owned by rita: notified late, the notification date corrected, a
    rapid review start recorded in error and voided."""
    record = case_factory(
        reference="NSH-2026-005", owner="rita", incident_date=DAY(2026, 3, 1),
        aware_on=DAY(2026, 3, 2), events=((K.NOTIFIED, DAY(2026, 3, 12)),
                                          (K.RAPID_REVIEW_STARTED, DAY(2026, 3, 13))),
    )  # fmt: skip
    notified, started = record.events[1].id, record.events[2].id
    ref = record.case.reference
    _record(session, ref, K.CORRECTION, DAY(2026, 3, 11), corrects=notified)
    _record(session, ref, K.VOID, DAY(2026, 3, 16), corrects=started, note="wrong case")
    case_factory(reference="CWT-2026-001", partnership="Cwm Tawel", nation="wales")
    return record.case.reference


def _record(session: Session, ref: str, kind: EventKind, on: dt.date, **fields: Any) -> None:
    record_next_event(session, PANEL, ref, kind=kind, on=on, today=DAY(2026, 3, 31), **fields)


def _kinds(session: Session) -> list[str]:
    return [row.kind.value for row in session.exec(select(CaseEvent).order_by(CaseEvent.id))]


def test_the_details_of_a_visible_case(session: Session, reference: str, today: dt.date) -> None:
    save_to_shortlist(session, PANEL, reference, "csprp-2022-07", "missed visits")

    details = case_details(session, PANEL, reference, today=today)

    assert [(line.what, line.mark) for line in details.events] == [
        ("Became aware of the incident", None),
        ("Incident notified", f"corrected to 2026-03-11 by #{details.events[3].id}"),
        ("Rapid review started", f"voided by #{details.events[4].id}"),
        (f"Correction of #{details.events[1].id}", None),
        (f"Void of #{details.events[2].id}", None),
    ]
    assert details.next_kinds[0] is K.RAPID_REVIEW_STARTED
    assert details.may_record
    assert dict(details.facts)["Owner"] == "rita"
    assert dict(details.facts)["Flags"] == "none recorded"
    notification = details.milestones[0]
    assert (notification.label, notification.status, notification.done) == (
        "Serious incident notification to the Panel",
        MilestoneStatus.DONE_LATE,
        DAY(2026, 3, 11),
    )
    assert notification.confidence == "confirmed in the guidance or law"
    readings = [line.readings for line in details.milestones if line.readings]
    assert len(readings) == 2
    assert [(s.review_id, s.note) for s in details.shortlist] == [
        ("csprp-2022-07", "missed visits")
    ]
    assert details.actions == () and details.publication is None


@pytest.mark.parametrize("viewer", [OTHER_PANEL, ANALYST, Viewer("rob", Role.REVIEWER)])
def test_a_case_out_of_scope_reads_as_missing(
    session: Session, reference: str, today: dt.date, viewer: Viewer
) -> None:
    with pytest.raises(CaseNotFound, match="no case NSH-2026-005 that you can see"):
        case_details(session, viewer, reference, today=today)


def test_a_reviewer_reads_their_case_but_may_not_record(
    session: Session, reference: str, today: dt.date
) -> None:
    assert not case_details(session, REVIEWER, reference, today=today).may_record
    before = _kinds(session)

    with pytest.raises(NotAllowed, match="a reviewer cannot record events"):
        record_next_event(session, REVIEWER, reference, kind="rapid_review_started",
                          on=DAY(2026, 3, 20), today=today)  # fmt: skip
    assert _kinds(session) == before


def test_visible_references(session: Session, reference: str, today: dt.date) -> None:
    assert visible_references(session, PANEL, today=today) == ["NSH-2026-005"]
    assert visible_references(session, OTHER_PANEL, today=today) == ["CWT-2026-001"]
    assert visible_references(session, ANALYST, today=today) == []


def test_recording_the_next_event_from_the_forms_values(
    session: Session, reference: str, today: dt.date
) -> None:
    event = record_next_event(
        session, PANEL, reference, kind="rapid_review_started", on=DAY(2026, 3, 20),
        note="  chronologies requested  ", today=today,
    )  # fmt: skip

    assert (event.kind, event.on, event.note, event.recorded_by) == (
        K.RAPID_REVIEW_STARTED, DAY(2026, 3, 20), "chronologies requested", "pat"
    )  # fmt: skip
    jobs = session.exec(select(Job).where(Job.event_id == event.id)).all()
    assert all(job.report_path is None for job in jobs)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"kind": "rapid_review_started", "on": DAY(2026, 4, 20)}, EventDateInvalid,
         "is in the future"),
        ({"kind": "rapid_review_started", "on": DAY(2026, 3, 20),
          "note": "seen by Jane Smith, born 01/02/2015"}, CaseDataInvalid, "^note: "),
        ({"kind": "no_such_kind", "on": DAY(2026, 3, 20)}, CaseDataInvalid, "^kind: "),
        ({"kind": "correction", "on": DAY(2026, 3, 20)}, CorrectionInvalid,
         "must name the event it corrects"),
    ],
)  # fmt: skip
def test_a_refused_event_names_the_problem_and_writes_nothing(
    session: Session, reference: str, today: dt.date, fields: dict[str, Any],
    error: type[Exception], message: str,
) -> None:  # fmt: skip
    before = _kinds(session)

    with pytest.raises(error, match=message):
        record_next_event(session, PANEL, reference, today=today, **fields)
    assert _kinds(session) == before


def test_readings_say_both_dates_and_which_one_reminders_follow(
    session: Session, reference: str, today: dt.date
) -> None:
    timeline = case_details(session, PANEL, reference, today=today).timeline
    labels = {m.milestone: m.label for m in timeline.milestones}
    awareness = next(m for m in timeline.milestones if m.milestone == "rapid_review")

    assert readings_text(awareness, labels) == (
        f"The guidance can be read two ways. This reading is due {awareness.due}; the other "
        "reading, \u201cRapid review sent to the Panel (clock from the notification)\u201d, is "
        f"due {awareness.alternatives[0][1]}. Reminders follow the earlier date: this one."
    )
    plain = next(m for m in timeline.milestones if m.milestone == "notification")
    assert readings_text(plain, labels) is None


def _notice(**fields: Any) -> Notice:
    base = {
        "key": "k", "kind": NoticeKind.REMINDER, "partnership": "Northshire",
        "recipient": "northshire.chair@example.org", "channel": Channel.EMAIL,
        "subject": "NSH-2026-005: rapid review due", "body": "", "for_date": DAY(2026, 3, 30),
        "created_at": NOW,
    }  # fmt: skip
    return Notice(**{**base, **fields})


def test_notice_and_job_lines_say_where_each_stands() -> None:
    notices = [
        _notice(read_at=NOW, sent_at=NOW),
        _notice(sent_at=NOW),
        _notice(attempts=2, last_error="SMTP refused"),
        _notice(),
    ]
    assert [line.state for line in notice_lines(notices)] == [
        "read",
        "sent",
        "not sent yet (2 attempt(s): SMTP refused); retried",
        "waiting to be sent",
    ]
    jobs = [
        Job(id=1, event_id=1, case_id=1, kind=JobKind.PUBLISH, created_at=NOW, done_at=NOW),
        Job(
            id=2,
            event_id=2,
            case_id=1,
            kind=JobKind.FOLLOW_UP,
            created_at=NOW,
            attempts=1,
            last_error="index busy",
        ),  # fmt: skip
        Job(id=3, event_id=3, case_id=1, kind=JobKind.FOLLOW_UP, created_at=NOW),
    ]
    assert [(line.kind, line.state) for line in job_lines(jobs)] == [
        ("Publication to the library", "done 2026-03-30"),
        ("Follow-up notices", "not done yet (1 attempt(s): index busy); retried"),
        ("Follow-up notices", "waiting"),
    ]
