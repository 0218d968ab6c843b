"""Personal calendar feed addresses: a secret address per user that Outlook or Google Calendar
subscribe to and fetch again every hour, so due dates follow every recorded event without anyone
downloading a file again. The address holds a random token (256 bits); making a new address
revokes the old one, and revoking leaves nothing that answers. The server (``ui/server.py``)
answers an unknown, revoked or disabled user's token exactly as an address that never existed.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from core.access import Viewer
from core.settings import Settings
from review_flows.deadlines import CalendarFeed as FeedFile
from review_flows.deadlines import calendar_feed
from review_flows.feed_tokens import live_row, new_token, revoke_live, token_owner
from review_flows.token_models import CalendarFeed

FEED_PATH = "/feeds/{token}.ics"


def feed_url(settings: Settings, token: str) -> str:
    """The address a calendar subscribes to, under the app's own address."""
    return settings.app_url.rstrip("/") + FEED_PATH.format(token=token)


def live_feed(session: Session, username: str) -> CalendarFeed | None:
    """The user's current feed address, if they have one."""
    return live_row(session, CalendarFeed, username)


def new_feed(session: Session, viewer: Viewer, *, own_only: bool, now: dt.datetime) -> str:
    """A new secret address for ``viewer`` (the old one, if any, stops answering)."""
    revoke_feed(session, viewer.username, now=now)
    token = new_token()
    session.add(CalendarFeed(username=viewer.username, token=token, own_only=own_only,
                             created_at=now))  # fmt: skip
    session.commit()
    return token


def revoke_feed(session: Session, username: str, *, now: dt.datetime) -> bool:
    """Stop the user's feed address answering; False when they had none."""
    return revoke_live(session, CalendarFeed, username, now=now)


def feed_for_token(
    session: Session, token: str, *, today: dt.date, settings: Settings
) -> FeedFile | None:
    """The calendar behind a live address, built now from the cases its owner may see today;
    None for an address that is unknown, revoked or whose owner is disabled or gone."""
    found = token_owner(session, CalendarFeed, token)
    if found is None:
        return None
    row, viewer = found
    return calendar_feed(session, viewer, today=today, own_only=row.own_only, settings=settings)
