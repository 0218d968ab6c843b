"""Orchestration: partnership contacts, every notice sent (and the in-app inbox), and the jobs
an event sets going (follow-ups, publication into the learning index). ``reminders_sent`` (never
written by any release) gives way to ``notices``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM = sa.String(length=40)
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_index("ix_reminders_sent_case_id", table_name="reminders_sent")
    op.drop_table("reminders_sent")
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership", sa.String(length=80), nullable=False),
        sa.Column("role", ENUM, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("channels", sa.String(length=80), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership", "role", "email", name="uq_contacts_role_email"),
    )
    op.create_index("ix_contacts_partnership", "contacts", ["partnership"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("partnership", sa.String(length=80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_reference", sa.String(length=40), nullable=True),
        sa.Column("milestone", sa.String(length=64), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("channel", ENUM, nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("read_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_notices_partnership", "notices", ["partnership"])
    op.create_index("ix_notices_case_id", "notices", ["case_id"])
    op.create_index("ix_notices_recipient", "notices", ["recipient"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("report_path", sa.String(length=1000), nullable=True),
        sa.Column("review_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("done_at", STAMP, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "kind", name="uq_jobs_event_kind"),
    )
    op.create_index("ix_jobs_event_id", "jobs", ["event_id"])
    op.create_index("ix_jobs_case_id", "jobs", ["case_id"])


def downgrade() -> None:
    for table in ("jobs", "notices", "contacts"):
        op.drop_table(table)
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=64), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("sent_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "case_id", "milestone", "kind", "for_date", name="uq_reminders_sent_once"
        ),
    )
    op.create_index("ix_reminders_sent_case_id", "reminders_sent", ["case_id"])
