"""``vectors.faiss``: the dense side of the index, an explicit id map over inner-product vectors.

Ids are the ``units.id`` of ``units.sqlite``. A flat (exact) index serves up to about 100,000
vectors; beyond that HNSW32, which cannot remove vectors, so removed ids become tombstones that
searches skip until the next rebuild.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import faiss
import numpy as np

FLAT = "flat"
HNSW = "hnsw"
INDEX_TYPES = (FLAT, HNSW)
HNSW_THRESHOLD = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 64
# Filtered HNSW searches over fewer allowed ids than this are done exactly instead.
EXACT_FILTER_LIMIT = 20_000
# Rebuild an HNSW index when this share of its vectors are tombstones.
TOMBSTONE_REBUILD_SHARE = 0.25


@dataclass(frozen=True)
class VectorHit:
    unit_id: int
    score: float


def choose_index_type(count: int, current: str, threshold: int = HNSW_THRESHOLD) -> str:
    """Flat up to ``threshold`` vectors, HNSW beyond; back to flat only below 80% (no flapping)."""
    if count > threshold:
        return HNSW
    if current == HNSW and count > int(threshold * 0.8):
        return HNSW
    return FLAT


def _new_faiss_index(dimension: int, index_type: str) -> faiss.IndexIDMap2:
    inner: faiss.Index
    if index_type == FLAT:
        inner = faiss.IndexFlatIP(dimension)
    elif index_type == HNSW:
        graph = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.hnsw.efSearch = HNSW_EF_SEARCH
        inner = graph
    else:
        raise ValueError(f"unknown index type {index_type!r}; expected one of {INDEX_TYPES}")
    return faiss.IndexIDMap2(inner)


def _as_ids(ids: Iterable[int]) -> np.ndarray:
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False)
    return np.fromiter((int(i) for i in ids), dtype=np.int64)


@contextmanager
def _single_thread() -> Iterator[None]:
    """FAISS on one OpenMP thread (this thread's setting only): one query gains nothing from
    more, and their idle threads spin on the core the next query encode needs."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class VectorIndex:
    """A FAISS ``IndexIDMap2`` plus the type it was built as and its tombstoned ids."""

    def __init__(
        self, index: faiss.IndexIDMap2, index_type: str, tombstones: Iterable[int] = ()
    ) -> None:
        self._index = index
        self.index_type = index_type
        self.tombstones: set[int] = set(tombstones)
        #: How many times vectors were added or removed since this object was made.
        self.changes = 0
        # Storage position of each id (-1: none), as of ``_positions_at`` changes.
        self._position_of: np.ndarray | None = None
        self._positions_at = -1

    @classmethod
    def create(cls, dimension: int, index_type: str = FLAT) -> VectorIndex:
        return cls(_new_faiss_index(dimension, index_type), index_type)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def ntotal(self) -> int:
        """Vectors stored, tombstones included."""
        return int(self._index.ntotal)

    @property
    def count(self) -> int:
        """Live vectors."""
        return self.ntotal - len(self.tombstones)

    def ids(self) -> np.ndarray:
        """Every stored id, tombstones included."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index.add_with_ids(matrix, _as_ids(ids))
        self.changes += 1

    def remove(self, ids: Iterable[int]) -> None:
        """Remove ids: really for flat, as tombstones for HNSW (which has no removal)."""
        wanted = _as_ids(ids)
        if wanted.size == 0:
            return
        if self.index_type == FLAT:
            self._index.remove_ids(faiss.IDSelectorBatch(wanted))
        else:
            self.tombstones.update(int(i) for i in wanted)
        self.changes += 1

    def vectors_for(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (rows in the same order)."""
        if len(ids) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(_as_ids(ids)), dtype=np.float32)

    def needs_rebuild(self, threshold: int = HNSW_THRESHOLD) -> bool:
        if choose_index_type(self.count, self.index_type, threshold) != self.index_type:
            return True
        return self.ntotal > 0 and len(self.tombstones) / self.ntotal >= TOMBSTONE_REBUILD_SHARE

    def rebuilt(self, index_type: str) -> VectorIndex:
        """A fresh index of ``index_type`` holding only the live vectors."""
        live = np.array([i for i in self.ids() if int(i) not in self.tombstones], dtype=np.int64)
        fresh = VectorIndex.create(self.dimension, index_type)
        for start in range(0, live.size, 10_000):
            batch = live[start : start + 10_000]
            fresh.add(batch.tolist(), self.vectors_for(batch.tolist()))
        return fresh

    def search(
        self, query: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[VectorHit]:
        """Top ``k`` live ids by inner product with one query vector, if given among ``allowed``."""
        if self.count == 0 or k <= 0:
            return []
        vector = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if allowed is not None and self.index_type == HNSW and len(allowed) <= EXACT_FILTER_LIMIT:
            return self._search_exact(vector[0], k, allowed)
        # ``selector`` stays referenced here while FAISS uses it through ``params``.
        selector = self._selector(allowed)
        params = self._params(selector, k)
        with _single_thread():
            scores, ids = self._index.search(vector, min(k, self.ntotal), params=params)
        return [
            VectorHit(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    def _search_exact(
        self, vector: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray
    ) -> list[VectorHit]:
        """Inner products with exactly the ``allowed`` vectors, computed by FAISS where they
        are stored (no copy of the vectors)."""
        live = _as_ids(allowed)
        if self.tombstones:
            live = live[~np.isin(live, _as_ids(self.tombstones))]
        positions = self._positions(live)
        live, positions = live[positions >= 0], positions[positions >= 0]
        if live.size == 0:
            return []
        scores = np.empty(live.size, dtype=np.float32)
        # in FAISS's IndexFlat, but not in the stubs it ships
        self._flat_storage().compute_distance_subset(  # type: ignore[attr-defined]
            1,
            faiss.swig_ptr(np.ascontiguousarray(vector, dtype=np.float32)),
            live.size,
            faiss.swig_ptr(scores),
            faiss.swig_ptr(np.ascontiguousarray(positions)),
        )
        best = np.argpartition(-scores, k - 1)[:k] if live.size > k else np.arange(live.size)
        order = best[np.argsort(-scores[best], kind="stable")]
        return [VectorHit(int(live[i]), float(scores[i])) for i in order]

    def _flat_storage(self) -> faiss.IndexFlat:
        """The flat index that holds the vectors: the index itself, or HNSW's storage."""
        # downcast_index returns the concrete class; FAISS's stubs type it as Index
        inner = faiss.downcast_index(self._index.index)
        if self.index_type == FLAT:
            return cast(faiss.IndexFlat, inner)
        return cast(faiss.IndexFlat, faiss.downcast_index(cast(faiss.IndexHNSW, inner).storage))

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Where each of ``ids`` is stored (-1 if it is not)."""
        if self._position_of is None or self._positions_at != self.changes:
            stored = self.ids()
            self._position_of = np.full(int(stored.max(initial=-1)) + 1, -1, dtype=np.int64)
            self._position_of[stored] = np.arange(stored.size, dtype=np.int64)
            self._positions_at = self.changes
        known = (ids >= 0) & (ids < self._position_of.size)
        positions = np.full(ids.size, -1, dtype=np.int64)
        positions[known] = self._position_of[ids[known]]
        return positions

    def _selector(self, allowed: Sequence[int] | np.ndarray | None) -> faiss.IDSelector | None:
        if allowed is not None:
            return faiss.IDSelectorBatch(_as_ids(allowed))
        if self.tombstones:
            return faiss.IDSelectorNot(faiss.IDSelectorBatch(_as_ids(self.tombstones)))
        return None

    def _params(self, selector: faiss.IDSelector | None, k: int) -> faiss.SearchParameters | None:
        if self.index_type == HNSW:
            # in FAISS (swigfaiss), but not in the stubs it ships
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))  # type: ignore[attr-defined]
        elif selector is None:
            return None
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector
        return params

    def write(self, path: Path) -> str:
        """Write to ``path`` atomically (temp file, fsync, rename); return the file's sha256."""
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.chmod(tmp, 0o600)  # faiss creates it as the umask allows; the index is owner-only
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        digest = file_sha256(tmp)
        os.replace(tmp, path)
        return digest

    @classmethod
    def read(cls, path: Path, index_type: str, tombstones: Iterable[int] = ()) -> VectorIndex:
        # read_index returns the stored class (IndexIDMap2); FAISS's stubs type it as Index
        return cls(cast(faiss.IndexIDMap2, faiss.read_index(str(path))), index_type, tombstones)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
