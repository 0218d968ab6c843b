"""Personal addresses of the Atom feed of monthly digests: a secret address per user that a
feed reader fetches again, apart from the calendar's (``feed_links``) so that sharing one does
not share the other. Making a new address revokes the old one; the server (``ui/routes.py``)
answers an unknown, revoked or disabled user's token, and an edition the user may not read,
exactly as an address that never existed.

Which editions a feed holds: a user of a partnership reads their partnership's and the
national one; a user of no partnership (reviewer, analyst, admin) the national one, or any
partnership's they name in the address (``?partnership=``).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, Session, SQLModel

from core.access import Viewer
from core.columns import UTCDateTime, utc_now
from core.digest_model import same_partnership_key
from core.settings import Settings
from review_flows.feed_tokens import live_row, new_token, revoke_live, token_owner

DIGEST_FEED_PATH = "/feeds/digest/{token}.atom"


class DigestFeed(SQLModel, table=True):
    """A user's own digest feed address: one live token per user; revoked rows are kept."""

    __tablename__ = "digest_feeds"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    token: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


def digest_feed_url(settings: Settings, token: str) -> str:
    """The address a feed reader subscribes to, under the app's own address."""
    return settings.app_url.rstrip("/") + DIGEST_FEED_PATH.format(token=token)


def live_digest_feed(session: Session, username: str) -> DigestFeed | None:
    """The user's current digest feed address, if they have one."""
    return live_row(session, DigestFeed, username)


def new_digest_feed(session: Session, viewer: Viewer, *, now: dt.datetime) -> str:
    """A new secret address for ``viewer`` (the old one, if any, stops answering)."""
    revoke_digest_feed(session, viewer.username, now=now)
    token = new_token()
    session.add(DigestFeed(username=viewer.username, token=token, created_at=now))
    session.commit()
    return token


def revoke_digest_feed(session: Session, username: str, *, now: dt.datetime) -> bool:
    """Stop the user's digest feed address answering; False when they had none."""
    return revoke_live(session, DigestFeed, username, now=now)


def feed_editions(
    session: Session, token: str, asked: str | None
) -> tuple[Viewer, list[str | None]] | None:
    """The owner of a live address and the editions their feed holds (None: the national
    one); None for an unknown or revoked address, a disabled or removed owner, or a
    partnership ``asked`` that the owner may not read."""
    found = token_owner(session, DigestFeed, token)
    if found is None:
        return None
    _, viewer = found
    own = viewer.partnership
    if asked is None or not asked.strip():
        return viewer, [own, None] if own else [None]
    if own is not None and same_partnership_key(asked) != same_partnership_key(own):
        return None
    return viewer, [asked.strip(), None]
