"""The secret addresses of personal feeds, whatever the feed: a calendar (``feed_links``) or
the monthly digests (``digest_feeds``). Each user has at most one live token per feed; making
a new one revokes the old, and a token that is unknown, revoked or whose owner is disabled or
gone finds nobody, so the server answers it exactly as an address that never existed.

A feed's table has ``username``, ``token`` and ``revoked_at`` columns.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from core.access import Viewer
from core.roles import Role
from review_flows.partnership_models import User

FeedRow = TypeVar("FeedRow", bound=SQLModel)

# tokens are token_urlsafe(32): 43 characters; anything far from that is not ours
_TOKEN_LENGTHS = range(20, 65)


def new_token() -> str:
    """A random token of 256 bits, for a new address."""
    return secrets.token_urlsafe(32)


def live_row(session: Session, table: type[FeedRow], username: str) -> FeedRow | None:
    """The user's current address in ``table``, if they have one."""
    columns: Any = table  # the feed tables' columns, as SQLModel declares them
    return session.exec(
        select(table).where(columns.username == username, col(columns.revoked_at).is_(None))
    ).first()


def revoke_live(
    session: Session, table: type[SQLModel], username: str, *, now: dt.datetime
) -> bool:
    """Stop the user's address in ``table`` answering; False when they had none."""
    row = live_row(session, table, username)
    if row is None:
        return False
    row.revoked_at = now
    session.add(row)
    session.commit()
    return True


def token_owner(
    session: Session, table: type[FeedRow], token: str
) -> tuple[FeedRow, Viewer] | None:
    """The live row of ``token`` and its owner as a viewer; None for a token that is unknown
    or revoked, or whose owner is disabled or gone."""
    if len(token) not in _TOKEN_LENGTHS:
        return None
    columns: Any = table
    row = session.exec(
        select(table).where(columns.token == token, col(columns.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    username = getattr(row, "username")  # noqa: B009
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.disabled:
        return None
    return row, Viewer(user.username, Role(user.role), user.partnership, user.display_name)
