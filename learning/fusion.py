"""Fusing ranked lists from the dense and keyword sides, and ranking groups by their members.

Pure functions: no I/O, no FAISS, no database.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
RRF_K = 60


@dataclass(frozen=True)
class Fused(Generic[Key]):
    """One item after fusion, with its fused score (higher is better)."""

    key: Key
    score: float


def _weights(weights: Sequence[float] | None, count: int) -> Sequence[float]:
    if weights is None:
        return [1.0] * count
    if len(weights) != count:
        raise ValueError(f"{len(weights)} weights for {count} lists")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    return weights


def _ordered(scores: dict[Key, float], first_seen: dict[Key, int]) -> list[Fused[Key]]:
    ranked = sorted(scores, key=lambda key: (-scores[key], first_seen[key]))
    return [Fused(key, scores[key]) for key in ranked]


def fuse_rrf(
    rankings: Sequence[Sequence[Key]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[Fused[Key]]:
    """Reciprocal rank fusion: score = sum of weight / (k + rank), rank 1-based.

    (Cormack, Clarke & Buettcher 2009.) Ties keep the order in which items were first seen.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    scales = _weights(weights, len(rankings))
    scores: dict[Key, float] = {}
    first_seen: dict[Key, int] = {}
    for ranking, weight in zip(rankings, scales, strict=True):
        for rank, key in enumerate(dict.fromkeys(ranking), start=1):
            first_seen.setdefault(key, len(first_seen))
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return _ordered(scores, first_seen)


def _min_max(scored: Mapping[Key, float]) -> dict[Key, float]:
    if not scored:
        return {}
    low, high = min(scored.values()), max(scored.values())
    if high == low:
        return dict.fromkeys(scored, 1.0)
    return {key: (value - low) / (high - low) for key, value in scored.items()}


def fuse_weighted(
    scored_lists: Sequence[Mapping[Key, float]], weights: Sequence[float] | None = None
) -> list[Fused[Key]]:
    """Convex combination of min-max normalised scores (higher is better in every list).

    An item missing from a list scores 0 there. (Bruch et al. 2023: tuned, it can beat RRF.)
    """
    scales = _weights(weights, len(scored_lists))
    total = sum(scales) or 1.0
    scores: dict[Key, float] = {}
    first_seen: dict[Key, int] = {}
    for scored, weight in zip(scored_lists, scales, strict=True):
        for key, value in _min_max(scored).items():
            first_seen.setdefault(key, len(first_seen))
            scores[key] = scores.get(key, 0.0) + weight * value / total
    return _ordered(scores, first_seen)


def rank_groups(
    members: Sequence[tuple[Key, float]], bonus: float = 0.1, extra: int = 2
) -> list[Fused[Key]]:
    """Rank groups by their best member's score plus ``bonus`` times the next ``extra`` scores.

    ``members`` are (group, score) pairs; a review with several good passages edges ahead of one
    with a single equally good passage, but never overtakes a clearly better one.
    """
    by_group: dict[Key, list[float]] = {}
    for group, score in members:
        by_group.setdefault(group, []).append(score)
    first_seen = {group: index for index, group in enumerate(by_group)}
    scores: dict[Key, float] = {}
    for group, values in by_group.items():
        ordered = sorted(values, reverse=True)
        scores[group] = ordered[0] + bonus * sum(ordered[1 : 1 + extra])
    return _ordered(scores, first_seen)
