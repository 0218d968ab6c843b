"""A partnership's own edition of the rules (e.g. Working Together 2018 kept for incidents in
its first year under the 2023 edition), applied to its new cases where it can govern them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partnership_rulebooks",
        sa.Column("partnership", sa.String(length=80), nullable=False),
        sa.Column("ruleset_id", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partnership"),
    )


def downgrade() -> None:
    op.drop_table("partnership_rulebooks")
