"""Services of the case store: one function per user action, each one transaction.

They take an open :class:`sqlmodel.Session` (``review_flows.db.open_session(url)``), raise the
named errors of :mod:`review_flows.errors`, and never print. "Today" is always an argument.
Nothing derivable is stored: a case's stage comes from :func:`review_flows.lifecycle.derive_stage`
and its milestones from :func:`review_flows.timeline.compute_milestones`, each time they are read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from review_flows.amendments import apply_amendments, parse_amended_value
from review_flows.audit_log import seal
from review_flows.calendar import Nation, WorkingCalendar, calendar_for, load_holiday_overrides
from review_flows.case_logs import collector_paused, load_amendments, load_logs
from review_flows.errors import (
    CaseDataInvalid,
    CaseNotFound,
    CaseReferenceAmbiguous,
    DuplicateCaseReference,
    EventDateInvalid,
    InvalidTransition,
    validation_problems,
)
from review_flows.events import Event, EventKind
from review_flows.jobs_plan import jobs_for_event
from review_flows.lifecycle import Stage, derive_stage, validate_event, validate_log
from review_flows.models import (
    Case,
    CaseCreate,
    CaseEvent,
    CaseEventCreate,
    CaseEventPublic,
    CasePublic,
    read_as,
)
from review_flows.partnerships import default_ruleset
from review_flows.rulebook import (
    Rulebook,
    check_pinned_edition,
    missing_before,
    select_rulebook,
)
from review_flows.settings import Settings, get_settings
from review_flows.timeline import (
    PENDING_STATUSES,
    Milestone,
    MilestoneStatus,
    compute_milestones,
)
from review_flows.week import CaseMilestones, DueRow, week_rows

logger = logging.getLogger(__name__)

InputModel = TypeVar("InputModel", bound=BaseModel)

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


def parse_input(model: type[InputModel], data: Mapping[str, Any]) -> InputModel:
    """Validate user input into ``model``; :class:`CaseDataInvalid` names each bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as invalid:
        problems = validation_problems(invalid, lambda loc: ".".join(map(str, loc)))
        raise CaseDataInvalid(problems) from None


# --- cases and events ----------------------------------------------------------------------------


def create_case(
    session: Session, data: CaseCreate, *, recorded_by: str, today: dt.date
) -> CaseRecord:
    """Open a case and record its first event, ``aware`` on ``data.aware_on``."""
    if data.incident_date > today:
        raise EventDateInvalid(
            f"incident date {data.incident_date.isoformat()} is in the future "
            f"(today is {today.isoformat()})"
        )
    case = Case.model_validate(data.model_dump(exclude={"aware_on"}))
    if case.ruleset_id is None:
        case.ruleset_id = default_ruleset(
            session, case.partnership, case.nation, case.incident_date
        )
    book = rulebook_for(case)  # refuse a case no rulebook covers, or pinned to another nation
    if case.ruleset_id is not None:
        check_pinned_edition(book, case.incident_date)
    aware = Event(EventKind.AWARE, data.aware_on)
    validate_event((), aware, case.incident_date, today)
    if _find_cases(session, case.reference, case.partnership):
        raise DuplicateCaseReference(
            f"{case.partnership} already has a case {case.reference}; choose another reference"
        )
    session.add(case)
    try:
        session.flush()
        first = _event_row(case, aware, recorded_by)
        seal([first], ())
        session.add(first)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateCaseReference(
            f"{case.partnership} already has a case {case.reference}; choose another reference"
        ) from None
    except Exception:
        session.rollback()  # never leave a case without its first event in the session
        raise
    logger.info("case %s opened in %s", case.reference, case.partnership)
    return get_case(session, case.reference, partnership=case.partnership)


def record_event(
    session: Session,
    reference: str,
    data: CaseEventCreate,
    *,
    recorded_by: str,
    today: dt.date,
    partnership: str | None = None,
    report_path: str | None = None,
) -> CaseEventPublic:
    """Validate ``data`` against the case's log and append it, with the jobs it sets going
    (:mod:`review_flows.jobs`) in the same transaction; nothing is written if refused.
    ``report_path`` is the published report's file, for ``published``."""
    if data.kind is EventKind.AMENDED:
        raise InvalidTransition(
            "a case's incident date or nation is changed with `cspr case amend REF "
            "--incident-date YYYY-MM-DD|--nation NATION --reason WHY`, not as an event"
        )
    case = find_case(session, reference, partnership, lock=True)
    rows = _event_rows(session, case.id)
    existing = [_to_event(row) for row in rows]
    current = _public(case, rows)
    new = Event(data.kind, data.on, note=data.note, corrects=data.corrects)
    try:
        validate_event(existing, new, current.incident_date, today)
        _check_required_first(current, existing, new)
        row = _event_row(case, new, recorded_by)
        seal([row], rows)
        session.add(row)
        session.flush()
        session.add_all(jobs_for_event(row, report_path))
        session.commit()
    except Exception:
        session.rollback()
        raise
    logger.info("case %s: %s on %s recorded", case.reference, new.kind.value, new.on)
    return read_as(CaseEventPublic, row)


