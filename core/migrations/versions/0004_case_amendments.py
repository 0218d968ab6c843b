"""A case's incident date or nation is amended by an ``amended`` event naming the field and its
new value; the case row itself is never updated.

Plain ADD COLUMN (no batch copy): SQLite keeps the append-only triggers of ``events``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.migrations.guards import create_append_only_guard, drop_append_only_guard

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("amends", sa.String(length=40), nullable=True))
    op.add_column("events", sa.Column("amended_to", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # SQLite drops columns by copying the table, which loses its triggers: set them again.
    drop_append_only_guard(op)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("amended_to")
        batch.drop_column("amends")
    create_append_only_guard(op)
