"""The staging tables of a collection ingest, in the case database.

``collection_documents``: one row per document, keyed by its content hash, so a document
staged twice (a batch sent again after a lost worker) is stored once. ``status`` is ``staged``
(its units are in ``collection_units``) or ``failed`` (unreadable, with the reason): either way
the document is accounted for. ``collection_units``: the document's units (JSON) and their
vectors (float32 rows, ``unit_count`` x ``dimension``), written in the same transaction as the
document row, so a killed worker leaves a document fully staged or absent. Migration
``0009_collection_staging`` creates both.

No ``from __future__ import annotations`` here: SQLModel resolves the column types at runtime.
"""

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.columns import UTCDateTime


class StagingStatus(StrEnum):
    STAGED = "staged"
    FAILED = "failed"


class CollectionDocument(SQLModel, table=True):
    """A document of a collection, staged or refused, with the metadata the index needs."""

    __tablename__ = "collection_documents"

    content_hash: str = Field(primary_key=True, max_length=64)
    source: str = Field(max_length=1024)
    review_id: str | None = Field(default=None, max_length=200, index=True)
    status: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=1000)
    # the extracted document without its page texts (format, metadata, page count), as JSON
    document: str | None = Field(default=None, sa_type=sa.Text)
    model_name: str | None = Field(default=None, max_length=200)
    dimension: int | None = None
    unit_count: int = 0
    size_bytes: int = Field(default=0, sa_type=sa.BigInteger)
    mtime_ns: int = Field(default=0, sa_type=sa.BigInteger)
    staged_by: str = Field(max_length=120)
    staged_at: dt.datetime = Field(sa_type=UTCDateTime)


class CollectionUnits(SQLModel, table=True):
    """The units of one staged document and their vectors."""

    __tablename__ = "collection_units"

    content_hash: str = Field(
        primary_key=True, max_length=64, foreign_key="collection_documents.content_hash"
    )
    units: str = Field(sa_type=sa.Text)
    vectors: bytes = Field(sa_type=sa.LargeBinary)
