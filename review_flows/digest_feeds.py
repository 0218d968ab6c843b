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
import secrets

from sqlmodel import Field, Session, SQLModel, col, select

from core.access import Viewer
from core.columns import UTCDateTime, utc_now
from core.digest_model import same_partnership_key
from core.roles import Role
from core.settings import Settings
from review_flows.partnership_models import User

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
    return session.exec(
        select(DigestFeed).where(
            DigestFeed.username == username, col(DigestFeed.revoked_at).is_(None)
        )
    ).first()


def new_digest_feed(session: Session, viewer: Viewer, *, now: dt.datetime) -> str:
    """A new secret address for ``viewer`` (the old one, if any, stops answering)."""
    revoke_digest_feed(session, viewer.username, now=now)
    token = secrets.token_urlsafe(32)
    session.add(DigestFeed(username=viewer.username, token=token, created_at=now))
    session.commit()
    return token


def revoke_digest_feed(session: Session, username: str, *, now: dt.datetime) -> bool:
    """Stop the user's digest feed address answering; False when they had none."""
    row = live_digest_feed(session, username)
    if row is None:
        return False
    row.revoked_at = now
    session.add(row)
    session.commit()
    return True


def feed_editions(
    session: Session, token: str, asked: str | None
) -> tuple[Viewer, list[str | None]] | None:
    """The owner of a live address and the editions their feed holds (None: the national
    one); None for an unknown or revoked address, a disabled or removed owner, or a
    partnership ``asked`` that the owner may not read."""
    if not 20 <= len(token) <= 64:
        return None
    row = session.exec(
        select(DigestFeed).where(DigestFeed.token == token, col(DigestFeed.revoked_at).is_(None))
    ).first()
    user = row and session.exec(select(User).where(User.username == row.username)).first()
    if not user or user.disabled:
        return None
    viewer = Viewer(user.username, Role(user.role), user.partnership, user.display_name)
    own = viewer.partnership
    if asked is None or not asked.strip():
        return viewer, [own, None] if own else [None]
    if own is not None and same_partnership_key(asked) != same_partnership_key(own):
        return None
    return viewer, [asked.strip(), None]
