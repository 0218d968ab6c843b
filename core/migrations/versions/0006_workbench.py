"""The workbench's sign-in and shortlists: users can be disabled and are locked for a while
after repeated failed sign-ins; a case keeps a shortlist of similar published reviews.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", STAMP, nullable=True))
    op.create_table(
        "shortlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "review_id", name="uq_shortlist_case_review"),
    )
    op.create_index("ix_shortlist_items_case_id", "shortlist_items", ["case_id"])


def downgrade() -> None:
    op.drop_table("shortlist_items")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
        batch.drop_column("disabled")
