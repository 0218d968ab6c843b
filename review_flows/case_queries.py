"""Reading the case store: a case and its log, the case list, the case page's timeline, each
case's next milestone and worst status, and the manager's week. They take an open
:class:`sqlmodel.Session`, never write, and derive stage and milestones each time they read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from core.columns import read_as
from core.db import table_of
from core.settings import Settings, get_settings
from review_flows.amendments import apply_amendments
from review_flows.calendar import Nation
from review_flows.case_logs import collector_paused, load_amendments, load_logs
from review_flows.case_rows import (
    calendars,
    case_and_rows,
    event_rows,
    find_case,
    public_case,
    rulebook_for,
    to_event,
)
from review_flows.events import Event, EventKind
from review_flows.lifecycle import Stage, derive_stage
from review_flows.milestones import PENDING_STATUSES, Milestone, MilestoneStatus
from review_flows.models import Case, CaseEvent, CaseEventPublic, CasePublic
from review_flows.partnership_targets import targets_by_partnership, targets_for
from review_flows.rulebook import Rulebook
from review_flows.timeline import compute_milestones
from review_flows.week import CaseMilestones, DueRow, week_rows

# From most to least in need of attention; a case's worst status is the first it has.
STATUS_SEVERITY: tuple[MilestoneStatus, ...] = (
    MilestoneStatus.OVERDUE,
    MilestoneStatus.STALLED,
    MilestoneStatus.DUE_SOON,
    MilestoneStatus.LATE_DELAY_NOTIFIED,
    MilestoneStatus.DONE_LATE,
    MilestoneStatus.DUE,
    MilestoneStatus.NO_TIME_LIMIT,
    MilestoneStatus.NOT_STARTED,
    MilestoneStatus.NOT_RECORDED,
    MilestoneStatus.DONE_ON_TIME,
    MilestoneStatus.DONE,
    MilestoneStatus.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class CaseRecord:
    """A case, its event log (recording order) and the stage derived from it.

    From :func:`get_case` the events are complete; from :func:`list_cases` they carry only
    what stage and milestones need (kind, date, id, corrects).
    """

    case: CasePublic
    stage: Stage
    events: tuple[Event, ...]


@dataclass(frozen=True)
class CaseTimeline:
    """Everything the case page shows: the case, its stage, its log and its milestones today."""

    case: CasePublic
    stage: Stage
    ruleset_id: str
    events: tuple[CaseEventPublic, ...]
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True)
class CaseOverview:
    """One line of the case list: the next milestone due and the worst status today."""

    case: CasePublic
    stage: Stage
    ruleset_id: str
    next_due: Milestone | None
    worst_status: MilestoneStatus | None
    milestones: tuple[Milestone, ...] = ()


def get_case(session: Session, reference: str, *, partnership: str | None = None) -> CaseRecord:
    """The case with ``reference`` (in ``partnership`` when several partnerships use it)."""
    case = find_case(session, reference, partnership)
    rows = event_rows(session, case.id)
    events = tuple(to_event(row) for row in rows)
    return CaseRecord(public_case(case, rows), derive_stage(events), events)


def list_cases(
    session: Session,
    *,
    partnership: str | None = None,
    stage: Stage | None = None,
    open_only: bool = False,
) -> list[CaseRecord]:
    """Cases ordered by partnership and reference, filtered; events loaded in one query."""
    table = table_of(Case)
    cases = select(*table.columns).order_by(table.c.partnership, table.c.reference)
    if partnership is not None:
        cases = cases.where(table.c.partnership == partnership)
    if open_only:
        closed = select(CaseEvent.case_id).where(CaseEvent.kind == EventKind.CLOSED)
        cases = cases.where(table.c.id.not_in(closed))
    # Core rows, not ORM objects or mappings: this is the dashboard's path over every case.
    connection = session.connection()
    keys = tuple(column.name for column in table.columns)
    construct = CasePublic.model_construct
    records = []
    with collector_paused():
        logs = load_logs(connection, cases)
        amendments = load_amendments(connection, cases)
        for row in connection.execute(cases).all():
            fields = dict(zip(keys, row, strict=True))
            if fields["id"] in amendments:
                fields = apply_amendments(fields, amendments[fields["id"]])
            events = logs.get(fields["id"], ())
            derived = derive_stage(events)
            if stage is None or derived is stage:
                records.append(CaseRecord(construct(**fields), derived, events))
    return records


def case_timeline(
    session: Session,
    reference: str,
    *,
    today: dt.date,
    partnership: str | None = None,
    settings: Settings | None = None,
) -> CaseTimeline:
    """The case with its stage, full log and milestones as of ``today``."""
    settings = settings or get_settings()
    row, rows = case_and_rows(session, reference, partnership)
    case = public_case(row, rows)
    events = [to_event(row) for row in rows]
    book = rulebook_for(case)
    milestones = compute_milestones(
        events,
        book,
        calendars(settings)(Nation(case.nation)),
        today,
        due_soon_working_days=settings.due_soon_working_days,
        local_targets=targets_for(session, case.partnership, defaults=settings.local_targets),
        stalled_after=settings.stalled_after_working_days,
    )
    public_rows = tuple(read_as(CaseEventPublic, r) for r in rows)
    stage = derive_stage(events)
    return CaseTimeline(case, stage, book.id, public_rows, tuple(milestones))


def summarise_cases(
    session: Session,
    *,
    today: dt.date,
    partnership: str | None = None,
    stage: Stage | None = None,
    open_only: bool = False,
    settings: Settings | None = None,
) -> list[CaseOverview]:
    """:func:`list_cases` with each case's next milestone due and worst status today."""
    settings = settings or get_settings()
    calendar = calendars(settings)
    books: dict[tuple[Any, ...], Rulebook] = {}
    records = list_cases(session, partnership=partnership, stage=stage, open_only=open_only)
    # each partnership's own local targets over the settings' (read once, for every case)
    own_targets = targets_by_partnership(session, defaults=settings.local_targets)
    overviews = []
    with collector_paused():
        for record in records:
            case = record.case
            key = (case.nation, case.incident_date, case.ruleset_id)
            book = books.get(key) or books.setdefault(key, rulebook_for(case))
            milestones = compute_milestones(
                record.events,
                book,
                calendar(case.nation),  # a str: converted to Nation once, on a cache miss
                today,
                due_soon_working_days=settings.due_soon_working_days,
                local_targets=own_targets.get(case.partnership, settings.local_targets),
                stalled_after=settings.stalled_after_working_days,
            )
            next_due, worst = summarise_milestones(milestones)
            overviews.append(
                CaseOverview(case, record.stage, book.id, next_due, worst, tuple(milestones))
            )
    return overviews


