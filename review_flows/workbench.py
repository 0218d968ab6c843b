"""The case services as the workbench calls them: every read and write takes the signed-in
:class:`~review_flows.access.Viewer` and keeps to what they may see (:func:`case_scope`).

A case outside the viewer's scope raises :class:`CaseNotFound` exactly as a missing one does.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from review_flows.access import Viewer, case_scope, may_write_cases
from review_flows.case_queries import (
    CaseOverview,
    CaseTimeline,
    case_timeline,
    get_case,
    summarise_cases,
)
from review_flows.case_rows import find_case, rulebook_for
from review_flows.cases import record_event
from review_flows.errors import CaseNotFound, ReviewFlowsError
from review_flows.events import EventKind
from review_flows.lifecycle import accepted_kinds
from review_flows.models import Case, CaseEventCreate, CaseEventPublic, Contact, Notice
from review_flows.notify.store import inbox, mark_read
from review_flows.settings import Settings
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
    _check_visible(session, viewer, reference, partnership)
    return case_timeline(
        session, reference, today=today, partnership=partnership or _own(viewer), settings=settings
    )


def next_event_kinds(
    session: Session, viewer: Viewer, reference: str, *, partnership: str | None = None
) -> tuple[EventKind, ...]:
    """The events the case accepts now (what the record form offers), under its rulebook."""
    _check_visible(session, viewer, reference, partnership)
    record = get_case(session, reference, partnership=partnership or _own(viewer))
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
    report_path: str | None = None,
) -> CaseEventPublic:
    """Record an event as the viewer (who and when go in the log)."""
    if not may_write_cases(viewer):
        raise NotAllowed(f"a {viewer.role.value} cannot record events; ask a panel member")
    _check_visible(session, viewer, reference, partnership)
    return record_event(
        session, reference, data, recorded_by=viewer.username, today=today,
        partnership=partnership or _own(viewer), report_path=report_path,
    )  # fmt: skip


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
    """The case row, if the viewer may see it; out of scope reads exactly as missing."""
    scope = case_scope(viewer)
    missing = CaseNotFound(f"no case {reference} that you can see")
    if scope.nothing:
        raise missing
    try:
        case = find_case(session, reference, partnership or scope.partnership)
    except CaseNotFound:
        raise missing from None
    if not scope.admits(case.partnership, case.owner):
        raise missing
    return case


def _check_visible(
    session: Session, viewer: Viewer, reference: str, partnership: str | None
) -> None:
    visible_case(session, viewer, reference, partnership)


def _own(viewer: Viewer) -> str | None:
    return case_scope(viewer).partnership
