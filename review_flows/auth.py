"""Signing in: local accounts with scrypt hashes, a lock-out after repeated failures, sessions
that expire when idle. "Now" is always an argument. OIDC (``st.login``) is the option for an
identity provider; see README."""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session, select

from review_flows.access import Viewer
from review_flows.errors import ReviewFlowsError
from review_flows.models import Role, User
from review_flows.settings import Settings, get_settings
from review_flows.users import check_password, hash_password

logger = logging.getLogger(__name__)


class SignInRefused(ReviewFlowsError):
    """Wrong username or password (never which of the two), or a disabled account."""


class AccountLocked(SignInRefused):
    """Too many failed sign-ins: locked until a time."""


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: dt.datetime,
    settings: Settings | None = None,
) -> Viewer:
    """The viewer for a right password; :class:`SignInRefused` or :class:`AccountLocked`."""
    settings = settings or get_settings()
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        check_password(password, hash_password("decoy-password"))  # same work either way
        raise SignInRefused("wrong username or password")
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(
            f"too many failed sign-ins: try again after {user.locked_until:%H:%M} UTC "
            "or ask an admin to reset your password"
        )
    if not check_password(password, user.password_hash) or user.disabled:
        _count_failure(session, user, now, settings)
        raise SignInRefused("wrong username or password")
    user.failed_sign_ins, user.locked_until = 0, None
    session.add(user)
    session.commit()
    logger.info("user %s signed in", user.username)
    return Viewer(user.username, Role(user.role), user.partnership, user.display_name)


def _count_failure(session: Session, user: User, now: dt.datetime, settings: Settings) -> None:
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= settings.sign_in_attempts:
        user.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
        user.failed_sign_ins = 0
        logger.warning("user %s locked after repeated failed sign-ins", user.username)
    session.add(user)
    session.commit()


def session_expired(last_seen: dt.datetime, now: dt.datetime, idle_minutes: int) -> bool:
    """True when a signed-in session has been idle longer than ``idle_minutes``."""
    return now - last_seen > dt.timedelta(minutes=idle_minutes)
