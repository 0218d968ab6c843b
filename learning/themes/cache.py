"""A derived cache of theme scores and tags in ``INDEX_DIR/themes-cache/``: safe to delete.

Scores (unit x theme and review x theme confidences) are keyed by the index manifest, the
taxonomy digest, the scoring parameters and the encoder; tags additionally by the analysts'
decisions. A key that does not match, or a file that cannot be read, is simply a miss: the
cache is never the source of truth. Arrays are ``.npy`` without pickle; the meta file is
written last and removed first, so a half-written cache never matches.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from learning.index.manifest import write_atomic

logger = logging.getLogger(__name__)

CACHE_DIR = "themes-cache"
_META = "scores.json"
_TAGS = "tags.json"
_ARRAYS = ("unit_ids", "unit_conf", "review_conf")


@dataclass(frozen=True)
class CachedScores:
    unit_ids: np.ndarray
    unit_conf: np.ndarray
    review_conf: np.ndarray
    review_ids: tuple[str, ...]
    theme_ids: tuple[str, ...]


def digest_of(value: Any) -> str:
    """sha256 of a JSON-able value (keys sorted): how cache keys are made."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _folder(index_dir: Path) -> Path:
    return index_dir / CACHE_DIR


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def read_scores(index_dir: Path, key: str) -> CachedScores | None:
    """The cached scores for ``key``, or None (a miss) when absent, stale or unreadable."""
    folder = _folder(index_dir)
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
    except (OSError, ValueError) as problem:
        logger.info("theme cache miss in %s (%s)", folder, problem)
        return None
    return CachedScores(
        arrays["unit_ids"],
        arrays["unit_conf"],
        arrays["review_conf"],
        tuple(meta["review_ids"]),
        tuple(meta["theme_ids"]),
    )


def write_scores(index_dir: Path, key: str, scores: CachedScores) -> None:
    """Store scores under ``key`` (meta last, so a crash leaves a miss, not a wrong hit)."""
    folder = _folder(index_dir)
    folder.mkdir(exist_ok=True)
    (folder / _META).unlink(missing_ok=True)
    (folder / _TAGS).unlink(missing_ok=True)
    for name in _ARRAYS:
        write_atomic(folder / f"{name}.npy", _npy_bytes(getattr(scores, name)))
    meta = {"key": key, "review_ids": list(scores.review_ids), "theme_ids": list(scores.theme_ids)}
    write_atomic(folder / _META, json.dumps(meta).encode("utf-8"))


def read_tags(index_dir: Path, key: str) -> list[dict[str, Any]] | None:
    try:
        raw = json.loads((_folder(index_dir) / _TAGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("key") != key:
        return None
    tags = raw.get("tags")
    return tags if isinstance(tags, list) else None


def write_tags(index_dir: Path, key: str, tags: list[dict[str, Any]]) -> None:
    folder = _folder(index_dir)
    folder.mkdir(exist_ok=True)
    text = json.dumps({"key": key, "tags": tags}, ensure_ascii=False)
    write_atomic(folder / _TAGS, text.encode("utf-8"))
