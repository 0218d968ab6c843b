"""The index on disk: ``units.sqlite`` + ``vectors.faiss`` + ``manifest.json``, kept consistent.

Commit protocol (a crash at any point leaves the old state or the new one):

1. write the vectors to ``vectors.faiss.pending`` (temp file, fsync, rename);
2. record its sha256 and the new generation in ``units.sqlite`` and COMMIT: the commit point;
3. rename the pending file over ``vectors.faiss``;
4. write ``manifest.json`` (temp file, fsync, rename).

On opening, a pending file whose checksum is the committed one is rolled forward (crash after
2), any other pending file is dropped (crash before 2), and a manifest exactly one generation
behind is rewritten (crash after 3). Anything else that disagrees is an :class:`IndexMismatch`.
A ``.lock`` file (``flock``) keeps readers from loading between steps 1 and 4.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from learning.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from learning.index.keywords import KeywordReader, KeywordWriter
from learning.index.manifest import (
    REBUILD_HINT,
    Manifest,
    fsync_dir,
    load_manifest,
    make_private_dir,
    private_opener,
    save_manifest,
    stamp_versions,
)
from learning.index.store import FileStamp, IndexState, UnitStore
from learning.index.vectors import (
    FLAT,
    HNSW_THRESHOLD,
    VectorIndex,
    choose_index_type,
    file_sha256,
)
from learning.models import ExtractedDocument, Unit

logger = logging.getLogger(__name__)

UNITS_FILE = "units.sqlite"
VECTORS_FILE = "vectors.faiss"
PENDING_FILE = "vectors.faiss.pending"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = ".lock"


def index_exists(directory: Path) -> bool:
    return (directory / MANIFEST_FILE).exists() or (directory / UNITS_FILE).exists()


@contextmanager
def _locked(directory: Path, *, exclusive: bool) -> Iterator[None]:
    with open(directory / LOCK_FILE, "a+b", opener=private_opener) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class LearningIndex:
    """An open index: the unit store, the vectors in memory and the manifest they match."""

    def __init__(
        self, directory: Path, store: UnitStore, vectors: VectorIndex, manifest: Manifest
    ) -> None:
        self.directory = directory
        self.store = store
        self.vectors = vectors
        self.manifest = manifest
        # The vectors' change count at the last commit: if it is unchanged, so are the files.
        self._committed_changes = vectors.changes
        self._keyword_writer = KeywordWriter()
        self._keyword_reader: KeywordReader | None = None
        self._keyword_reader_loaded = False

    @property
    def model_name(self) -> str:
        return self.manifest.model_name

    @property
    def dimension(self) -> int:
        return self.manifest.dimension

    def close(self) -> None:
        self._keyword_writer.discard()
        self.store.rollback()
        self.store.close()

    @property
    def keywords(self) -> KeywordReader | None:
        """The keyword postings as committed, or None if the index has none yet (FTS5 ranks)."""
        if not self._keyword_reader_loaded:
            self._keyword_reader = KeywordReader.load(self.store.connection)
            self._keyword_reader_loaded = True
        return self._keyword_reader

    def prepare_keywords(self) -> None:
        """Build the keyword postings if the index lacks them (inside the open transaction)."""
        self._keyword_writer.ensure_current(self.store.connection)

    def is_current(self) -> bool:
        """False once another process has committed a newer generation."""
        state = self.store.state()
        return state is not None and state.generation == self.manifest.generation

    def begin(self) -> None:
        """Start writing; fails if another process committed since this index was loaded."""
        self.store.begin()
        if not self.is_current():
            self.store.rollback()
            raise IndexMismatch(
                f"{self.directory} was changed by another process while open; open it again"
            )

    def add_document(
        self,
        document: ExtractedDocument,
        units: Sequence[Unit],
        vectors: np.ndarray,
        stamp: FileStamp,
        ingested_at: str | None = None,
    ) -> list[int]:
        """Add a review's document, units and their vectors (inside the open transaction)."""
        self.store.insert_document(
            document,
            stamp.source,
            stamp.content_hash,
            stamp.size_bytes,
            stamp.mtime_ns,
            ingested_at,
        )
        ids = self.store.insert_units(units)
        self.vectors.add(ids, vectors)
        self._keyword_writer.add(ids, units)
        return ids

    def remove_review(self, review_id: str) -> int:
        """Remove a review's document, units and vectors (inside the open transaction)."""
        ids = self.store.delete_review(review_id)
        self.vectors.remove(ids)
        return len(ids)

    def commit(self, now: str | None = None, hnsw_threshold: int = HNSW_THRESHOLD) -> Manifest:
        """Make the open transaction and the vectors durable together (see the module doc)."""
        self._keyword_writer.flush(self.store.connection)
        self._keyword_reader_loaded = False
        if self.vectors.changes == self._committed_changes:
            # Only file stamps changed (or nothing): the vectors and the manifest stay as they are.
            self.store.commit()
            return self.manifest
        if self.vectors.needs_rebuild(hnsw_threshold):
            kind = choose_index_type(self.vectors.count, self.vectors.index_type, hnsw_threshold)
            logger.info("rebuilding vectors as %s (%d live)", kind, self.vectors.count)
            self.vectors = self.vectors.rebuilt(kind)
        with _locked(self.directory, exclusive=True):
            self.manifest = _commit_files(
                self.directory, self.store, self.vectors, self.manifest, now
            )
        self._committed_changes = self.vectors.changes
        return self.manifest


