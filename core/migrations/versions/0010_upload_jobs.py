"""Library uploads the app could not hand to a Prefect server wait as jobs (kind
``ingest_upload``) for the sweep: such a job has no event or case, so both columns may be null.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM jobs WHERE event_id IS NULL OR case_id IS NULL")
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
