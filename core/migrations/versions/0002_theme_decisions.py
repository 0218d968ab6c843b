"""Analysts' theme decisions: confirm or reject a theme tag on a published review.

Keyed by review id and theme id (never unit ids), so decisions survive re-ingest. One row per
decision; the latest per (review_id, theme_id) is in force. Table of
``learning.themes.decisions.ThemeDecisionRecord``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "theme_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.String(length=200), nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_theme_decisions_review_id", "theme_decisions", ["review_id"])
    op.create_index("ix_theme_decisions_theme_id", "theme_decisions", ["theme_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_decisions_theme_id", table_name="theme_decisions")
    op.drop_index("ix_theme_decisions_review_id", table_name="theme_decisions")
    op.drop_table("theme_decisions")