def _commit_files(
    directory: Path, store: UnitStore, vectors: VectorIndex, old: Manifest, now: str | None
) -> Manifest:
    sha = vectors.write(directory / PENDING_FILE)
    fsync_dir(directory)
    state = IndexState(
        old.generation + 1, sha, vectors.count, vectors.index_type, old.model_name, old.dimension
    )
    store.set_tombstones(vectors.tombstones)
    store.set_state(state)
    store.commit()
    os.replace(directory / PENDING_FILE, directory / VECTORS_FILE)
    fsync_dir(directory)
    manifest = _manifest_for(state, old.created or now, now)
    save_manifest(directory / MANIFEST_FILE, manifest)
    return manifest


def _manifest_for(state: IndexState, created: str | None, updated: str | None) -> Manifest:
    return stamp_versions(
        Manifest(
            model_name=state.model_name,
            dimension=state.dimension,
            index_type=state.index_type,
            count=state.vector_count,
            generation=state.generation,
            vectors_sha256=state.vectors_sha256,
            created=created,
            updated=updated,
        )
    )


def create_index(
    directory: Path, model_name: str, dimension: int, *, now: str | None = None
) -> None:
    """Create an empty index at ``directory``: built aside, then renamed into place."""
    if index_exists(directory):
        raise IndexMismatch(f"{directory} already holds an index")
    if directory.exists() and any(directory.iterdir()):
        raise IndexMismatch(f"{directory} exists and is not an empty folder")
    if not directory.parent.exists():
        directory.parent.mkdir(parents=True)
        os.chmod(directory.parent, 0o700)
    staging = directory.with_name(directory.name + ".creating")
    shutil.rmtree(staging, ignore_errors=True)
    make_private_dir(staging)  # the index and its files are owner-only, whatever the umask
    os.close(private_opener(str(staging / UNITS_FILE), os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    store = UnitStore.open(staging / UNITS_FILE, create=True)
    try:
        store.begin()
        KeywordWriter().ensure_current(store.connection)
        empty = Manifest(model_name, dimension, FLAT, 0, 0, "", created=now)
        _commit_files(staging, store, VectorIndex.create(dimension, FLAT), empty, now)
    finally:
        store.close()
    if directory.exists():
        directory.rmdir()
    os.replace(staging, directory)
    fsync_dir(directory.parent)


def open_index(
    directory: Path,
    *,
    model_name: str | None = None,
    dimension: int | None = None,
    write: bool = False,
    verify_checksum: bool = True,
) -> LearningIndex:
    """Open and check the index; with ``write`` the write lock is taken first.

    Raises :class:`IndexNotFound` when there is none, :class:`IndexMismatch` when its files
    disagree with each other or with the expected model.
    """
    if not index_exists(directory):
        raise IndexNotFound(f"no index in {directory}; run `cspr ingest PATH` first")
    store = UnitStore.open(directory / UNITS_FILE)
    try:
        if write:
            store.begin()
        with _locked(directory, exclusive=False):
            stale = _needs_recovery(directory, store)
        if stale:
            with _locked(directory, exclusive=True):
                _recover(directory, store)
        with _locked(directory, exclusive=False):
            index = _load(directory, store, verify_checksum)
        _check_expected(index.manifest, model_name, dimension)
        if write:
            index.prepare_keywords()
        return index
    except BaseException:
        store.rollback()
        store.close()
        raise


def _needs_recovery(directory: Path, store: UnitStore) -> bool:
    if (directory / PENDING_FILE).exists():
        return True
    state = store.state()
    try:
        manifest = load_manifest(directory / MANIFEST_FILE)
    except IndexMismatch:
        return False
    return state is not None and manifest.generation == state.generation - 1


def _recover(directory: Path, store: UnitStore) -> None:
    """Finish or undo a commit that a crash interrupted (caller holds the exclusive lock)."""
    state = store.state()
    pending = directory / PENDING_FILE
    if pending.exists():
        if state is not None and file_sha256(pending) == state.vectors_sha256:
            logger.warning("completing an interrupted index commit in %s", directory)
            os.replace(pending, directory / VECTORS_FILE)
        else:
            logger.warning("dropping vectors of an uncommitted index write in %s", directory)
            pending.unlink()
        fsync_dir(directory)
    try:
        manifest = load_manifest(directory / MANIFEST_FILE)
    except IndexMismatch:
        return
    vectors_path = directory / VECTORS_FILE
    if (
        state is not None
        and manifest.generation == state.generation - 1
        and vectors_path.exists()
        and file_sha256(vectors_path) == state.vectors_sha256
    ):
        logger.warning("rewriting the manifest of an interrupted commit in %s", directory)
        save_manifest(directory / MANIFEST_FILE, _manifest_for(state, manifest.created, None))


def _load(directory: Path, store: UnitStore, verify_checksum: bool) -> LearningIndex:
    state = store.state()
    if state is None:
        raise IndexMismatch(f"{directory / UNITS_FILE} has no index state; {REBUILD_HINT}")
    manifest = load_manifest(directory / MANIFEST_FILE)
    _compare(manifest, state, directory)
    vectors_path = directory / VECTORS_FILE
    if not vectors_path.exists():
        raise IndexMismatch(f"{vectors_path} is missing; {REBUILD_HINT}")
    if verify_checksum and file_sha256(vectors_path) != state.vectors_sha256:
        raise IndexMismatch(
            f"{VECTORS_FILE} does not match {UNITS_FILE} (checksum differs); {REBUILD_HINT}"
        )
    try:
        vectors = VectorIndex.read(vectors_path, state.index_type, store.tombstones())
    except RuntimeError as unreadable:
        raise IndexCorrupt(
            f"{vectors_path} is not readable ({unreadable}); {REBUILD_HINT}"
        ) from unreadable
    units = store.count_units()
    if (
        vectors.dimension != state.dimension
        or vectors.count != units
        or units != state.vector_count
    ):
        raise IndexMismatch(
            f"{VECTORS_FILE} holds {vectors.count} vectors of dimension {vectors.dimension}, "
            f"{UNITS_FILE} {units} units (expected {state.vector_count} of dimension "
            f"{state.dimension}); {REBUILD_HINT}"
        )
    return LearningIndex(directory, store, vectors, manifest)


def _compare(manifest: Manifest, state: IndexState, directory: Path) -> None:
    pairs = {
        "generation": (manifest.generation, state.generation),
        "vectors checksum": (manifest.vectors_sha256, state.vectors_sha256),
        "count": (manifest.count, state.vector_count),
        "index type": (manifest.index_type, state.index_type),
        "model": (manifest.model_name, state.model_name),
        "dimension": (manifest.dimension, state.dimension),
    }
    differ = [f"{name} {a!r} vs {b!r}" for name, (a, b) in pairs.items() if a != b]
    if differ:
        raise IndexMismatch(
            f"{MANIFEST_FILE} does not match {UNITS_FILE} in {directory} "
            f"({'; '.join(differ)}); {REBUILD_HINT}"
        )


def _check_expected(manifest: Manifest, model_name: str | None, dimension: int | None) -> None:
    if model_name is not None and manifest.model_name != model_name:
        raise IndexMismatch(
            f"the index was built with model {manifest.model_name!r} but the encoder is "
            f"{model_name!r}; {REBUILD_HINT}"
        )
    if dimension is not None and manifest.dimension != dimension:
        raise IndexMismatch(
            f"the index holds vectors of dimension {manifest.dimension} but the encoder makes "
            f"{dimension}; {REBUILD_HINT}"
        )
