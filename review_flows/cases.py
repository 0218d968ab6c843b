"""Services of the case store: one function per user action, each one transaction.

They take an open :class:`sqlmodel.Session` (``core.db.open_session(url)``), raise the
named errors of :mod:`review_flows.errors`, and never print. "Today" is always an argument.
Nothing derivable is stored: a case's stage comes from :func:`review_flows.lifecycle.derive_stage`
and its milestones from :func:`review_flows.timeline.compute_milestones`, each time they are read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.columns import read_as
from core.errors import validation_problems
from core.settings import Settings, get_settings
from review_flows.amendments import parse_amended_value
from review_flows.audit_log import record_facts, seal
from review_flows.calendar import Nation
from review_flows.case_queries import CaseRecord, case_timeline, get_case
from review_flows.case_rows import (
    calendars,
    event_row,
    event_rows,
    find_case,
    find_cases,
    public_case,
    rulebook_for,
    to_event,
)
from review_flows.errors import (
    CaseDataInvalid,
    DuplicateCaseReference,
    EventDateInvalid,
    InvalidTransition,
)
from review_flows.event_validation import validate_event, validate_log
from review_flows.events import Event, EventKind
from review_flows.jobs_plan import jobs_for_event
from review_flows.lifecycle import unrecorded_steps
from review_flows.milestones import MilestoneStatus
from review_flows.models import (
    Case,
    CaseCreate,
    CaseEvent,
    CaseEventCreate,
    CaseEventPublic,
    CasePublic,
    check_username,
)
from review_flows.partnerships import default_ruleset
from review_flows.rulebook import (
    check_pinned_edition,
    missing_before,
)

logger = logging.getLogger(__name__)

InputModel = TypeVar("InputModel", bound=BaseModel)
AMENDED_VALUE_MAX = 40  # the events' amended_to column


def parse_input(model: type[InputModel], data: Mapping[str, Any]) -> InputModel:
    """Validate user input into ``model``; :class:`CaseDataInvalid` names each bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as invalid:
        problems = validation_problems(invalid, lambda loc: ".".join(map(str, loc)))
        raise CaseDataInvalid(problems) from None


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
    if find_cases(session, case.reference, case.partnership):
        raise DuplicateCaseReference(
            f"{case.partnership} already has a case {case.reference}; choose another reference"
        )
    session.add(case)
    try:
        session.flush()
        first = event_row(case, aware, recorded_by)
        record_facts(first, case)
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
    ``report_path`` is the report :mod:`review_flows.publications` stored, for ``published``."""
    if data.kind is EventKind.AMENDED:
        raise InvalidTransition(
            "a case's incident date or nation is changed with `cspr case amend REF "
            "--incident-date YYYY-MM-DD|--nation NATION --reason WHY`, not as an event"
        )
    case = find_case(session, reference, partnership, lock=True)
    rows = event_rows(session, case.id)
    existing = [to_event(row) for row in rows]
    current = public_case(case, rows)
    new = Event(data.kind, data.on, note=data.note, corrects=data.corrects)
    try:
        validate_event(existing, new, current.incident_date, today)
        _check_required_first(current, existing, new)
        row = event_row(case, new, recorded_by)
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
    owner: str | None = None,
    partnership: str | None = None,
) -> tuple[CaseEventPublic, ...]:
    """Change a case's incident date, nation or owner by appending one ``amended`` event per
    field that changes, and the case row with it (one transaction: the log says what the row
    holds, and ``cspr audit verify`` checks it); refused (nothing written) if the log or the
    rulebook no longer fit."""
    changes = {
        field: value
        for field, value in (("incident_date", incident_date), ("nation", nation), ("owner", owner))
        if value is not None
    }
    if not changes:
        raise CaseDataInvalid(
            "amend what? give --incident-date YYYY-MM-DD, --nation NATION or --owner USERNAME"
        )
    case = find_case(session, reference, partnership, lock=True)
    rows = event_rows(session, case.id)
    current = public_case(case, rows)
    typed = {field: _amended_value(field, value) for field, value in changes.items()}
    typed = {field: value for field, value in typed.items() if getattr(current, field) != value}
    if not typed:
        raise CaseDataInvalid(f"{reference} already has those values; nothing to amend")
    amended = current.model_copy(update=typed)
    _check_amended_case(amended, [to_event(row) for row in rows], today)
    new_rows = [
        _amendment_row(case, field, value, reason, recorded_by, today)
        for field, value in typed.items()
    ]
    try:
        seal(new_rows, rows)
        session.add_all(new_rows)
        for field, value in typed.items():
            setattr(case, field, value)
        session.add(case)
        session.commit()
    except Exception:
        session.rollback()
        raise
    logger.info("case %s amended: %s", case.reference, ", ".join(typed))
    return tuple(read_as(CaseEventPublic, row) for row in new_rows)


def change_owner(
    session: Session,
    reference: str,
    owner: str,
    *,
    reason: str,
    recorded_by: str,
    today: dt.date,
    partnership: str | None = None,
) -> CaseEventPublic:
    """Hand a case to another user: an ``amended`` event naming the new owner (who then has
    access, see :mod:`core.access`), never an update of the row alone."""
    (event,) = amend_case(
        session, reference, reason=reason, recorded_by=recorded_by, today=today, owner=owner,
        partnership=partnership,
    )  # fmt: skip
    return event


def _amended_value(field: str, value: Any) -> Any:
    if field == "owner":
        try:
            owner = check_username(str(value))
        except ValueError as invalid:
            raise CaseDataInvalid(str(invalid)) from None
        if len(owner) > AMENDED_VALUE_MAX:
            raise CaseDataInvalid(
                f"owner {owner!r}: an amendment records at most {AMENDED_VALUE_MAX} characters; "
                "choose a shorter username"
            )
        return owner
    return parse_amended_value(field, str(value))


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
    if isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = value if field == "owner" else Nation(value).value
    row = event_row(case, Event(EventKind.AMENDED, today, note=reason), recorded_by)
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
    # steps an imported history went past without a date were taken, though not recorded
    taken = {event.kind for event in existing} | unrecorded_steps(existing)
    missing = missing_before(book, taken, new.kind)
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
