"""Every demo case is owned by a real demo user, and its events are recorded by that user
(issue 23, item 8: the demo's cases were owned by "demo", which no one can sign in as)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from review_flows.demo import seed_demo
from review_flows.demo_cases import DEMO_CASES, DemoCase, demo_owner
from review_flows.demo_partnerships import (
    ADMIN,
    CWM_TAWEL,
    DEMO_USERS,
    GLENMOOR,
    NORTHSHIRE,
    PANEL_NORTHSHIRE,
    PANEL_WESTMERE,
    REVIEWER,
    WESTMERE,
)
from review_flows.models import AgeGroup, Case, CaseEvent, Outcome
from review_flows.users import get_user

# slow: seeds the whole demo (users with real password hashes, cases, notices)
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

PASSWORD = "demo password for the owners test"


def _owners(session: Session) -> dict[str, str | None]:
    return {case.reference: case.owner for case in session.exec(select(Case))}


@pytest.mark.parametrize(
    ("case", "owner"),
    [
        (DemoCase("X-1", NORTHSHIRE, Outcome.DEATH, AgeGroup.UNDER_1, aware=2), PANEL_NORTHSHIRE),
        (DemoCase("X-2", WESTMERE, Outcome.DEATH, AgeGroup.UNDER_1, aware=2), PANEL_WESTMERE),
        (DemoCase("X-3", CWM_TAWEL, Outcome.DEATH, AgeGroup.UNDER_1, aware=2), ADMIN),
        (
            DemoCase("X-4", GLENMOOR, Outcome.DEATH, AgeGroup.UNDER_1, aware=2, owner=REVIEWER),
            REVIEWER,
        ),
        (
            DemoCase("X-5", NORTHSHIRE, Outcome.DEATH, AgeGroup.UNDER_1, aware=2, owner=REVIEWER),
            REVIEWER,
        ),
    ],  # fmt: skip
    ids=["panel-member", "other-panel-member", "no-panel-member", "named", "named-over-panel"],
)
def test_a_case_is_owned_by_its_row_its_panel_member_or_the_admin(
    case: DemoCase, owner: str
) -> None:
    assert demo_owner(case) == owner


def test_every_seeded_case_is_owned_by_a_demo_user_who_can_sign_in(
    session: Session, today: dt.date
) -> None:
    seed_demo(session, today=today, password=PASSWORD)
    owners = _owners(session)

    assert set(owners) <= {case.reference for case in DEMO_CASES}
    assert len(owners) >= len(DEMO_CASES) - 1  # the SCR may be skipped on a late date
    assert set(owners.values()) <= {user.username for user in DEMO_USERS}
    assert "demo" not in owners.values()
    for username in set(owners.values()):
        assert get_user(session, str(username)).username == username  # a real account
    assert owners["NSH-DEMO-001"] == PANEL_NORTHSHIRE
    assert owners["WSM-DEMO-001"] == PANEL_WESTMERE
    assert owners["CWT-DEMO-001"] == ADMIN
    assert owners["NSH-DEMO-011"] == REVIEWER


def test_each_case_s_events_are_recorded_by_its_owner(session: Session, today: dt.date) -> None:
    seed_demo(session, today=today, password=PASSWORD)
    owners = {case.id: case.owner for case in session.exec(select(Case))}
    recorders = {(event.case_id, event.recorded_by) for event in session.exec(select(CaseEvent))}

    assert recorders == {(case_id, owners[case_id]) for case_id, _ in recorders}
    assert {case_id for case_id, _ in recorders} == set(owners)


def test_a_named_recorder_records_every_event_and_owners_stay(
    session: Session, today: dt.date
) -> None:
    seed_demo(session, today=today, recorded_by="trainer")

    recorders = {event.recorded_by for event in session.exec(select(CaseEvent))}
    assert recorders == {"trainer"}
    assert _owners(session)["NSH-DEMO-001"] == PANEL_NORTHSHIRE
