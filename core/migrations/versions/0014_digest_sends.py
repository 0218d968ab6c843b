"""The monthly digest of new learning (issue 27): a contact's opt-in to it, a record of each
month's digest sent to each address (so a retried or caught-up run sends nothing twice), and
the users' secret addresses of the digests' Atom feed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "digest_sends",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("partnership", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", "partnership", "email"),
    )
    op.create_table(
        "digest_feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_digest_feeds_username", "digest_feeds", ["username"])


def downgrade() -> None:
    op.drop_index("ix_digest_feeds_username", table_name="digest_feeds")
    op.drop_table("digest_feeds")
    op.drop_table("digest_sends")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("digest")
