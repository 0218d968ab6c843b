"""The case store's rows: finding a case (and locking it for a writer), its event rows, the
case as it now reads with its amendments applied, its rulebook and the working calendars.
Shared by the services that write (:mod:`review_flows.cases`) and those that read
(:mod:`review_flows.case_queries`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from core.access import CaseScope
from core.columns import read_as
from core.settings import Settings
from review_flows.amendments import apply_amendments
from review_flows.calendar import Nation, WorkingCalendar, calendar_for, load_holiday_overrides
from review_flows.errors import (
    CaseDataInvalid,
    CaseNotFound,
    CaseReferenceAmbiguous,
)
from review_flows.events import Event, EventKind
from review_flows.models import Case, CaseEvent, CasePublic
from review_flows.rulebook import (
    Rulebook,
    select_rulebook,
)


def find_cases(
    session: Session,
    reference: str,
    partnership: str | None,
    scope: CaseScope | None = None,
) -> list[Case]:
    """The cases with ``reference`` (in ``partnership``), by partnership; with ``scope``, only
    those it admits, so what lies outside never reaches the caller."""
    query = select(Case).where(Case.reference == reference.strip())
    if partnership is not None:
        query = query.where(Case.partnership == partnership)
    found = list(session.exec(query.order_by(Case.partnership)))
    if scope is None:
        return found
    return [case for case in found if scope.admits(case.partnership, case.owner)]


def find_case(
    session: Session,
    reference: str,
    partnership: str | None = None,
    *,
    lock: bool = False,
    scope: CaseScope | None = None,
) -> Case:
    """The case row with ``reference``, among those ``scope`` admits (all without one).

    :class:`CaseNotFound` when none is left, whether none exists or it lies out of scope (one
    message for both); :class:`CaseReferenceAmbiguous` when several are, naming only those."""
    found = find_cases(session, reference, partnership, scope)
    if not found:
        raise CaseNotFound.of(reference)
    if len(found) > 1:
        raise CaseReferenceAmbiguous(reference, tuple(case.partnership for case in found))
    case = found[0]
    if lock:
        lock_case(session, case)
    return case


def lock_case(session: Session, case: Case) -> None:
    """Serialise writers on one case until the transaction ends, so that reading its log,
    validating and appending (and chaining the hash) is one step: a row lock on PostgreSQL; on
    SQLite a no-op write first, which takes the database's write lock (waiting out the busy
    timeout) before the log is read, where a deferred transaction would read first."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Case).where(col(Case.id) == case.id).values(id=case.id))
    else:
        session.exec(select(Case.id).where(Case.id == case.id).with_for_update()).first()


def event_rows(session: Session, case_id: int | None) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
    return list(session.exec(query))


def to_event(row: CaseEvent) -> Event:
    return Event(
        kind=EventKind(row.kind),
        on=row.on,
        id=row.id,
        note=row.note,
        corrects=row.corrects,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def event_row(case: Case, event: Event, recorded_by: str) -> CaseEvent:
    fields = {"kind": event.kind, "on": event.on, "note": event.note, "corrects": event.corrects}
    try:
        return CaseEvent.model_validate({**fields, "case_id": case.id, "recorded_by": recorded_by})
    except ValidationError as invalid:
        raise CaseDataInvalid(invalid.errors()[0]["msg"].removeprefix("Value error, ")) from None


def case_and_rows(
    session: Session, reference: str, partnership: str | None
) -> tuple[Case, list[CaseEvent]]:
    case = find_case(session, reference, partnership)
    return case, event_rows(session, case.id)


def public_case(case: Case, rows: Iterable[CaseEvent] = ()) -> CasePublic:
    """The case as it now reads: its row with the amendments among ``rows`` applied."""
    public = read_as(CasePublic, case)
    changes = [_amendment(r) for r in rows if r.kind == EventKind.AMENDED]
    if not changes:
        return public
    return public.model_copy(update=apply_amendments({}, changes))


def _amendment(row: CaseEvent) -> tuple[str, str]:
    """An ``amended`` event's field and new value (the service records both, never one)."""
    if row.amends is None or row.amended_to is None:
        raise CaseDataInvalid(f"amended event {row.id} names no field or no value")
    return row.amends, row.amended_to


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
