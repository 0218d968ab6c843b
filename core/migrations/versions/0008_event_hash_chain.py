"""The tamper-evident event log: each event carries the hash of the one before it in its case
(``chain_prev``) and its own (``chain_hash``); see :mod:`core.audit_chain`.

Notices gain ``attempted_at``: when their last delivery attempt began, so that two sweeps never
both retry one, and a claim left by a sweep that died is retried after a timeout.

Existing events are chained here in id order, so an upgraded store verifies from the start. The
append-only triggers are lifted for that one update and set again in the same transaction.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.migrations.guards import create_append_only_guard, drop_append_only_guard

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("events", sa.Column("chain_prev", sa.String(length=64), nullable=True))
    op.add_column("events", sa.Column("chain_hash", sa.String(length=64), nullable=True))
    op.add_column("notices", sa.Column("attempted_at", STAMP, nullable=True))
    drop_append_only_guard(op)
    _chain_existing_events()
    create_append_only_guard(op)


def _chain_existing_events() -> None:
    # scheme 1, as this revision wrote it (0011 re-seals every chain under scheme 2)
    from core.audit_chain import GENESIS, ChainedEvent
    from core.audit_chain import legacy_event_hash as event_hash
    from core.columns import UTCDateTime

    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("on", sa.Date),
        sa.column("note", sa.String),
        sa.column("corrects", sa.Integer),
        sa.column("recorded_at", UTCDateTime),
        sa.column("recorded_by", sa.String),
        sa.column("amends", sa.String),
        sa.column("amended_to", sa.String),
        sa.column("chain_prev", sa.String),
        sa.column("chain_hash", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(events).order_by(events.c.case_id, events.c.id)).mappings()
    heads: dict[int, str] = {}
    sealed = []
    for row in rows:
        content = ChainedEvent.of(row)
        previous = heads.get(row["case_id"], GENESIS)
        digest = event_hash(previous, content)
        heads[row["case_id"]] = digest
        sealed.append({"row_id": row["id"], "prev": previous, "digest": digest})
    if sealed:
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(chain_prev=sa.bindparam("prev"), chain_hash=sa.bindparam("digest")),
            sealed,
        )


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("attempted_at")
    # SQLite drops columns by copying the table, which loses its triggers: set them again.
    drop_append_only_guard(op)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("chain_prev")
    create_append_only_guard(op)
