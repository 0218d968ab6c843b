"""The learning index on disk: units and keywords in SQLite, vectors in FAISS, a manifest."""

from learning.index.disk import (
    MANIFEST_FILE,
    UNITS_FILE,
    VECTORS_FILE,
    LearningIndex,
    create_index,
    index_exists,
    open_index,
)
from learning.index.manifest import Manifest
from learning.index.store import FileStamp, StoredDocument, UnitRow, UnitStore
from learning.index.vectors import FLAT, HNSW, HNSW_THRESHOLD, VectorHit, VectorIndex

__all__ = [
    "FLAT",
    "HNSW",
    "HNSW_THRESHOLD",
    "MANIFEST_FILE",
    "UNITS_FILE",
    "VECTORS_FILE",
    "FileStamp",
    "LearningIndex",
    "Manifest",
    "StoredDocument",
    "UnitRow",
    "UnitStore",
    "VectorHit",
    "VectorIndex",
    "create_index",
    "index_exists",
    "open_index",
]
