"""The staging store of a collection ingest (tables of :mod:`learning.collection.models`).

A worker writes each document with its units and vectors in one transaction, inserting the
document row with "on conflict do nothing" on its content hash: a document done twice is
stored once, and a worker killed half-way leaves each document fully staged or absent. The
builder reads staged documents back as the values the index takes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, RowMapping

from core.db import table_of
from learning.collection.models import CollectionDocument, CollectionUnits, StagingStatus
from learning.models import ExtractedDocument, Page, ReviewMetadata, Unit, UnitKind

_DOCUMENTS = table_of(CollectionDocument)
_UNITS = table_of(CollectionUnits)
# IN lists of content hashes are sent this many at a time
_CHUNK = 1000


@dataclass(frozen=True)
class FileFacts:
    """The file a document was read from, as the index records it."""

    source: str
    content_hash: str
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class StagedDocument:
    """A staged document read back: what :meth:`LearningIndex.add_document` takes."""

    facts: FileFacts
    document: ExtractedDocument
    units: tuple[Unit, ...]
    vectors: np.ndarray
    model_name: str


@dataclass(frozen=True)
class StagingCounts:
    """How many documents and units staging holds, and how many documents failed."""

    staged: int
    failed: int
    units: int
    duplicate_review_ids: int


def _insert(engine: Engine, table: Table) -> postgresql.Insert | sqlite.Insert:
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def stage_document(
    engine: Engine,
    facts: FileFacts,
    document: ExtractedDocument,
    units: Sequence[Unit],
    vectors: np.ndarray,
    *,
    model_name: str,
    staged_by: str,
    now: dt.datetime,
) -> bool:
    """Stage one document, its units and vectors in one transaction; False if that content
    was staged (or refused) already, in which case nothing is written."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    with engine.begin() as connection:
        inserted = connection.execute(
            _insert(engine, _DOCUMENTS)
            .values(
                **_document_row(facts, StagingStatus.STAGED, staged_by, now),
                review_id=document.metadata.review_id,
                document=_document_json(document),
                model_name=model_name,
                dimension=int(matrix.shape[1]) if matrix.ndim == 2 else None,
                unit_count=len(units),
            )
            .on_conflict_do_nothing(index_elements=["content_hash"])
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT
            .returning(_DOCUMENTS.c.content_hash)
        ).first()
        if inserted is None:
            return False
        connection.execute(
            _UNITS.insert().values(
                content_hash=facts.content_hash,
                units=json.dumps([_unit_row(unit) for unit in units]),
                vectors=matrix.tobytes(),
            )
        )
    return True


def record_failure(
    engine: Engine, facts: FileFacts, reason: str, *, staged_by: str, now: dt.datetime
) -> bool:
    """Account for a document that cannot be staged (unreadable, changed), with the reason."""
    with engine.begin() as connection:
        inserted = connection.execute(
            _insert(engine, _DOCUMENTS)
            .values(
                **_document_row(facts, StagingStatus.FAILED, staged_by, now), reason=reason[:1000]
            )
            .on_conflict_do_nothing(index_elements=["content_hash"])
            .returning(_DOCUMENTS.c.content_hash)
        ).first()
    return inserted is not None


def _document_row(
    facts: FileFacts, status: StagingStatus, staged_by: str, now: dt.datetime
) -> dict[str, object]:
    return {
        "content_hash": facts.content_hash,
        "source": facts.source,
        "status": status.value,
        "size_bytes": facts.size_bytes,
        "mtime_ns": facts.mtime_ns,
        "staged_by": staged_by[:120],
        "staged_at": now,
    }


def accounted_hashes(engine: Engine, hashes: Collection[str]) -> set[str]:
    """Those of ``hashes`` that staging holds, staged or failed."""
    wanted = sorted(set(hashes))
    found: set[str] = set()
    with engine.connect() as connection:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            found.update(
                connection.execute(
                    select(_DOCUMENTS.c.content_hash).where(_DOCUMENTS.c.content_hash.in_(chunk))
                ).scalars()
            )
    return found


