"""Signing in on a real store: failed sign-ins counted, the lock-out after repeated
failures and its settings, and idle sessions.

Runs on SQLite here and on PostgreSQL in test_postgres.py (through the ``session``
fixture).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from core.access import Viewer
from core.roles import Role
from core.settings import get_settings
from review_flows.auth import AccountLocked, SignInRefused, session_expired, sign_in
from tests.review_flows.user_accounts import NOW, PASSWORD, _add_user, _settings, _stored

# slow: hashes real passwords (argon2, deliberately slow)
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

# --- sign-in -----------------------------------------------------------------------------------


def test_failed_sign_ins_are_counted_then_make_the_username_wait(
    session: Session, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, attempts=3, minutes=15)
    _add_user(session, "alice")
    for expected in (1, 2):
        with pytest.raises(SignInRefused, match="^wrong username or password$"):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
        stored = _stored(session, "alice")
        assert (stored.failed_sign_ins, stored.locked_until) == (expected, None)
    with pytest.raises(SignInRefused) as third:
        sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert type(third.value) is SignInRefused  # the failure that locks is still a plain refusal
    stored = _stored(session, "alice")
    assert (stored.failed_sign_ins, stored.locked_until) == (3, NOW + dt.timedelta(minutes=1))


def test_the_lock_out_follows_the_environment_settings(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSPR_SIGN_IN_ATTEMPTS", "2")
    monkeypatch.setenv("CSPR_LOCKOUT_MINUTES", "7")
    get_settings.cache_clear()
    _add_user(session, "alice")
    # each failure as soon as the last wait ends: waits of 1, 2, 4, then 7 (the cap), not 8
    for at, waits in ((0, 0), (0, 1), (1, 2), (3, 4), (7, 7)):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW + dt.timedelta(minutes=at))
        ends = NOW + dt.timedelta(minutes=at + waits)
        assert _stored(session, "alice").locked_until == (ends if waits else None)
    with pytest.raises(AccountLocked, match="try again after 09:14 UTC"):
        sign_in(session, "alice", PASSWORD, now=NOW + dt.timedelta(minutes=13))
    assert sign_in(session, "alice", PASSWORD, now=NOW + dt.timedelta(minutes=14)).username == (
        "alice"
    )


def test_a_locked_account_refuses_the_right_password_until_the_lock_out_ends(
    session: Session, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, attempts=2, minutes=15)
    _add_user(session, "alice", role="panel_member", partnership="Northshire")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    ends = NOW + dt.timedelta(minutes=1)
    for now in (NOW, ends - dt.timedelta(seconds=1)):
        with pytest.raises(AccountLocked, match="try again after 09:01 UTC"):
            sign_in(session, "alice", PASSWORD, now=now, settings=settings)
    assert _stored(session, "alice").locked_until == ends  # refusals while locked add nothing
    viewer = sign_in(session, "alice", PASSWORD, now=ends, settings=settings)
    assert viewer == Viewer("alice", Role.PANEL_MEMBER, "Northshire", "Alice")
    stored = _stored(session, "alice")
    assert (stored.failed_sign_ins, stored.locked_until) == (0, None)


def test_a_successful_sign_in_resets_the_failure_count(session: Session, tmp_path: Path) -> None:
    settings = _settings(tmp_path, attempts=3)
    _add_user(session, "alice")
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert _stored(session, "alice").failed_sign_ins == 2
    assert sign_in(session, " Alice ", PASSWORD, now=NOW, settings=settings).username == "alice"
    assert _stored(session, "alice").failed_sign_ins == 0
    for _ in range(2):  # two more in a row: not yet three, so not locked
        with pytest.raises(SignInRefused):
            sign_in(session, "alice", "wrong password", now=NOW, settings=settings)
    assert sign_in(session, "alice", PASSWORD, now=NOW, settings=settings).username == "alice"


@pytest.mark.parametrize(
    ("idle", "expired"),
    [
        (dt.timedelta(0), False),
        (dt.timedelta(minutes=30), False),
        (dt.timedelta(minutes=30, microseconds=1), True),
        (dt.timedelta(hours=5), True),
    ],
    ids=["just-seen", "at-the-limit", "just-past", "long-gone"],
)
def test_a_session_expires_only_past_the_idle_limit(idle: dt.timedelta, expired: bool) -> None:
    assert session_expired(NOW, NOW + idle, 30) is expired
