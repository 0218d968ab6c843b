"""Incremental ingest of published reviews into the learning index.

Idempotent by content: a file whose size and mtime are unchanged is skipped without reading
it; otherwise its content hash decides. Only new and changed files are extracted, split and
embedded. Units are embedded in groups that span files (one encoder call per group), not file
by file, which keeps the pipeline at the model's raw encode rate. Work is committed every
minute (``Checkpoints``) and at the end, so a crash loses at most the last minute and the next
run resumes where the last commit left off.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from learning.encoder import Encoder
from learning.errors import LearningError, UnreadableDocument
from learning.extract import content_hash, declared_review_id
from learning.index import (
    FileStamp,
    LearningIndex,
    StoredDocument,
    create_index,
    index_exists,
    open_index,
)
from learning.index.vectors import HNSW_THRESHOLD
from learning.index.writer_lock import WaitCallback, writer_lock
from learning.ingest_report import IngestProgress, IngestReport, ProgressCallback
from learning.models import ExtractedDocument, Unit
from learning.reader import DocumentReader, shared_reader
from learning.sources import clashing_claims, find_documents

logger = logging.getLogger(__name__)

CHECKPOINT_UNITS = 20_000
#: Work older than this is committed: a crash costs at most about this much of a run.
CHECKPOINT_SECONDS = 60.0
# One encoder call over many texts lets it sort them by length across files, so its batches
# carry little padding; file by file (20-70 units each) the pipeline lost ~12% of the raw rate.
ENCODE_GROUP_UNITS = 512


@dataclass(frozen=True)
class Checkpoints:
    """When a run commits what it has done so far: after ``units`` embedded units or
    ``seconds`` of work, whichever comes first, and at the end. A crash loses only the work
    since the last commit; the next run skips what was committed."""

    units: int = CHECKPOINT_UNITS
    seconds: float = CHECKPOINT_SECONDS
    hnsw_threshold: int = HNSW_THRESHOLD


@dataclass(frozen=True)
class _Queued:
    """A file's extracted document and units, waiting for their vectors."""

    document: ExtractedDocument
    units: Sequence[Unit]
    stamp: FileStamp


def _reason(problem: Exception) -> str:
    if isinstance(problem, OSError) and problem.strerror:
        return problem.strerror
    return str(problem)


