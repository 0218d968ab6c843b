"""A partnership's own targets, in working days, for the steps its rulebook sets no statutory
time limit for (Wales, Scotland, Northern Ireland; issue 26): they drive the stalled-step
reminders like a due date.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partnership_targets",
        sa.Column("partnership", sa.String(length=80), nullable=False),
        sa.Column("ruleset_id", sa.String(length=64), nullable=False),
        sa.Column("milestone", sa.String(length=64), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partnership", "ruleset_id", "milestone"),
        sa.CheckConstraint(
            "working_days BETWEEN 1 AND 500", name="ck_partnership_targets_working_days"
        ),
    )


def downgrade() -> None:
    op.drop_table("partnership_targets")
