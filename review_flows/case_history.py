"""Cases taken over at a later stage: opened with the dates the partnership holds.

A partnership adopting the workbench, or taking a case over from another system, knows some
dates and not others ("notified on ..., rapid review on ..., nothing before"). Such a case opens
with one ``history_imported`` event, dated the take-over, whose note says why the earlier steps
are not recorded and which they are; the known steps follow it in date order. The lifecycle
guard accepts a known step without the steps before it only on or before the take-over date
(:mod:`review_flows.event_validation`), and its milestones say "not recorded" where a date
nobody holds would otherwise make a step overdue (:mod:`review_flows.timeline`).

The same rules as any case apply to everything given: the personal-data guard on every note,
no date after today or before the incident, the steps in order, and a rulebook chosen by
incident date and nation that uses every step given.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.labels import event_label
from review_flows.audit_log import record_facts, seal
from review_flows.case_queries import CaseRecord, get_case
from review_flows.case_rows import event_row, find_cases, rulebook_for
from review_flows.errors import DuplicateCaseReference, EventDateInvalid, InvalidTransition
from review_flows.event_validation import validate_event
from review_flows.events import AMENDING_KINDS, Event, EventKind
from review_flows.lifecycle import unrecorded_steps
from review_flows.models import NOTE_MAX, Case, CaseBase
from review_flows.partnerships import default_ruleset
from review_flows.rulebook import Rulebook, check_pinned_edition

logger = logging.getLogger(__name__)

_ORDER = {kind: place for place, kind in enumerate(EventKind)}
# steps that are the case's own history; amendments and a second history are not
_NOT_STEPS = AMENDING_KINDS | {EventKind.HISTORY_IMPORTED}


@dataclass(frozen=True)
class KnownStep:
    """A step of the case's history whose date the partnership holds."""

    kind: EventKind
    on: dt.date
    note: str | None = None


class CaseHistoryCreate(CaseBase):
    """What a partnership gives to open a case at a later stage: the case's facts, the day it
    took the case over and why the earlier steps are not recorded (no names: the guard reads
    it like any note)."""

    taken_over_on: dt.date
    reason: str


def add_case_with_history(
    session: Session,
    data: CaseHistoryCreate,
    steps: Sequence[KnownStep],
    *,
    recorded_by: str,
    today: dt.date,
) -> Case:
    """Validate ``data`` and ``steps`` and add the case with its ``history_imported`` event and
    the known steps. Flushes but never commits: the caller commits one case, a whole file, or
    each case in a savepoint (``session.begin_nested()``). Raises the named errors of
    :mod:`review_flows.errors`; nothing is added to the session if refused."""
    case = _new_case(session, data, today)
    book = rulebook_for(case)  # refuse a case no rulebook covers, or pinned to another nation
    if case.ruleset_id is not None:
        check_pinned_edition(book, case.incident_date)
    ordered = _in_order(steps)
    _check_steps_used(book, ordered)
    history, events = _checked_log(data, ordered, today)
    if find_cases(session, case.reference, case.partnership):
        raise DuplicateCaseReference(
            f"{case.partnership} already has a case {case.reference}; choose another reference"
        )
    with session.no_autoflush:
        session.add(case)
        try:
            session.flush()
        except IntegrityError:
            session.expunge(case)
            raise DuplicateCaseReference(
                f"{case.partnership} already has a case {case.reference}; choose another reference"
            ) from None
        rows = [event_row(case, event, recorded_by) for event in (history, *events)]
        record_facts(rows[0], case)
        seal(rows, ())
        session.add_all(rows)
        session.flush()
    logger.info("case %s opened in %s with an imported history", case.reference, case.partnership)
    return case


def open_case_with_history(
    session: Session,
    data: CaseHistoryCreate,
    steps: Sequence[KnownStep],
    *,
    recorded_by: str,
    today: dt.date,
) -> CaseRecord:
    """:func:`add_case_with_history`, committed; the case as it now reads."""
    try:
        case = add_case_with_history(session, data, steps, recorded_by=recorded_by, today=today)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return get_case(session, case.reference, partnership=case.partnership)


def history_note(reason: str, not_recorded: frozenset[EventKind]) -> str:
    """The ``history_imported`` event's note: why, and which steps have no date."""
    missing = sorted(not_recorded, key=_ORDER.__getitem__)
    steps = ", ".join(event_label(kind).lower() for kind in missing) if missing else "none"
    return f"{reason.strip()} (steps not recorded: {steps})"


def _new_case(session: Session, data: CaseHistoryCreate, today: dt.date) -> Case:
    if data.incident_date > today:
        raise EventDateInvalid(
            f"incident date {data.incident_date.isoformat()} is in the future "
            f"(today is {today.isoformat()})"
        )
    case = Case.model_validate(data.model_dump(exclude={"taken_over_on", "reason"}))
    if case.ruleset_id is None:
        case.ruleset_id = default_ruleset(
            session, case.partnership, case.nation, case.incident_date
        )
    return case


def _in_order(steps: Sequence[KnownStep]) -> list[KnownStep]:
    """The steps by date, and on one day in the order of the lifecycle (aware first)."""
    for step in steps:
        if step.kind in _NOT_STEPS:
            raise InvalidTransition(
                f"{step.kind.value} is not a step of a case's history; give the steps' dates"
            )
    return sorted(steps, key=lambda step: (step.on, _ORDER[step.kind]))


def _check_steps_used(book: Rulebook, steps: Sequence[KnownStep]) -> None:
    for step in steps:
        if step.kind in book.not_used:
            raise InvalidTransition(
                f"{step.kind.value} is not part of a case under {book.id}: "
                f"{book.not_used[step.kind]}"
            )


def _checked_log(
    data: CaseHistoryCreate, steps: Sequence[KnownStep], today: dt.date
) -> tuple[Event, list[Event]]:
    """The history event and the steps as events, each checked by the lifecycle guard in
    turn, as if recorded one by one."""
    if steps and steps[-1].on > data.taken_over_on:
        last = steps[-1]
        raise EventDateInvalid(
            f"{last.kind.value} on {last.on.isoformat()} is after the take-over "
            f"({data.taken_over_on.isoformat()}); the history holds the steps before it"
        )
    events = [
        Event(step.kind, step.on, id=place, note=step.note)
        for place, step in enumerate(steps, start=2)
    ]
    draft = Event(EventKind.HISTORY_IMPORTED, data.taken_over_on, id=1, note=data.reason)
    validate_event((), draft, data.incident_date, today)
    log = [draft]
    for event in events:
        validate_event(log, event, data.incident_date, today)
        log.append(event)
    note = history_note(data.reason, unrecorded_steps(log))
    if len(note) > NOTE_MAX:
        note = data.reason  # the reason alone still says why; the milestones say which
    history = Event(EventKind.HISTORY_IMPORTED, data.taken_over_on, note=note)
    return history, [Event(e.kind, e.on, note=e.note) for e in events]
