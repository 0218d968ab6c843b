"""Sessions a browser keeps across reloads and links: a random token in an HttpOnly cookie, only
its SHA-256 in the database, ended by sign-out (the row is deleted, so a copied cookie is
worthless), by ``session_idle_minutes`` without use, or ``session_max_hours`` after sign-in.

The sign-in form runs inside Streamlit's websocket, which cannot set a cookie; so signing in
issues the token, the page posts it once to the server's ``/session/start`` within a minute, and
that request sets the cookie (``ui/server.py``): a token is never in a URL, and one that was not
handed over in time is void. Everything here takes "now" as an argument.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlmodel import Session, col, delete, select

from core.access import Viewer
from core.roles import Role
from core.settings import Settings
from review_flows.partnership_models import User
from review_flows.token_models import WebSession

COOKIE = "cspr_session"
TICKET_LIFETIME = dt.timedelta(seconds=60)
#: A session's last use is written at most this often (not on every click).
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(session: Session, username: str, *, now: dt.datetime, settings: Settings) -> str:
    """After a right password: a new session's token. Its cookie is not set yet: within
    :data:`TICKET_LIFETIME` the browser must hand the token to :func:`hand_over` once."""
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.session_max_hours)
    row = WebSession(token_hash=digest(token), ticket_hash=digest(token), username=username,
                     created_at=now, last_seen_at=now, expires_at=expires)  # fmt: skip
    session.add(row)
    session.commit()
    return token


def hand_over(session: Session, token: str, *, now: dt.datetime) -> bool:
    """True once for a token issued in the last minute, when the server may set it as the
    browser's cookie; False for a late, replayed or unknown one (a late one's session ends)."""
    row = session.exec(select(WebSession).where(WebSession.ticket_hash == digest(token))).first()
    if row is None:
        return False
    if now - row.created_at > TICKET_LIFETIME:
        session.delete(row)
        session.commit()
        return False
    row.ticket_hash = None
    session.add(row)
    session.commit()
    return True


def resume(session: Session, token: str, *, now: dt.datetime, settings: Settings) -> Viewer | None:
    """The viewer whose cookie holds ``token``, if the session is live and the account enabled;
    None otherwise (and an expired session's row is deleted)."""
    row = session.exec(select(WebSession).where(WebSession.token_hash == digest(token))).first()
    if row is None:
        return None
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    user = session.exec(select(User).where(User.username == row.username)).first()
    if now >= row.expires_at or now - row.last_seen_at > idle or user is None or user.disabled:
        session.delete(row)
        session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return Viewer(user.username, Role(user.role), user.partnership, user.display_name)


def end(session: Session, token: str) -> None:
    """Sign-out: the session's row goes, so its cookie opens nothing any more."""
    session.exec(delete(WebSession).where(col(WebSession.token_hash) == digest(token)))
    session.commit()


def end_all(session: Session, username: str) -> int:
    """Every session of ``username`` (a disabled account, a reset password); how many ended."""
    rows = session.exec(select(WebSession).where(WebSession.username == username)).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)


def purge_expired(session: Session, *, now: dt.datetime) -> int:
    """Delete sessions past their absolute expiry or never handed over (the sweep calls this)."""
    stale = session.exec(
        select(WebSession).where(
            (col(WebSession.expires_at) <= now)
            | (
                col(WebSession.ticket_hash).is_not(None)
                & (col(WebSession.created_at) < now - TICKET_LIFETIME)
            )
        )
    ).all()
    for row in stale:
        session.delete(row)
    session.commit()
    return len(stale)