def amend_case(
    session: Session,
    reference: str,
    *,
    reason: str,
    recorded_by: str,
    today: dt.date,
    incident_date: dt.date | None = None,
    nation: Nation | str | None = None,
    partnership: str | None = None,
) -> tuple[CaseEventPublic, ...]:
    """Change a case's incident date or nation by appending one ``amended`` event per field
    that changes; refused (nothing written) if the log or the rulebook no longer fit."""
    changes = {
        field: value
        for field, value in (("incident_date", incident_date), ("nation", nation))
        if value is not None
    }
    if not changes:
        raise CaseDataInvalid("amend what? give --incident-date YYYY-MM-DD or --nation NATION")
    case = find_case(session, reference, partnership, lock=True)
    rows = _event_rows(session, case.id)
    current = _public(case, rows)
    typed = {field: parse_amended_value(field, str(value)) for field, value in changes.items()}
    typed = {field: value for field, value in typed.items() if getattr(current, field) != value}
    if not typed:
        raise CaseDataInvalid(f"{reference} already has those values; nothing to amend")
    amended = current.model_copy(update=typed)
    _check_amended_case(amended, [_to_event(row) for row in rows], today)
    new_rows = [
        _amendment_row(case, field, value, reason, recorded_by, today)
        for field, value in typed.items()
    ]
    try:
        seal(new_rows, rows)
        session.add_all(new_rows)
        session.commit()
    except Exception:
        session.rollback()
        raise
    logger.info("case %s amended: %s", case.reference, ", ".join(typed))
    return tuple(read_as(CaseEventPublic, row) for row in new_rows)


def _check_amended_case(amended: CasePublic, events: list[Event], today: dt.date) -> None:
    """The amended case must still have a rulebook, and its log must still fit it."""
    if amended.incident_date > today:
        raise EventDateInvalid(
            f"incident date {amended.incident_date.isoformat()} is in the future "
            f"(today is {today.isoformat()})"
        )
    book = rulebook_for(amended)
    if amended.ruleset_id is not None:
        check_pinned_edition(book, amended.incident_date)
    validate_log(events, amended.incident_date, today)
    for event in events:
        if event.kind in book.not_used:
            raise InvalidTransition(
                f"the amended case would be under {book.id}, which has no {event.kind.value}: "
                f"{book.not_used[event.kind]}; void #{event.id} first if it was recorded in error"
            )


def _amendment_row(
    case: Case, field: str, value: Any, reason: str, recorded_by: str, today: dt.date
) -> CaseEvent:
    text = value.isoformat() if isinstance(value, dt.date) else Nation(value).value
    row = _event_row(case, Event(EventKind.AMENDED, today, note=reason), recorded_by)
    row.amends, row.amended_to = field, text
    return row


def _check_required_first(case: CasePublic, existing: list[Event], new: Event) -> None:
    """Refuse an event its rulebook does not use (a rapid review of a 2017 serious case review)
    or whose required events are missing ("published" before the report went to the Panel)."""
    book = rulebook_for(case)
    if new.kind in book.not_used:
        raise InvalidTransition(
            f"{new.kind.value} is not part of a case under {book.id}: {book.not_used[new.kind]}"
        )
    missing = missing_before(book, {event.kind for event in existing}, new.kind)
    if missing:
        raise InvalidTransition(
            f"{new.kind.value} needs {' and '.join(missing)} first: {book.id} requires it "
            f"(record {missing[0]} with its date, then {new.kind.value})"
        )