@dataclass
class _Run:
    """The mutable state of one ingest run (counters and which review ids are taken)."""

    index: LearningIndex
    encoder: Encoder
    reader: DocumentReader
    max_bytes: int | None
    now: str | None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("added", "updated", "unchanged", "removed", "units_added"), 0
        )
    )
    failed: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)
    claimed: dict[str, Path] = field(default_factory=dict)
    pending_units: int = 0
    encode_group: int = ENCODE_GROUP_UNITS
    queued: list[_Queued] = field(default_factory=list)
    committed_at: float = field(default_factory=time.monotonic)
    gone: tuple[Path, ...] = ()

    def fail(self, path: Path, reason: str) -> str:
        logger.info("not ingested: %s: %s", path, reason)
        self.failed.append((path, reason))
        return "failed"

    def ingest_file(self, path: Path) -> str:
        """Bring one file's entry up to date; returns its outcome."""
        try:
            stat = path.stat()
            unchanged = self._skip_unchanged(path, stat.st_size, stat.st_mtime_ns)
            if unchanged is not None:
                return unchanged
            digest = content_hash(path)
            unchanged = self._skip_same_content(path, digest, stat.st_size, stat.st_mtime_ns)
            if unchanged is not None:
                return unchanged
            document, units = self.reader.read(path, self.max_bytes)
        except UnreadableDocument as problem:
            return self.fail(path, problem.reason)
        except (LearningError, OSError) as problem:
            return self.fail(path, _reason(problem))
        conflict = self._conflict(document.metadata.review_id, path)
        if conflict:
            return self.fail(path, conflict)
        replaced = self._remove_previous(str(path), document.metadata.review_id)
        stamp = FileStamp(str(path), digest, stat.st_size, stat.st_mtime_ns)
        self.queued.append(_Queued(document, units, stamp))
        for warning in document.warnings:
            logger.info("ingested with a warning: %s: %s", path, warning)
            self.warnings.append((path, warning))
        self.claimed[document.metadata.review_id] = path
        self.counts["units_added"] += len(units)
        self.pending_units += len(units)
        if sum(len(item.units) for item in self.queued) >= self.encode_group:
            self.flush()
        return "updated" if replaced else "added"

    def checkpoint(self, hnsw_threshold: int) -> None:
        """Embed what is queued and commit: a crash after this loses nothing done so far."""
        self.flush()
        self.index.commit(self.now, hnsw_threshold)
        self.index.begin()
        self.pending_units = 0
        self.committed_at = time.monotonic()

    def flush(self) -> None:
        """Embed every queued file's units in one encoder call and add them to the index."""
        if not self.queued:
            return
        vectors = self.encoder.encode([unit.text for item in self.queued for unit in item.units])
        start = 0
        for item in self.queued:
            end = start + len(item.units)
            self.index.add_document(
                item.document, item.units, vectors[start:end], item.stamp, self.now
            )
            start = end
        self.queued.clear()

    def _skip_unchanged(self, path: Path, size: int, mtime_ns: int) -> str | None:
        """``unchanged`` when the file's size and mtime are what was recorded (no reading)."""
        existing = self.index.store.document_by_source(str(path))
        if existing and (existing.size_bytes, existing.mtime_ns) == (size, mtime_ns):
            return self._unchanged(existing.review_id, path)
        return None

    def _skip_same_content(self, path: Path, digest: str, size: int, mtime_ns: int) -> str | None:
        """``unchanged`` when the content is known: the same file touched, or a moved file."""
        store = self.index.store
        existing = store.document_by_source(str(path))
        if existing is not None:
            review_id = existing.review_id if existing.content_hash == digest else None
        else:
            review_id = self._moved_from(digest)
        if review_id is None:
            return None
        store.update_file_stat(review_id, str(path), size, mtime_ns)
        return self._unchanged(review_id, path)

    def _remove_previous(self, source: str, review_id: str) -> bool:
        """Remove this file's old entry and any entry of its review id; True if there was one."""
        store = self.index.store
        previous = {
            doc.review_id
            for doc in (store.document_by_source(source), store.document_by_review(review_id))
            if doc
        }
        for old_id in previous:
            self.index.remove_review(old_id)
        return bool(previous)

    def _moved_from(self, digest: str) -> str | None:
        """The review id of an entry with this content whose file has gone (a moved file)."""
        for document in self.index.store.documents_with_hash(digest):
            if not Path(document.source).exists() and document.review_id not in self.claimed:
                return document.review_id
        return None

    def _unchanged(self, review_id: str, path: Path) -> str:
        self.claimed[review_id] = path
        return "unchanged"

    def _conflict(self, review_id: str, path: Path) -> str | None:
        """Why ``path`` may not take ``review_id``, if another file already holds it."""
        other = self.claimed.get(review_id)
        if other is None:
            holder = self.index.store.document_by_review(review_id)
            if holder is not None and Path(holder.source) != path and Path(holder.source).exists():
                other = Path(holder.source)
        if other is None or other == path:
            return None
        return f"review id {review_id!r} is already used by {other}; give each its own review_id"

    def missing(self, roots: Sequence[Path], seen: set[Path]) -> list[StoredDocument]:
        """Indexed reviews whose file lies under an existing root but was not found this run."""
        live_roots = [root.resolve() for root in roots if root.exists()]
        return [
            document
            for document in self.index.store.documents()
            if Path(document.source) not in seen
            and any(Path(document.source).is_relative_to(root) for root in live_roots)
        ]

    def remove_missing(self, roots: Sequence[Path], seen: set[Path]) -> None:
        """Drop reviews whose file lies under an existing root but was not found this run."""
        for document in self.missing(roots, seen):
            logger.info("removing %s (%s no longer found)", document.review_id, document.source)
            self.index.remove_review(document.review_id)
            self.counts["removed"] += 1

    def report(self, started: float) -> IngestReport:
        return IngestReport(
            failed=tuple(self.failed),
            warnings=tuple(self.warnings),
            missing=self.gone,
            seconds=time.perf_counter() - started,
            **self.counts,
        )


