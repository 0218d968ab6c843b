"""The case services as the workbench calls them: every read and write takes the signed-in
:class:`~core.access.Viewer` and keeps to what they may see (:func:`case_scope`).

A case outside the viewer's scope raises :class:`CaseNotFound` exactly as a missing one does.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from core.access import Viewer, case_scope, may_write_cases
from core.columns import utc_now
from core.settings import Settings
from review_flows.actions import add_action
from review_flows.case_queries import (
    CaseOverview,
    CaseTimeline,
    case_timeline,
    get_case,
    summarise_cases,
)
from review_flows.case_rows import find_case, rulebook_for
from review_flows.cases import record_event
from review_flows.errors import ReviewFlowsError
from review_flows.events import EventKind
from review_flows.lifecycle import accepted_kinds
from review_flows.models import (
    ActionCreate,
    ActionPublic,
    Case,
    CaseEventCreate,
    CaseEventPublic,
    Notice,
)
from review_flows.notify.store import inbox, mark_read
from review_flows.partnership_models import Contact
from review_flows.publications import SubmittedReport, stored_report
from review_flows.week import CaseMilestones, DueRow, week_rows


class NotAllowed(ReviewFlowsError, PermissionError):
    """The viewer's role may not do this (e.g. an analyst recording an event)."""


def visible_cases(
    session: Session,
    viewer: Viewer,
    *,
    today: dt.date,
    open_only: bool = True,
    settings: Settings | None = None,
) -> list[CaseOverview]:
    """The cases the viewer may see, with next milestone and worst status today."""
    scope = case_scope(viewer)
    if scope.nothing:
        return []
    overviews = summarise_cases(
        session, today=today, partnership=scope.partnership, open_only=open_only,
        settings=settings,
    )  # fmt: skip
    return [o for o in overviews if scope.admits(o.case.partnership, o.case.owner)]


def visible_week(
    session: Session,
    viewer: Viewer,
    *,
    today: dt.date,
    due_within: int | None = None,
    settings: Settings | None = None,
) -> list[DueRow]:
    """The manager's week of the viewer's cases, most urgent first."""
    cases = [
        CaseMilestones(
            o.case.reference, o.case.partnership, o.stage.value, o.milestones, o.case.owner
        )
        for o in visible_cases(session, viewer, today=today, settings=settings)
    ]
    return week_rows(cases, due_within=due_within)


def visible_timeline(
    session: Session,
    viewer: Viewer,
    reference: str,
    *,
    today: dt.date,
    partnership: str | None = None,
    settings: Settings | None = None,
) -> CaseTimeline:
    """One case's events and milestones, if the viewer may see it."""
    case = visible_case(session, viewer, reference, partnership)
    return case_timeline(
        session, case.reference, today=today, partnership=case.partnership, settings=settings
    )


def next_event_kinds(
    session: Session, viewer: Viewer, reference: str, *, partnership: str | None = None
) -> tuple[EventKind, ...]:
    """The events the case accepts now (what the record form offers), under its rulebook."""
    case = visible_case(session, viewer, reference, partnership)
    record = get_case(session, case.reference, partnership=case.partnership)
    book = rulebook_for(record.case)
    return tuple(kind for kind in accepted_kinds(record.stage) if kind not in book.not_used)


def record_event_as(
    session: Session,
    viewer: Viewer,
    reference: str,
    data: CaseEventCreate,
    *,
    today: dt.date,
    partnership: str | None = None,
    report: SubmittedReport | None = None,
    settings: Settings | None = None,
) -> CaseEventPublic:
    """Record an event as the viewer (who and when go in the log); a ``published`` event may
    carry its report, uploaded or named in the drop folder (never a path:
    :mod:`review_flows.publications`)."""
    if not may_write_cases(viewer):
        raise NotAllowed(f"a {viewer.role.value} cannot record events; ask a panel member")
    case = visible_case(session, viewer, reference, partnership)
    with stored_report(viewer, report, case, data.kind, now=utc_now(), settings=settings) as path:
        return record_event(
            session, case.reference, data, recorded_by=viewer.username, today=today,
            partnership=case.partnership, report_path=path,
        )  # fmt: skip


def add_action_as(
    session: Session,
    viewer: Viewer,
    reference: str,
    data: ActionCreate,
    *,
    partnership: str | None = None,
) -> ActionPublic:
    """Record an action on a recommendation of the case's review, as the viewer: those who
    may record the case's events (its partnership's panel members, admins) may add actions."""
    if not may_write_cases(viewer):
        raise NotAllowed(f"a {viewer.role.value} cannot add actions; ask a panel member")
    case = visible_case(session, viewer, reference, partnership)
    return add_action(session, case.reference, data, partnership=case.partnership)


def inbox_of(session: Session, viewer: Viewer, *, unread_only: bool = False) -> list[Notice]:
    """The viewer's in-app notices: those to the contacts linked to their username, each from
    that contact's own partnership (one mailbox may be a contact of several partnerships)."""
    query = select(Contact.email, Contact.partnership).where(Contact.username == viewer.username)
    linked: dict[str, set[str]] = {}
    for address, partnership in session.exec(query):
        linked.setdefault(address, set()).add(partnership)
    if not linked:
        return []
    return inbox(session, linked, unread_only=unread_only, partnerships=linked)


def mark_read_as(session: Session, viewer: Viewer, notice_id: int) -> None:
    """Mark one of the viewer's own notices read (others' are left alone)."""
    if notice_id in {n.id for n in inbox_of(session, viewer)}:
        mark_read(session, notice_id)


def visible_case(
    session: Session, viewer: Viewer, reference: str, partnership: str | None = None
) -> Case:
    """The case row, if the viewer may see it: the one check every case service makes.

    Only the cases in the viewer's scope are looked at, so one out of scope reads exactly as a
    missing one (:class:`CaseNotFound`), and a reference several partnerships use resolves to
    the viewer's own; :class:`CaseReferenceAmbiguous` (naming only partnerships the viewer can
    see) when more than one of theirs has it and ``partnership`` does not say which."""
    return find_case(session, reference, partnership, scope=case_scope(viewer))