def late_notices(
    session: Session,
    reference: str,
    event: CaseEventPublic,
    *,
    partnership: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """What recording ``event`` completed late, one line per milestone: "Notification to the
    Panel: done 5 working days late (due 2026-01-13)"."""
    settings = settings or get_settings()
    timeline = case_timeline(
        session, reference, today=event.on, partnership=partnership, settings=settings
    )
    book = rulebook_for(timeline.case)
    calendar = calendars(settings)(Nation(timeline.case.nation))
    rules = {rule.milestone: rule for rule in book.rules}
    notices = []
    for milestone in timeline.milestones:
        rule = rules.get(milestone.milestone)
        if rule is None or event.kind not in rule.done_by or milestone.due is None:
            continue
        if milestone.status is MilestoneStatus.DONE_LATE and milestone.done == event.on:
            late = calendar.working_days_between(milestone.due, event.on)
            notices.append(
                f"{milestone.label}: done {late} working day{'s' * (late != 1)} late "
                f"(due {milestone.due.isoformat()})"
            )
    return notices


def get_case(session: Session, reference: str, *, partnership: str | None = None) -> CaseRecord:
    """The case with ``reference`` (in ``partnership`` when several partnerships use it)."""
    case = find_case(session, reference, partnership)
    rows = _event_rows(session, case.id)
    events = tuple(_to_event(row) for row in rows)
    return CaseRecord(_public(case, rows), derive_stage(events), events)


def list_cases(
    session: Session,
    *,
    partnership: str | None = None,
    stage: Stage | None = None,
    open_only: bool = False,
) -> list[CaseRecord]:
    """Cases ordered by partnership and reference, filtered; events loaded in one query."""
    table = Case.__table__
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
    row, rows = _case_and_rows(session, reference, partnership)
    case = _public(row, rows)
    events = [_to_event(row) for row in rows]
    book = rulebook_for(case)
    milestones = compute_milestones(
        events,
        book,
        calendars(settings)(Nation(case.nation)),
        today,
        due_soon_working_days=settings.due_soon_working_days,
        local_targets=settings.local_targets,
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
                local_targets=settings.local_targets,
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


def rulebook_for(case: Case | CasePublic) -> Rulebook:
    """The case's rulebook: the pinned one, or the edition in force at the incident date."""
    nation = Nation(case.nation)
    book = select_rulebook(nation, case.incident_date, pinned=case.ruleset_id)
    if book.nation is not nation:
        raise CaseDataInvalid(
            f"rulebook {book.id} is for {book.nation.value}, the case is in {nation.value}; "
            "pin a rulebook of the case's nation"
        )
    return book


# --- helpers -------------------------------------------------------------------------------------


def _find_cases(session: Session, reference: str, partnership: str | None) -> list[Case]:
    query = select(Case).where(Case.reference == reference.strip())
    if partnership is not None:
        query = query.where(Case.partnership == partnership)
    return list(session.exec(query))


def find_case(
    session: Session, reference: str, partnership: str | None = None, *, lock: bool = False
) -> Case:
    """The case row with ``reference``; :class:`CaseNotFound` or :class:`CaseReferenceAmbiguous`."""
    found = _find_cases(session, reference, partnership)
    if not found:
        where = f" in {partnership}" if partnership else ""
        raise CaseNotFound(f"no case {reference}{where}; `cspr case list` shows the cases")
    if len(found) > 1:
        names = ", ".join(sorted(case.partnership for case in found))
        raise CaseReferenceAmbiguous(
            f"{reference} is a case of several partnerships ({names}); name one with --partnership"
        )
    case = found[0]
    if lock:
        _lock_case(session, case)
    return case


def _lock_case(session: Session, case: Case) -> None:
    """Serialise writers on one case until the transaction ends, so that reading its log,
    validating and appending (and chaining the hash) is one step: a row lock on PostgreSQL; on
    SQLite a no-op write first, which takes the database's write lock (waiting out the busy
    timeout) before the log is read, where a deferred transaction would read first."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Case).where(Case.id == case.id).values(id=case.id))
    else:
        session.exec(select(Case.id).where(Case.id == case.id).with_for_update()).first()


def _event_rows(session: Session, case_id: int | None) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return list(session.exec(query))


def _to_event(row: CaseEvent) -> Event:
    return Event(
        kind=EventKind(row.kind),
        on=row.on,
        id=row.id,
        note=row.note,
        corrects=row.corrects,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _event_row(case: Case, event: Event, recorded_by: str) -> CaseEvent:
    fields = {"kind": event.kind, "on": event.on, "note": event.note, "corrects": event.corrects}
    try:
        return CaseEvent.model_validate({**fields, "case_id": case.id, "recorded_by": recorded_by})
    except ValidationError as invalid:
        raise CaseDataInvalid(invalid.errors()[0]["msg"].removeprefix("Value error, ")) from None


def _case_and_rows(
    session: Session, reference: str, partnership: str | None
) -> tuple[Case, list[CaseEvent]]:
    case = find_case(session, reference, partnership)
    return case, _event_rows(session, case.id)


def _public(case: Case, rows: Iterable[CaseEvent] = ()) -> CasePublic:
    """The case as it now reads: its row with the amendments among ``rows`` applied."""
    public = read_as(CasePublic, case)
    changes = [(r.amends, r.amended_to) for r in rows if r.kind == EventKind.AMENDED]
    if not changes:
        return public
    return public.model_copy(update=apply_amendments({}, changes))


def calendars(settings: Settings) -> Callable[[Nation], WorkingCalendar]:
    """A function nation -> calendar, with the settings' holiday overrides read once."""
    path = settings.holiday_overrides_file
    overrides = load_holiday_overrides(path) if path is not None else None
    cache: dict[Nation, WorkingCalendar] = {}

    def calendar(nation: Nation) -> WorkingCalendar:
        if nation not in cache:
            cache[nation] = calendar_for(Nation(nation), overrides)
        return cache[nation]

    return calendar
