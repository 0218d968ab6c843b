"""Sessions that survive a reload (a hash of each browser's token, with its idle and absolute
expiry) and personal calendar feed addresses (issue 23).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("last_seen_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False, unique=True),
        sa.Column("own_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP, nullable=True),
    )
    op.create_index("ix_calendar_feeds_username", "calendar_feeds", ["username"])


def downgrade() -> None:
    op.drop_index("ix_calendar_feeds_username", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    op.drop_index("ix_web_sessions_username", table_name="web_sessions")
    op.drop_table("web_sessions")
