"""Users and their passwords: salted scrypt hashes from the standard library, never plain text,
and the rule a new password must pass.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>``: it is checked with the cost it
was made with, and :func:`needs_rehash` says when it is below today's (sign-in then stores a new
hash). Today's cost is OWASP's for scrypt: N=2^17, r=8, p=1 (128 MiB and about 0.4 s a hash).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from zxcvbn import zxcvbn

from core.columns import read_as
from core.roles import Role
from review_flows.errors import CaseDataInvalid, DuplicateUsername, UserNotFound
from review_flows.partnership_models import User, UserCreate, UserPublic
from review_flows.web_sessions import end_all

_N, _R, _P = 2**17, 8, 1  # 128 * r * N = 128 MiB and about 0.4 s per hash
_KEY_BYTES = 32
_SALT_BYTES = 16
#: scrypt's memory limit: today's cost fits; a stored hash asking for more (a tampered row) is
#: refused rather than allowed to take the server's memory.
_MAX_MEM = 2 * 128 * _R * _N
PASSWORD_MIN = 12
#: zxcvbn's score (0-4): 3 means about 10^8 guesses or more, "safely unguessable" online.
PASSWORD_SCORE = 3


def create_user(session: Session, data: UserCreate) -> UserPublic:
    """Add a user; the password is stored only as a salted scrypt hash."""
    if data.role is Role.PANEL_MEMBER and not data.partnership:
        raise CaseDataInvalid("a panel member needs a partnership (their cases are scoped to it)")
    check_password_rule(data.password, data.username, data.display_name)
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
        check_password(password, decoy_hash())  # same work either way: no hint who exists
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


def check_password_rule(password: str, *known: str) -> None:
    """:class:`CaseDataInvalid` unless ``password`` has :data:`PASSWORD_MIN` characters and is
    hard to guess (zxcvbn: not a common password, a repeat, a sequence, a keyboard pattern or
    one of ``known``, such as the username). The message never repeats the password."""
    if len(password) < PASSWORD_MIN:
        raise CaseDataInvalid(f"password: a password needs at least {PASSWORD_MIN} characters")
    verdict = zxcvbn(password[:100], user_inputs=[word for word in known if word])
    if verdict["score"] < PASSWORD_SCORE:
        why = verdict["feedback"]["warning"] or "it is easy to guess"
        raise CaseDataInvalid(
            f"password: too easy to guess ({why.rstrip('.')}); use three or four unrelated "
            "words, or a password manager's"
        )


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with another cost than today's (sign-in re-hashes it)."""
    return not stored.startswith(f"scrypt${_N}${_R}${_P}$")


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


#: The hash of a random password nobody knows, at today's cost: checked against for a username
#: with no account, so that refusal costs one hash as a real one does (none made on the spot).
DECOY_HASH = (
    "scrypt$131072$8$1$caad0c743fe548b7f03e965be23562e6$"
    "37946800c5dec01d28b8ebce127c101c3e0532dc27099479c16e0babcc067cb0"
)


def decoy_hash() -> str:
    return DECOY_HASH


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=_MAX_MEM
    )


def list_users(session: Session) -> list[UserPublic]:
    """Every user, by username."""
    return [read_as(UserPublic, u) for u in session.exec(select(User).order_by(User.username))]


def set_disabled(session: Session, username: str, disabled: bool = True) -> UserPublic:
    """Disable (or enable) an account; a disabled user cannot sign in, and their browsers'
    sessions end."""
    user = _user_row(session, username)
    user.disabled = disabled
    session.add(user)
    session.commit()
    if disabled:
        end_all(session, user.username)
    return read_as(UserPublic, user)


def set_password(session: Session, username: str, password: str) -> UserPublic:
    """Replace a user's password (and lift a lock-out); every browser signed in with the old
    one is signed out."""
    user = _user_row(session, username)
    check_password_rule(password, user.username, user.display_name)
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    session.add(user)
    session.commit()
    end_all(session, user.username)
    return read_as(UserPublic, user)


def _user_row(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise UserNotFound(f"no user {username}; `cspr user list` shows them")
    return user
