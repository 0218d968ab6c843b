"""Users and their passwords: salted scrypt hashes from the standard library, never plain text.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>``, so the cost can be raised later
and old hashes still check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from review_flows.errors import CaseDataInvalid, DuplicateUsername, UserNotFound
from review_flows.models import Role, User, UserCreate, UserPublic, read_as

_N, _R, _P = 2**14, 8, 1  # about 16 MiB and a few tens of ms per hash
_KEY_BYTES = 32
_SALT_BYTES = 16


def create_user(session: Session, data: UserCreate) -> UserPublic:
    """Add a user; the password is stored only as a salted scrypt hash."""
    if data.role is Role.PANEL_MEMBER and not data.partnership:
        raise CaseDataInvalid("a panel member needs a partnership (their cases are scoped to it)")
    if session.exec(select(User.id).where(User.username == data.username)).first() is not None:
        raise DuplicateUsername(f"user {data.username} already exists")
    fields = data.model_dump(exclude={"password"})
    user = User.model_validate({**fields, "password_hash": hash_password(data.password)})
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateUsername(f"user {data.username} already exists") from None
    return read_as(UserPublic, user)


def verify_password(session: Session, username: str, password: str) -> UserPublic | None:
    """The user if ``password`` is theirs; None for a wrong password or an unknown user alike."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        check_password(password, _decoy_hash())  # same work either way: no hint who exists
        return None
    if not check_password(password, user.password_hash):
        return None
    return read_as(UserPublic, user)


def get_user(session: Session, username: str) -> UserPublic:
    """The user with ``username``; :class:`UserNotFound` otherwise."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserNotFound(f"no user {username}")
    return read_as(UserPublic, user)


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _derive(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for a wrong password or a bad hash."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        key = _derive(password, bytes.fromhex(salt_hex), int(n), int(r), int(p))
        expected = bytes.fromhex(key_hex)
    except ValueError:
        return False
    return hmac.compare_digest(key, expected)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=64 * 2**20
    )


def list_users(session: Session) -> list[UserPublic]:
    """Every user, by username."""
    return [read_as(UserPublic, u) for u in session.exec(select(User).order_by(User.username))]


def set_disabled(session: Session, username: str, disabled: bool = True) -> UserPublic:
    """Disable (or enable) an account; a disabled user cannot sign in."""
    user = _user_row(session, username)
    user.disabled = disabled
    session.add(user)
    session.commit()
    return read_as(UserPublic, user)


def set_password(session: Session, username: str, password: str) -> UserPublic:
    """Replace a user's password (and lift a lock-out)."""
    if len(password) < 10:
        raise CaseDataInvalid("a password needs at least 10 characters")
    user = _user_row(session, username)
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    session.add(user)
    session.commit()
    return read_as(UserPublic, user)


def _user_row(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserNotFound(f"no user {username}; `cspr user list` shows them")
    return user