def ingest_paths(
    paths: Sequence[Path | str],
    index_dir: Path,
    encoder: Encoder,
    *,
    progress: ProgressCallback | None = None,
    remove_missing: bool = False,
    max_bytes: int | None = None,
    rebuild: bool = False,
    now: datetime | None = None,
    checkpoint_units: int = CHECKPOINT_UNITS,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
    hnsw_threshold: int = HNSW_THRESHOLD,
    encode_group: int = ENCODE_GROUP_UNITS,
    reader: DocumentReader | None = None,
    on_wait: WaitCallback | None = None,
) -> IngestReport:
    """Ingest review files and folders into the index at ``index_dir`` (created if missing).

    ``rebuild`` builds a fresh index beside the old one and swaps it in at the end. ``now`` is
    recorded as the ingest time (the library never reads the clock). Files that cannot be read
    are listed in the report; the others are ingested. Each file is read by ``reader`` (the
    process's shared one by default) in a child process under memory and time limits, so no
    file can cost the run. Units are embedded ``encode_group`` at a time (whole files, across
    file boundaries). One writer at a time: if another process is writing the index, this
    one calls ``on_wait`` with who it is and waits its turn.
    """
    started = time.perf_counter()
    roots = [Path(p) for p in paths]
    reader = reader or shared_reader()
    with writer_lock(index_dir, on_wait):
        checkpoints = Checkpoints(checkpoint_units, checkpoint_seconds, hnsw_threshold)
        run = _ingest_locked(
            roots, index_dir, encoder, reader, progress, remove_missing, max_bytes, rebuild, now,
            checkpoints, encode_group,
        )  # fmt: skip
    return run.report(started)


def _ingest_locked(
    roots: list[Path],
    index_dir: Path,
    encoder: Encoder,
    reader: DocumentReader,
    progress: ProgressCallback | None,
    remove_missing: bool,
    max_bytes: int | None,
    rebuild: bool,
    now: datetime | None,
    checkpoints: Checkpoints,
    encode_group: int,
) -> _Run:
    target = index_dir.with_name(index_dir.name + ".rebuild") if rebuild else index_dir
    if rebuild:
        shutil.rmtree(target, ignore_errors=True)
    stamp = now.isoformat(timespec="seconds") if now else None
    if not index_exists(target):
        create_index(target, encoder.name, encoder.dimension, now=stamp)
    index = open_index(target, model_name=encoder.name, dimension=encoder.dimension, write=True)
    run = _Run(index, encoder, reader, max_bytes, stamp, encode_group=encode_group)
    try:
        _ingest_all(run, roots, progress, remove_missing, checkpoints)
    finally:
        index.close()
    if rebuild:
        _swap_in(target, index_dir)
    return run


def _ingest_all(
    run: _Run,
    roots: list[Path],
    progress: ProgressCallback | None,
    remove_missing: bool,
    checkpoints: Checkpoints,
) -> None:
    files, problems = find_documents(roots)
    refused = clashing_claims({path: declared_review_id(path) for path in files})
    for path, reason in [*problems, *refused.items()]:
        run.fail(path, reason)
    files = [path for path in files if path not in refused]
    for done, path in enumerate(files, start=1):
        outcome = run.ingest_file(path)
        if outcome != "failed":
            run.counts[outcome] += 1
        if progress is not None:
            progress(IngestProgress(done, len(files), path, outcome, run.counts["units_added"]))
        if run.pending_units >= checkpoints.units or (
            run.pending_units and time.monotonic() - run.committed_at >= checkpoints.seconds
        ):
            run.checkpoint(checkpoints.hnsw_threshold)
    run.flush()
    if remove_missing:
        run.remove_missing(roots, set(files))
    else:
        run.gone = tuple(Path(document.source) for document in run.missing(roots, set(files)))
    run.index.commit(run.now, checkpoints.hnsw_threshold)


def _swap_in(built: Path, index_dir: Path) -> None:
    """Put a freshly built index where the old one was; the old one is deleted last."""
    retired = index_dir.with_name(index_dir.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if index_dir.exists():
        os.replace(index_dir, retired)
    os.replace(built, index_dir)
    shutil.rmtree(retired, ignore_errors=True)


def remove_review(index_dir: Path, review_id: str, *, now: datetime | None = None) -> bool:
    """Remove one review from the index; False if it was not there."""
    with writer_lock(index_dir):
        index = open_index(index_dir, write=True)
        try:
            if index.store.document_by_review(review_id) is None:
                return False
            index.remove_review(review_id)
            index.commit(now.isoformat(timespec="seconds") if now else None)
            return True
        finally:
            index.close()
