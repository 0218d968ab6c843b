"""Staging of a collection ingest on many workers: each document (keyed by content hash, so
it is stored once however often it is done) with its units and vectors, written in one
transaction. Tables of ``learning.collection.models``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_documents",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("review_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("model_name", sa.String(length=200), nullable=True),
        sa.Column("dimension", sa.Integer(), nullable=True),
        sa.Column("unit_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("staged_by", sa.String(length=120), nullable=False),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    op.create_index("ix_collection_documents_review_id", "collection_documents", ["review_id"])
    op.create_table(
        "collection_units",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["content_hash"], ["collection_documents.content_hash"]),
        sa.PrimaryKeyConstraint("content_hash"),
    )


def downgrade() -> None:
    op.drop_table("collection_units")
    op.drop_index("ix_collection_documents_review_id", table_name="collection_documents")
    op.drop_table("collection_documents")
