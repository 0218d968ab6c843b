"""Sessions a browser keeps (issue 23, item 2): a token handed over once, within a minute, to
become the cookie; a session that ends when idle, at its absolute age, at sign-out and when its
account is disabled; only hashes in the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from review_flows import users, web_sessions
from review_flows.partnership_models import UserCreate
from review_flows.token_models import WebSession

NOW = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, session_idle_minutes=30, session_max_hours=12)


@pytest.fixture
def person(session: Session) -> str:
    data = UserCreate(username="pat.panel", display_name="Pat Panel", role="panel_member",
                      partnership="Northshire", password="correct horse battery")  # fmt: skip
    return users.create_user(session, data).username


def _signed_in(session: Session, person: str, settings: Settings) -> str:
    token = web_sessions.issue(session, person, now=NOW, settings=settings)
    assert web_sessions.hand_over(session, token, now=NOW + dt.timedelta(seconds=2))
    return token


def test_a_handed_over_token_resumes_as_its_user_and_only_its_hash_is_stored(
    session: Session, person: str, settings: Settings
) -> None:
    token = _signed_in(session, person, settings)
    viewer = web_sessions.resume(session, token, now=NOW + dt.timedelta(minutes=5),
                                 settings=settings)  # fmt: skip
    assert viewer is not None
    assert (viewer.username, viewer.role.value, viewer.partnership) == (
        "pat.panel", "panel_member", "Northshire",
    )  # fmt: skip
    row = session.exec(select(WebSession)).one()
    assert token not in (row.token_hash, row.ticket_hash) and row.ticket_hash is None
    assert web_sessions.resume(session, token + "x", now=NOW, settings=settings) is None


def test_a_token_is_handed_over_once_and_only_within_a_minute(
    session: Session, person: str, settings: Settings
) -> None:
    token = _signed_in(session, person, settings)
    assert not web_sessions.hand_over(session, token, now=NOW + dt.timedelta(seconds=3))
    late = web_sessions.issue(session, person, now=NOW, settings=settings)
    assert not web_sessions.hand_over(session, late, now=NOW + dt.timedelta(seconds=61))
    # a late hand-over voids that session altogether
    assert web_sessions.resume(session, late, now=NOW + dt.timedelta(seconds=62),
                               settings=settings) is None  # fmt: skip
    assert not web_sessions.hand_over(session, "never-issued", now=NOW)


@pytest.mark.parametrize(
    ("gap", "live"),
    [(dt.timedelta(minutes=29), True), (dt.timedelta(minutes=31), False)],
)
def test_an_idle_session_ends(
    session: Session, person: str, settings: Settings, gap: dt.timedelta, live: bool
) -> None:
    token = _signed_in(session, person, settings)
    later = NOW + dt.timedelta(seconds=2) + gap
    assert (web_sessions.resume(session, token, now=later, settings=settings) is not None) is live
    assert (session.exec(select(WebSession)).first() is not None) is live


def test_a_busy_session_still_ends_at_its_absolute_age(
    session: Session, person: str, settings: Settings
) -> None:
    token = _signed_in(session, person, settings)
    at = NOW
    for _ in range(12 * 4 - 1):  # used every 15 minutes for just under 12 hours
        at += dt.timedelta(minutes=15)
        assert web_sessions.resume(session, token, now=at, settings=settings) is not None
    assert web_sessions.resume(session, token, now=NOW + dt.timedelta(hours=12),
                               settings=settings) is None  # fmt: skip


def test_sign_out_and_a_disabled_account_end_the_session(
    session: Session, person: str, settings: Settings
) -> None:
    first, second = _signed_in(session, person, settings), _signed_in(session, person, settings)
    web_sessions.end(session, first)
    assert web_sessions.resume(session, first, now=NOW, settings=settings) is None
    assert web_sessions.resume(session, second, now=NOW, settings=settings) is not None
    users.set_disabled(session, person)
    assert web_sessions.resume(session, second, now=NOW, settings=settings) is None


def test_purge_removes_expired_and_never_handed_over_sessions(
    session: Session, person: str, settings: Settings
) -> None:
    kept = _signed_in(session, person, settings)
    web_sessions.issue(session, person, now=NOW, settings=settings)  # never handed over
    assert web_sessions.purge_expired(session, now=NOW + dt.timedelta(minutes=5)) == 1
    assert web_sessions.resume(session, kept, now=NOW + dt.timedelta(minutes=6),
                               settings=settings) is not None  # fmt: skip
    assert web_sessions.purge_expired(session, now=NOW + dt.timedelta(hours=13)) == 1
    assert session.exec(select(WebSession)).first() is None
