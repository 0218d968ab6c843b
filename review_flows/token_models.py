"""Tables of the secrets a browser or a calendar holds: signed-in app sessions and personal
calendar feed addresses. Only a SHA-256 of a session's token (and of its one-use sign-in ticket)
is stored: the browser's cookie holds the token. A feed's token is its address, shown to its
owner again on the Deadlines page, so it is kept; revoking a feed keeps the row, marked."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from core.columns import UTCDateTime, utc_now


class WebSession(SQLModel, table=True):
    """One signed-in browser: ended by sign-out (row deleted), idleness or its absolute age."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    #: SHA-256 of the cookie's token
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    #: the same, until the browser has handed the token over once to get its cookie
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
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
    own_only: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
