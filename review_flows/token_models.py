"""Tables of the secrets a browser or a calendar holds: signed-in app sessions and personal
calendar feed addresses. Only a SHA-256 of a session's token is stored (the browser's cookie
holds the token); a feed's token is its address, served as a file named by it, so it is kept
to write that file, and revoking it deletes the file."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from review_flows.models import UTCDateTime, utc_now


class WebSession(SQLModel, table=True):
    """One signed-in browser: ended by sign-out (row deleted), idleness or its absolute age."""

    __tablename__ = "web_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=64, index=True)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A user's own calendar subscription: one live token per user; revoked rows are kept."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    token: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
