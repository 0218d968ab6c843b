"""Users on a real store: accounts, their salted scrypt hashes, passwords checked,
changed and disabled accounts.

Runs on SQLite here and on PostgreSQL in test_postgres.py (through the ``session``
fixture).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from review_flows import users
from review_flows.auth import SignInRefused, sign_in
from review_flows.errors import CaseDataInvalid, DuplicateUsername, UserNotFound
from review_flows.partnership_models import User, UserCreate
from review_flows.users import list_users, set_disabled, set_password, verify_password
from tests.review_flows.user_accounts import NOW, PASSWORD, _add_user, _settings, _stored

# slow: hashes real passwords (argon2, deliberately slow)
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow

SCRYPT_HASH = re.compile(r"^scrypt\$131072\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$")


# --- users -------------------------------------------------------------------------------------


def test_a_taken_username_is_refused_and_nothing_is_added(session: Session) -> None:
    first = _add_user(session, "alice")
    with pytest.raises(DuplicateUsername, match="^user alice already exists$"):
        _add_user(session, "alice", role="admin")
    assert [(u.id, u.username, u.role) for u in list_users(session)] == [
        (first.id, "alice", Role.ANALYST)
    ]


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("alice", PASSWORD, "alice"),
        ("alice", "correct horse batterY", None),
        ("alice", "", None),
        ("nobody", PASSWORD, None),
    ],
    ids=["right", "wrong", "empty", "unknown-user"],
)
def test_verify_password_answers_only_for_the_right_password(
    session: Session, username: str, password: str, expected: str | None
) -> None:
    _add_user(session, "alice")
    found = verify_password(session, username, password)
    assert (found.username if found else None) == expected


def test_verify_password_of_a_disabled_user_says_so_and_sign_in_refuses_them(
    session: Session, tmp_path: Path
) -> None:
    # verify_password checks the password only; the disabled flag comes back with the user,
    # and sign_in is what keeps a disabled account out.
    _add_user(session, "alice")
    set_disabled(session, "alice")
    found = verify_password(session, "alice", PASSWORD)
    assert found is not None and (found.username, found.disabled) == ("alice", True)
    with pytest.raises(SignInRefused, match="^wrong username or password$"):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))


def test_a_disabled_account_signs_in_again_once_enabled(session: Session, tmp_path: Path) -> None:
    _add_user(session, "alice")
    assert set_disabled(session, "alice").disabled is True
    assert _stored(session, "alice").disabled is True
    with pytest.raises(SignInRefused):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    assert set_disabled(session, "alice", disabled=False).disabled is False
    viewer = sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    assert viewer == Viewer("alice", Role.ANALYST, None, "Alice")
    with pytest.raises(UserNotFound, match="no user bob"):
        set_disabled(session, "bob")


def test_a_new_password_replaces_the_old_one(session: Session, tmp_path: Path) -> None:
    _add_user(session, "alice")
    before = _stored(session, "alice").password_hash
    set_password(session, "alice", "a brand new passphrase")
    after = _stored(session, "alice").password_hash
    assert after != before and SCRYPT_HASH.match(after)
    assert verify_password(session, "alice", PASSWORD) is None
    assert verify_password(session, "alice", "a brand new passphrase") is not None
    with pytest.raises(SignInRefused):
        sign_in(session, "alice", PASSWORD, now=NOW, settings=_settings(tmp_path))
    with pytest.raises(CaseDataInvalid, match="at least 12 characters"):
        set_password(session, "alice", "short")
    with pytest.raises(UserNotFound, match="no user bob"):
        set_password(session, "bob", "a brand new passphrase")
    assert _stored(session, "alice").password_hash == after


def test_users_are_listed_by_username_with_role_and_partnership(session: Session) -> None:
    _add_user(session, "carol", role="admin")
    _add_user(session, "alice", role="panel_member", partnership="Northshire")
    _add_user(session, "bob", role="reviewer")
    listed = [(u.username, u.role, u.partnership, u.disabled) for u in list_users(session)]
    assert listed == [
        ("alice", Role.PANEL_MEMBER, "Northshire", False),
        ("bob", Role.REVIEWER, None, False),
        ("carol", Role.ADMIN, None, False),
    ]


def test_the_stored_hash_is_salted_scrypt_never_the_password(session: Session) -> None:
    _add_user(session, "alice")
    _add_user(session, "bob")
    hashes = [row.password_hash for row in session.exec(select(User).order_by(User.username))]
    assert all(SCRYPT_HASH.match(stored) for stored in hashes), hashes
    assert not [stored for stored in hashes if PASSWORD in stored]
    assert hashes[0] != hashes[1]  # the same password, two salts
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]


def test_users_store_only_a_salted_hash(session: Session) -> None:
    data = UserCreate(
        username="alice", display_name="Alice A", role="analyst", password="correct horse"
    )
    created = users.create_user(session, data)
    stored = session.exec(select(User)).one()
    assert stored.password_hash.startswith("scrypt$")
    assert "correct horse" not in stored.password_hash
    assert users.verify_password(session, "alice", "correct horse") == created
    assert users.verify_password(session, "alice", "wrong horse!") is None
    assert users.verify_password(session, "nobody", "correct horse") is None
    assert users.get_user(session, "alice") == created
    with pytest.raises(UserNotFound):
        users.get_user(session, "nobody")
    with pytest.raises(DuplicateUsername, match="user alice already exists"):
        users.create_user(session, data)
    member = UserCreate(username="bob", display_name="Bob", role="panel_member", password="x" * 12)
    with pytest.raises(CaseDataInvalid, match="needs a partnership"):
        users.create_user(session, member)
    second = users.create_user(session, data.model_copy(update={"username": "carol"}))
    assert stored.password_hash != session.get(User, second.id).password_hash  # type: ignore[union-attr]
