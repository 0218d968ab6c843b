"""A worker's part of a collection ingest: read, split and embed each document of a batch and
stage it (:mod:`learning.collection.staging`). Documents already accounted for are skipped, so
a batch sent again after a lost worker does only what is missing."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from learning.collection.plan import ManifestEntry
from learning.collection.staging import FileFacts, accounted_hashes, record_failure, stage_document
from learning.encoder import Encoder
from learning.errors import LearningError, UnreadableDocument
from learning.extract import content_hash
from learning.reader import DocumentReader

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class BatchReport:
    """What one worker did with one batch."""

    staged: int = 0
    already: int = 0  # accounted for before this worker came to it
    failed: int = 0
    units: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stage_batch(
    entries: Sequence[ManifestEntry],
    engine: Engine,
    encoder: Encoder,
    reader: DocumentReader,
    *,
    staged_by: str,
    clock: Clock,
    max_bytes: int | None = None,
) -> BatchReport:
    """Stage every document of the batch not yet accounted for, one transaction each."""
    started = time.perf_counter()
    counts = dict.fromkeys(("staged", "already", "failed", "units"), 0)
    known = accounted_hashes(engine, [entry.content_hash for entry in entries])
    for entry in entries:
        if entry.content_hash in known:
            counts["already"] += 1
            continue
        outcome, units = _stage_one(entry, engine, encoder, reader, staged_by, clock, max_bytes)
        counts[outcome] += 1
        counts["units"] += units
    return BatchReport(**counts, seconds=time.perf_counter() - started)


def _stage_one(
    entry: ManifestEntry,
    engine: Engine,
    encoder: Encoder,
    reader: DocumentReader,
    staged_by: str,
    clock: Clock,
    max_bytes: int | None,
) -> tuple[str, int]:
    """("staged" | "already" | "failed", units staged) for one document."""
    path = Path(entry.path)
    facts = FileFacts(entry.path, entry.content_hash, 0, 0)
    try:
        stat = path.stat()
        facts = FileFacts(entry.path, entry.content_hash, stat.st_size, stat.st_mtime_ns)
        if content_hash(path) != entry.content_hash:
            raise UnreadableDocument(path, "changed since the collection was listed; run again")
        document, units = reader.read(path, max_bytes)
    except UnreadableDocument as problem:
        return _failed(engine, facts, problem.reason, staged_by, clock)
    except (LearningError, OSError) as problem:
        return _failed(engine, facts, str(problem), staged_by, clock)
    vectors = encoder.encode([unit.text for unit in units])
    stored = stage_document(
        engine, facts, document, units, vectors,
        model_name=encoder.name, staged_by=staged_by, now=clock(),
    )  # fmt: skip
    return ("staged", len(units)) if stored else ("already", 0)


def _failed(
    engine: Engine, facts: FileFacts, reason: str, staged_by: str, clock: Clock
) -> tuple[str, int]:
    logger.info("not staged: %s: %s", facts.source, reason)
    record_failure(engine, facts, reason, staged_by=staged_by, now=clock())
    return "failed", 0
