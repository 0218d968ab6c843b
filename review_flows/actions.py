"""Services for actions taken on a review's recommendations (recommendation -> action -> owner ->
due -> done). Unlike events, an action row changes once: when it is completed."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from core.columns import read_as
from review_flows.case_rows import find_case
from review_flows.errors import ActionNotFound, CaseDataInvalid, EventDateInvalid
from review_flows.models import Action, ActionCreate, ActionPublic, check_free_text


def add_action(
    session: Session, reference: str, data: ActionCreate, *, partnership: str | None = None
) -> ActionPublic:
    """Record an action taken on a recommendation of the case's review."""
    case = find_case(session, reference, partnership)
    if data.due < case.incident_date:
        raise CaseDataInvalid(f"due {data.due.isoformat()} is before the incident")
    action = Action.model_validate({**data.model_dump(), "case_id": case.id})
    session.add(action)
    session.commit()
    return read_as(ActionPublic, action)


def complete_action(
    session: Session, action_id: int, *, done: dt.date, today: dt.date, evidence: str | None = None
) -> ActionPublic:
    """Mark an action done on ``done`` with its evidence; an action is completed once."""
    action = session.get(Action, action_id)
    if action is None:
        raise ActionNotFound(f"no action #{action_id}")
    if action.done is not None:
        raise CaseDataInvalid(f"action #{action_id} was completed on {action.done.isoformat()}")
    if done > today:
        raise EventDateInvalid(f"done date {done.isoformat()} is in the future")
    try:
        action.evidence = check_free_text(evidence, "evidence")
    except ValueError as invalid:
        raise CaseDataInvalid(str(invalid)) from None
    action.done = done
    session.add(action)
    session.commit()
    return read_as(ActionPublic, action)


def list_actions(
    session: Session, reference: str, *, partnership: str | None = None
) -> list[ActionPublic]:
    """The case's actions, by due date."""
    case = find_case(session, reference, partnership)
    rows = session.exec(select(Action).where(Action.case_id == case.id).order_by(col(Action.due)))
    return [read_as(ActionPublic, row) for row in rows]
