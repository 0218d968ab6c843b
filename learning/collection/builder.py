"""The one index builder of a collection ingest: staged documents into the learning index.

Runs under the index's writer lock (one writer per index folder), commits at least every
``checkpoint_seconds`` and at the end (the index switches to HNSW past its threshold at a
commit), and skips documents the index already holds with the same content, so a builder that
crashed is simply run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from learning.collection.staging import StagedDocument, staged_documents
from learning.errors import IndexMismatch
from learning.index import FileStamp, LearningIndex, create_index, index_exists, open_index
from learning.index.vectors import HNSW_THRESHOLD
from learning.index.writer_lock import WaitCallback, writer_lock

logger = logging.getLogger(__name__)

BUILD_CHECKPOINT_SECONDS = 300.0


@dataclass(frozen=True)
class BuildReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    conflicts: tuple[tuple[str, str], ...] = ()  # (source, reason)
    units_added: int = 0
    vectors: int = 0
    index_type: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_index(
    engine: Engine,
    index_dir: Path,
    *,
    hashes: Collection[str] | None = None,
    model_name: str,
    dimension: int,
    now: str | None = None,
    checkpoint_seconds: float = BUILD_CHECKPOINT_SECONDS,
    hnsw_threshold: int = HNSW_THRESHOLD,
    on_wait: WaitCallback | None = None,
) -> BuildReport:
    """Add the staged documents (those among ``hashes``, or all) to the index at
    ``index_dir`` (created if missing) for the encoder ``model_name`` of ``dimension``."""
    started = time.perf_counter()
    with writer_lock(index_dir, on_wait):
        if not index_exists(index_dir):
            create_index(index_dir, model_name, dimension, now=now)
        index = open_index(index_dir, model_name=model_name, dimension=dimension, write=True)
        try:
            counts, conflicts = _add_all(
                engine, index, hashes, now, checkpoint_seconds, hnsw_threshold
            )
            index.commit(now, hnsw_threshold)
            vectors, kind = index.vectors.count, index.vectors.index_type
        finally:
            index.close()
    return BuildReport(
        **counts, conflicts=tuple(conflicts), vectors=vectors, index_type=kind,
        seconds=time.perf_counter() - started,
    )  # fmt: skip


def _add_all(
    engine: Engine,
    index: LearningIndex,
    hashes: Collection[str] | None,
    now: str | None,
    checkpoint_seconds: float,
    hnsw_threshold: int,
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    counts = dict.fromkeys(("added", "replaced", "unchanged", "units_added"), 0)
    conflicts: list[tuple[str, str]] = []
    committed_at = time.monotonic()
    for staged in staged_documents(engine, hashes):
        if staged.model_name != index.model_name:
            raise IndexMismatch(
                f"{staged.facts.source} was staged with model {staged.model_name!r}, the index "
                f"holds {index.model_name!r}; stage it again with the index's model"
            )
        outcome = _add_one(index, staged, now)
        if outcome.startswith("conflict:"):
            conflicts.append((staged.facts.source, outcome.removeprefix("conflict: ")))
            continue
        counts[outcome] += 1
        if outcome != "unchanged":
            counts["units_added"] += len(staged.units)
        if time.monotonic() - committed_at >= checkpoint_seconds:
            index.commit(now, hnsw_threshold)
            index.begin()
            committed_at = time.monotonic()
    return counts, conflicts


def _add_one(index: LearningIndex, staged: StagedDocument, now: str | None) -> str:
    """ "added", "replaced", "unchanged" or "conflict: why" for one staged document."""
    store, facts = index.store, staged.facts
    review_id = staged.document.metadata.review_id
    by_review = store.document_by_review(review_id)
    if by_review is not None and by_review.content_hash == facts.content_hash:
        return "unchanged"
    by_source = store.document_by_source(facts.source)
    if (
        by_review is not None
        and by_review.source != facts.source
        and Path(by_review.source).exists()
    ):
        return f"conflict: review id {review_id!r} is already used by {by_review.source}"
    previous = {doc.review_id for doc in (by_review, by_source) if doc is not None}
    for old_id in previous:
        index.remove_review(old_id)
    stamp = FileStamp(facts.source, facts.content_hash, facts.size_bytes, facts.mtime_ns)
    index.add_document(staged.document, staged.units, staged.vectors, stamp, now)
    return "replaced" if previous else "added"