def due_this_week(
    session: Session,
    *,
    today: dt.date,
    partnership: str | None = None,
    due_within: int | None = None,
    overdue_only: bool = False,
    settings: Settings | None = None,
) -> list[DueRow]:
    """The manager's week: every pending milestone of the open cases, most urgent first."""
    overviews = summarise_cases(
        session, today=today, partnership=partnership, open_only=True, settings=settings
    )
    cases = [
        CaseMilestones(
            o.case.reference, o.case.partnership, o.stage.value, o.milestones, o.case.owner
        )
        for o in overviews
    ]
    return week_rows(cases, due_within=due_within, overdue_only=overdue_only)


def summarise_milestones(
    milestones: Iterable[Milestone],
) -> tuple[Milestone | None, MilestoneStatus | None]:
    """The earliest pending milestone (due, due soon or overdue) and the worst status.

    Only milestones that alert count: a rule read two ways alerts on its earlier reading.
    """
    alerting = [m for m in milestones if m.alert]
    pending = [m for m in alerting if m.status in PENDING_STATUSES and m.due is not None]
    next_due = min(pending, key=lambda m: m.due or dt.date.max) if pending else None
    present = {m.status for m in alerting}
    worst = next((status for status in STATUS_SEVERITY if status in present), None)
    return next_due, worst
