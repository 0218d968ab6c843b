"""Ranking reviews for a query from their units, and short reviews from their whole text too.

``best-unit`` was the engine's only rule until issue 24: a review's score is its best unit's
fused score plus a small bonus for its next two. ``in-context`` (the default) fuses that
ranking with the reviews ranked on each side (meaning, keywords) by their context: a short
review by its whole text (learning.review_context), a long one by its best unit. So a briefing
whose relevant text is spread over its paragraphs is no longer beaten by another's one-line
recommendation, and a list split into items cannot lower a review. ``best-unit`` stays one
option away, which is how the evaluation measures before and after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from learning.fusion import Fused, fuse_rrf, rank_groups
from learning.index import LearningIndex
from learning.keywords import query_terms
from learning.query import QueryTerms
from learning.review_context import (
    ContextMap,
    UnitPlace,
    build_context_map,
    centroids,
    context_bm25,
)

REVIEW_SCORINGS = ("in-context", "best-unit")
#: A review's further good units add this much of their scores to its best.
REVIEW_BONUS = 0.1
#: Each side's ranking of reviews by context weighs this much of the side's weight.
CONTEXT_WEIGHT = 1.0


@dataclass(frozen=True)
class WholeTexts:
    """The short reviews' whole-text contexts of one index generation, with their vectors."""

    contexts: ContextMap
    vectors: np.ndarray

    @property
    def reviews(self) -> frozenset[str]:
        """The short reviews (those read whole)."""
        return frozenset(self.contexts.review_of)


def load_whole_texts(index: LearningIndex) -> WholeTexts:
    """The index's short reviews as whole texts (one read of every unit's place, and the
    vectors of the short reviews' units)."""
    reader = index.keywords
    places = [UnitPlace(*row) for row in index.store.unit_places()]
    contexts = build_context_map(places, None if reader is None else reader.lengths)
    ids, owners = contexts.unit_ids()
    vectors = index.vectors.vectors_for(ids.tolist()) if ids.size else np.zeros((0, 0))
    return WholeTexts(contexts, centroids(vectors, owners, contexts.count))


def best_unit_ranking(members: list[tuple[str, float]]) -> list[Fused[str]]:
    """Reviews by their best unit's score plus a small bonus for their next two."""
    return rank_groups(members, REVIEW_BONUS)


def in_context_ranking(
    by_units: Sequence[Fused[str]],
    owners: Mapping[int, str],
    unit_sides: tuple[Mapping[int, float], Mapping[int, float]],
    whole_sides: tuple[Mapping[str, float], Mapping[str, float]],
    short: frozenset[str],
    weights: tuple[float, float],
) -> list[Fused[str]]:
    """``by_units`` (reviews by their best units) fused with the reviews ranked on each side
    by their context: a short review by its whole text, a long one by its best unit. Each
    side's ranking weighs as the side does; ``owners`` gives each unit's review."""
    rankings: list[list[str]] = []
    scales: list[float] = []
    for units, whole, weight in zip(unit_sides, whole_sides, weights, strict=True):
        if weight <= 0:
            continue
        best: dict[str, float] = dict(whole)
        for unit_id, score in units.items():
            review = owners.get(unit_id)
            if review is not None and review not in short:
                best[review] = max(score, best.get(review, float("-inf")))
        rankings.append(sorted(best, key=lambda review: -best[review]))
        scales.append(CONTEXT_WEIGHT * weight)
    # the units' ranking last: a tie goes to the review whose context ranks first
    rankings.append([group.key for group in by_units])
    scales.append(1.0)
    return fuse_rrf(rankings, weights=scales)


def whole_text_dense(
    texts: WholeTexts, vector: np.ndarray, limit: int, allowed: set[str] | None
) -> dict[str, float]:
    """The ``limit`` short reviews closest to ``vector`` as whole texts, by review id."""
    if not texts.contexts.count or not texts.vectors.size:
        return {}
    scores = texts.vectors @ vector
    return _top(texts, scores, limit, allowed)


def whole_text_keyword(
    index: LearningIndex,
    texts: WholeTexts,
    terms: QueryTerms,
    limit: int,
    allowed: set[str] | None,
) -> dict[str, float]:
    """The ``limit`` short reviews with the best BM25 as whole texts, by review id."""
    reader = index.keywords
    if reader is None or not texts.contexts.count:
        return {}
    analysed = query_terms(terms.words)
    postings = [reader.postings(term) for term in analysed]
    scores = context_bm25(analysed, postings, texts.contexts, reader.unit_count, reader.mean_length)
    return _top(texts, scores, limit, allowed, positive=True)


def whole_text_sides(
    index: LearningIndex,
    texts: WholeTexts,
    vector: np.ndarray,
    terms: QueryTerms,
    limit: int,
    allowed: set[str] | None,
    weights: tuple[float, float],
) -> tuple[dict[str, float], dict[str, float]]:
    """The short reviews' whole-text scores on each side (none on a side weighted 0)."""
    dense = whole_text_dense(texts, vector, limit, allowed) if weights[0] > 0 else {}
    keyword = whole_text_keyword(index, texts, terms, limit, allowed) if weights[1] > 0 else {}
    return dense, keyword


def _top(
    texts: WholeTexts,
    scores: np.ndarray,
    limit: int,
    allowed: set[str] | None,
    positive: bool = False,
) -> dict[str, float]:
    order = np.argsort(-scores, kind="stable")
    chosen: dict[str, float] = {}
    for context in order:
        if len(chosen) >= limit or (positive and scores[context] <= 0):
            break
        if allowed is None or texts.contexts.review_of[context] in allowed:
            chosen[texts.contexts.review_of[context]] = float(scores[context])
    return chosen
