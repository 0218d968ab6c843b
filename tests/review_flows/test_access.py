"""Roles, case scope, sign-in with lock-out and idle expiry, and the scoped services: a user of
another partnership or a weaker role sees and writes nothing they must not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from core.access import Viewer, case_scope, landing_page, may_open
from core.roles import Role
from core.settings import Settings
from review_flows.auth import AccountLocked, SignInRefused, session_expired, sign_in
from review_flows.errors import CaseNotFound
from review_flows.models import CaseEvent, CaseEventCreate
from review_flows.partnership_models import UserCreate
from review_flows.users import create_user, set_disabled, set_password
from review_flows.workbench import (
    NotAllowed,
    next_event_kinds,
    record_event_as,
    visible_cases,
    visible_timeline,
    visible_week,
)

NOW = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
NORTH = Viewer("panel-north", Role.PANEL_MEMBER, "Northshire")
WEST = Viewer("panel-west", Role.PANEL_MEMBER, "Westmere")
REVIEWER = Viewer("rev", Role.REVIEWER)
ANALYST = Viewer("ana", Role.ANALYST)
ADMIN = Viewer("root", Role.ADMIN)


@pytest.fixture
def two_partnerships(session: Session, case_factory) -> None:  # type: ignore[no-untyped-def]
    case_factory("NSH-2026-001")
    case_factory("NSH-2026-002", owner="rev")
    case_factory("WST-2026-001", partnership="Westmere")


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (NORTH, ["NSH-2026-001", "NSH-2026-002"]),
        (WEST, ["WST-2026-001"]),
        (REVIEWER, ["NSH-2026-002"]),
        (ANALYST, []),
        (ADMIN, ["NSH-2026-001", "NSH-2026-002", "WST-2026-001"]),
    ],
    ids=["panel-north", "panel-west", "reviewer", "analyst", "admin"],
)
def test_each_role_sees_only_its_cases(
    session: Session, two_partnerships: None, today: dt.date, viewer: Viewer, expected: list[str]
) -> None:
    seen = [o.case.reference for o in visible_cases(session, viewer, today=today)]
    assert seen == expected
    week = {row.reference for row in visible_week(session, viewer, today=today)}
    assert week <= set(expected)


def test_a_case_outside_the_scope_reads_as_not_found(
    session: Session, two_partnerships: None, today: dt.date
) -> None:
    assert (
        visible_timeline(session, NORTH, "NSH-2026-001", today=today).case.partnership
        == "Northshire"
    )
    for viewer, reference in (
        (WEST, "NSH-2026-001"),
        (ANALYST, "NSH-2026-001"),
        (REVIEWER, "NSH-2026-001"),
    ):
        with pytest.raises(CaseNotFound, match="no case NSH-2026-001 that you can see"):
            visible_timeline(session, viewer, reference, today=today)
    with pytest.raises(CaseNotFound, match="that you can see"):
        next_event_kinds(session, WEST, "NSH-2026-001")


def test_writes_need_the_role_and_the_scope_and_record_who(
    session: Session, two_partnerships: None, today: dt.date
) -> None:
    event = CaseEventCreate(kind="notified", on=dt.date(2026, 1, 8))
    with pytest.raises(NotAllowed, match="analyst cannot record events"):
        record_event_as(session, ANALYST, "NSH-2026-001", event, today=today)
    with pytest.raises(NotAllowed):
        record_event_as(session, REVIEWER, "NSH-2026-002", event, today=today)
    with pytest.raises(CaseNotFound):
        record_event_as(session, WEST, "NSH-2026-001", event, today=today)
    assert len(session.exec(select(CaseEvent)).all()) == 3
    recorded = record_event_as(session, NORTH, "NSH-2026-001", event, today=today)
    assert recorded.recorded_by == "panel-north"
    assert "notified" not in next_event_kinds(session, NORTH, "NSH-2026-001")
    assert "rapid_review_started" in next_event_kinds(session, NORTH, "NSH-2026-001")


def test_pages_and_landing_by_role() -> None:
    assert [landing_page(v.role) for v in (NORTH, REVIEWER, ANALYST, ADMIN)] == [
        "deadlines", "search", "themes", "admin",
    ]  # fmt: skip
    assert not may_open(ANALYST, "case") and not may_open(NORTH, "admin")
    assert not may_open(NORTH, "themes") and may_open(ADMIN, "themes")
    assert case_scope(ANALYST).nothing


def _user(session: Session, username: str = "alice") -> None:
    create_user(session, UserCreate(username=username, display_name="Alice", role="analyst",
                                    password="correct horse battery"))  # fmt: skip


def test_sign_in_locks_after_repeated_failures_and_a_new_password_unlocks(
    session: Session, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path, sign_in_attempts=3, lockout_minutes=15)
    _user(session)
    assert (
        sign_in(session, "alice", "correct horse battery", now=NOW, settings=settings).role
        is Role.ANALYST
    )
    for _ in range(3):
        with pytest.raises(SignInRefused, match="wrong username or password"):
            sign_in(session, "alice", "wrong", now=NOW, settings=settings)
    with pytest.raises(AccountLocked, match="try again after 09:01 UTC"):
        sign_in(session, "alice", "correct horse battery", now=NOW, settings=settings)
    later = NOW + dt.timedelta(minutes=1)
    assert sign_in(session, "alice", "correct horse battery", now=later, settings=settings)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong", now=later, settings=settings)
    set_password(session, "alice", "a brand new passphrase")
    assert sign_in(session, "alice", "a brand new passphrase", now=later, settings=settings)


def test_unknown_and_disabled_users_get_the_same_refusal(session: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path)
    _user(session)
    set_disabled(session, "alice")
    for name, password in (("nobody", "x"), ("alice", "correct horse battery")):
        with pytest.raises(SignInRefused, match="^wrong username or password$"):
            sign_in(session, name, password, now=NOW, settings=settings)


def test_idle_sessions_expire() -> None:
    assert not session_expired(NOW, NOW + dt.timedelta(minutes=29), 30)
    assert session_expired(NOW, NOW + dt.timedelta(minutes=31), 30)
