"""Signing in: local accounts with scrypt hashes, a growing wait after repeated failures,
sessions that expire when idle. "Now" is always an argument. OIDC (``st.login``) is the option
for an identity provider; see README.

Nothing a sign-in answers tells whether a username exists: an unknown name gets the same
refusal after the same work (one scrypt hash, of a decoy) and, after the same failures, the same
wait, its failures counted in memory (per database) where a real account's are kept on its row.
The wait ends on its own: nobody can lock an account for good.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlmodel import Session, select

from core.access import Viewer
from core.roles import Role
from core.settings import Settings, get_settings
from review_flows.errors import ReviewFlowsError
from review_flows.partnership_models import User
from review_flows.users import check_password, decoy_hash, hash_password, needs_rehash

logger = logging.getLogger(__name__)


class SignInRefused(ReviewFlowsError):
    """Wrong username or password (never which of the two), or a disabled account."""


class AccountLocked(SignInRefused):
    """Too many failed sign-ins in a row: wait until a time."""


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins in a row under one username, and the wait they have set."""

    count: int = 0
    wait_until: dt.datetime | None = None


def wait_after(failures: int, settings: Settings) -> dt.timedelta | None:
    """The wait after the ``failures``-th failure in a row: none before
    ``settings.sign_in_attempts``, then one minute, doubling with each further failure, up to
    ``settings.lockout_minutes``."""
    over = failures - settings.sign_in_attempts
    if over < 0:
        return None
    return dt.timedelta(minutes=min(2 ** min(over, 30), settings.lockout_minutes))


class UnknownNames:
    """Failures under usernames that have no account, in memory: at most ``limit`` names,
    the oldest forgotten first. Shared by the app's sessions (threads), hence the lock."""

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._failures: OrderedDict[str, Failures] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> Failures:
        with self._lock:
            return self._failures.get(name, Failures())

    def fail(self, name: str, now: dt.datetime, settings: Settings) -> None:
        with self._lock:
            count = self._failures.pop(name, Failures()).count + 1
            wait = wait_after(count, settings)
            self._failures[name] = Failures(count, now + wait if wait else None)
            while len(self._failures) > self._limit:
                self._failures.popitem(last=False)


_UNKNOWN: dict[str, UnknownNames] = {}  # database URL -> its unknown names
_UNKNOWN_LOCK = threading.Lock()


def unknown_names(session: Session) -> UnknownNames:
    """The unknown names of the session's database (each database counts its own, as it keeps
    its own accounts)."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _UNKNOWN_LOCK:
        return _UNKNOWN.setdefault(key, UnknownNames())


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: dt.datetime,
    settings: Settings | None = None,
) -> Viewer:
    """The viewer for a right password; :class:`SignInRefused` or :class:`AccountLocked`,
    the same for a username with no account as for one with an account."""
    settings = settings or get_settings()
    name = username.strip().lower()
    user = session.exec(select(User).where(User.username == name)).first()
    unknown = unknown_names(session)
    failures = Failures(user.failed_sign_ins, user.locked_until) if user else unknown.get(name)
    if failures.wait_until is not None and failures.wait_until > now:
        raise AccountLocked(
            f"too many failed sign-ins: try again after {failures.wait_until:%H:%M} UTC "
            "or ask an admin to reset your password"
        )
    if user is None:
        check_password(password, decoy_hash())  # the same work as for a real account
        unknown.fail(name, now, settings)
        raise SignInRefused("wrong username or password")
    if not check_password(password, user.password_hash) or user.disabled:
        _count_failure(session, user, now, settings)
        raise SignInRefused("wrong username or password")
    if needs_rehash(user.password_hash):  # made at an older, cheaper cost
        user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    session.add(user)
    session.commit()
    logger.info("user %s signed in", user.username)
    return Viewer(user.username, Role(user.role), user.partnership, user.display_name)


def _count_failure(session: Session, user: User, now: dt.datetime, settings: Settings) -> None:
    user.failed_sign_ins += 1
    wait = wait_after(user.failed_sign_ins, settings)
    user.locked_until = now + wait if wait else None
    if wait:
        logger.warning(
            "user %s waits %d min after %d failed sign-ins",
            user.username, wait.total_seconds() // 60, user.failed_sign_ins,
        )  # fmt: skip
    session.add(user)
    session.commit()


def session_expired(last_seen: dt.datetime, now: dt.datetime, idle_minutes: int) -> bool:
    """True when a signed-in session has been idle longer than ``idle_minutes``."""
    return now - last_seen > dt.timedelta(minutes=idle_minutes)
