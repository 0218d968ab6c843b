"""Actions that follow a review's recommendations, on a real migrated database (SQLite
here; test_postgres.py runs them on PostgreSQL): added, completed once with evidence,
and refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from review_flows import actions
from review_flows.errors import ActionNotFound, CaseDataInvalid, EventDateInvalid
from review_flows.models import ActionCreate
from tests.review_flows.case_inputs import D


def test_actions_follow_recommendations(session: Session, case_factory: Any, today: D) -> None:
    record = case_factory()
    data = ActionCreate(
        recommendation_ref="R2",
        recommendation="Health visitors ask about safe sleep at every contact",
        owner="Community health provider",
        due=D(2026, 6, 30),
    )
    action = actions.add_action(session, record.case.reference, data)
    assert (action.case_id, action.done, action.evidence) == (record.case.id, None, None)
    done = actions.complete_action(
        session, action.id, done=D(2026, 3, 30), today=today, evidence="audit of 40 records"
    )
    assert (done.done, done.evidence) == (D(2026, 3, 30), "audit of 40 records")
    assert actions.list_actions(session, record.case.reference) == [done]
    with pytest.raises(CaseDataInvalid, match="was completed on 2026-03-30"):
        actions.complete_action(session, action.id, done=D(2026, 3, 31), today=today)
    with pytest.raises(ActionNotFound, match="no action #999"):
        actions.complete_action(session, 999, done=D(2026, 3, 31), today=today)
    other = actions.add_action(session, record.case.reference, data)
    with pytest.raises(EventDateInvalid, match="in the future"):
        actions.complete_action(session, other.id, done=D(2026, 4, 1), today=today)
    with pytest.raises(CaseDataInvalid, match="seems to hold personal data: a person's name"):
        actions.complete_action(session, other.id, done=today, today=today, evidence="Mrs Lee ok")