def failures(engine: Engine, hashes: Collection[str]) -> list[tuple[str, str]]:
    """(source, reason) of the failed documents among ``hashes``."""
    wanted = sorted(set(hashes))
    found: list[tuple[str, str]] = []
    with engine.connect() as connection:
        for start in range(0, len(wanted), _CHUNK):
            rows = connection.execute(
                select(_DOCUMENTS.c.source, _DOCUMENTS.c.reason).where(
                    _DOCUMENTS.c.content_hash.in_(wanted[start : start + _CHUNK]),
                    _DOCUMENTS.c.status == StagingStatus.FAILED.value,
                )
            )
            found.extend((str(source), str(reason)) for source, reason in rows)
    return sorted(found)


def staging_counts(engine: Engine) -> StagingCounts:
    """Documents staged and failed, units staged, and review ids staged more than once."""
    docs = _DOCUMENTS.c
    with engine.connect() as connection:
        by_status: dict[str, int] = dict(
            connection.execute(select(docs.status, func.count()).group_by(docs.status))
            .tuples()
            .all()
        )
        units = connection.execute(
            select(func.coalesce(func.sum(docs.unit_count), 0)).where(
                docs.status == StagingStatus.STAGED.value
            )
        ).scalar_one()
        reviews = select(docs.review_id).where(docs.review_id.is_not(None))
        twice = reviews.group_by(docs.review_id).having(func.count() > 1).subquery()
        duplicates = connection.execute(select(func.count()).select_from(twice)).scalar_one()
    return StagingCounts(
        staged=int(by_status.get(StagingStatus.STAGED.value, 0)),
        failed=int(by_status.get(StagingStatus.FAILED.value, 0)),
        units=int(units),
        duplicate_review_ids=int(duplicates),
    )


def staged_documents(
    engine: Engine, hashes: Collection[str] | None = None, page_size: int = 50
) -> Iterator[StagedDocument]:
    """Every staged document (or those among ``hashes``), in content-hash order, read
    ``page_size`` at a time so the whole collection is never in memory."""
    wanted = set(hashes) if hashes is not None else None
    after = ""
    docs, units = _DOCUMENTS.c, _UNITS.c
    while True:
        query = (
            select(_DOCUMENTS, units.units, units.vectors)
            .join(_UNITS, units.content_hash == docs.content_hash)
            .where(docs.status == StagingStatus.STAGED.value, docs.content_hash > after)
            .order_by(docs.content_hash)
            .limit(page_size)
        )
        with engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            if wanted is None or row["content_hash"] in wanted:
                yield _staged(row)
        after = rows[-1]["content_hash"]


def _staged(row: RowMapping) -> StagedDocument:
    facts = FileFacts(row["source"], row["content_hash"], row["size_bytes"], row["mtime_ns"])
    document = _document_from(row["document"], facts)
    review_id = document.metadata.review_id
    units = tuple(_unit_from(item, review_id) for item in json.loads(row["units"]))
    dimension = int(row["dimension"] or 0)
    vectors = np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(units), dimension)
    return StagedDocument(facts, document, units, vectors, str(row["model_name"]))


def _document_json(document: ExtractedDocument) -> str:
    return json.dumps(
        {
            "format": document.format,
            "n_pages": len(document.pages),
            "paging": document.paging,
            "metadata": asdict(document.metadata),
            "warnings": list(document.warnings),
        }
    )


def _document_from(text: str, facts: FileFacts) -> ExtractedDocument:
    data = json.loads(text)
    # The index keeps a document's page count, not its page texts (those are in its units).
    pages = tuple(Page(number, "") for number in range(1, int(data["n_pages"]) + 1))
    return ExtractedDocument(
        source=Path(facts.source),
        format=data["format"],
        content_hash=facts.content_hash,
        pages=pages,
        metadata=ReviewMetadata(**data["metadata"]),
        paging=data["paging"],
        warnings=tuple(data["warnings"]),
    )


def _unit_row(unit: Unit) -> list[object]:
    return [
        unit.ordinal, unit.kind.value, unit.text, unit.section, unit.page, unit.page_label,
        unit.number, list(unit.headings),
    ]  # fmt: skip


def _unit_from(item: Sequence[Any], review_id: str) -> Unit:
    """A unit from its JSON row (:func:`_unit_row`): JSON values, hence ``Any``."""
    ordinal, kind, text, section, page, label, number, headings = item
    return Unit(
        review_id=review_id,
        ordinal=int(ordinal),
        kind=UnitKind(kind),
        text=str(text),
        section=str(section),
        page=int(page),
        page_label=label,
        number=number,
        headings=tuple(headings),
    )
