"""Personal calendar feed addresses: a secret address per user that Outlook or Google Calendar
subscribe to and fetch again every hour, so due dates follow every recorded event without anyone
downloading a file again. The address holds a random token (256 bits); making a new address
revokes the old one, and revoking leaves nothing that answers. The server (``ui/server.py``)
answers an unknown, revoked or disabled user's token exactly as an address that never existed.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlmodel import Session, col, select

from core.access import Viewer
from core.roles import Role
from core.settings import Settings
from review_flows.deadlines import CalendarFeed as FeedFile
from review_flows.deadlines import calendar_feed
from review_flows.partnership_models import User
from review_flows.token_models import CalendarFeed

FEED_PATH = "/feeds/{token}.ics"


def feed_url(settings: Settings, token: str) -> str:
    """The address a calendar subscribes to, under the app's own address."""
    return settings.app_url.rstrip("/") + FEED_PATH.format(token=token)


def live_feed(session: Session, username: str) -> CalendarFeed | None:
    """The user's current feed address, if they have one."""
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.username == username, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def new_feed(session: Session, viewer: Viewer, *, own_only: bool, now: dt.datetime) -> str:
    """A new secret address for ``viewer`` (the old one, if any, stops answering)."""
    revoke_feed(session, viewer.username, now=now)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(username=viewer.username, token=token, own_only=own_only,
                             created_at=now))  # fmt: skip
    session.commit()
    return token


def revoke_feed(session: Session, username: str, *, now: dt.datetime) -> bool:
    """Stop the user's feed address answering; False when they had none."""
    row = live_feed(session, username)
    if row is None:
        return False
    row.revoked_at = now
    session.add(row)
    session.commit()
    return True


def feed_for_token(
    session: Session, token: str, *, today: dt.date, settings: Settings
) -> FeedFile | None:
    """The calendar behind a live address, built now from the cases its owner may see today;
    None for an address that is unknown, revoked or whose owner is disabled or gone."""
    if not 20 <= len(token) <= 64:
        return None
    row = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token == token, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    if row is None:
        return None
    user = session.exec(select(User).where(User.username == row.username)).first()
    if user is None or user.disabled:
        return None
    viewer = Viewer(user.username, Role(user.role), user.partnership, user.display_name)
    return calendar_feed(session, viewer, today=today, own_only=row.own_only, settings=settings)
