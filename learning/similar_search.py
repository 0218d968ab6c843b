"""Similar past cases for a précis: the engine's similar-case search (a mixin of SearchEngine).

A précis is searched whole and sentence by sentence on the meaning side and by its words on
the keyword side; reviews are fused from their best unit for the whole, their mean best match
over the sentences, and their best keyword unit (and, with theme signals on, the précis's
theme profile).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from learning.engine_calls import check_query, serialised
from learning.filters import Filters
from learning.fusion import fuse_rrf
from learning.index.store import UnitRow
from learning.models import UnitKind
from learning.query import QueryTerms, extract_terms, split_sentences
from learning.results import PassageHit, SimilarReview, passage_hit, review_dict

if TYPE_CHECKING:
    from learning.encoder import Encoder
    from learning.index import LearningIndex
    from learning.search import AllowedUnits
    from learning.themes.signals import ThemeSignals

_MATCH_KINDS = (str(UnitKind.FINDING), str(UnitKind.RECOMMENDATION))


class _Engine(Protocol):
    """What the mixin's methods use of :class:`learning.search.SearchEngine`: their self-type
    (a mixin's self cannot be its subclass, so mypy checks the engine against this)."""

    index: LearningIndex
    encoder: Encoder
    weights: tuple[float, float]
    pool: int
    themes: bool

    def _theme_signals(self) -> ThemeSignals: ...

    def _allowed(self, filters: Filters | None) -> AllowedUnits | None: ...

    def _allowed_reviews(self, allowed: AllowedUnits | None) -> set[str] | None: ...

    def _dense(
        self, vector: np.ndarray, limit: int, allowed: AllowedUnits | None
    ) -> dict[int, float]: ...

    def _keyword(
        self, terms: QueryTerms, limit: int, allowed: AllowedUnits | None
    ) -> dict[int, float]: ...

    def _matches(
        self,
        review_id: str,
        queries: list[str],
        vectors: np.ndarray,
        filters: Filters | None,
        per_review: int,
    ) -> tuple[tuple[PassageHit, ...], float]: ...


class SimilarCases:
    """Similar-case search, mixed into :class:`learning.search.SearchEngine`."""

    @serialised
    def closest_in_reviews(
        self: _Engine, review_ids: Sequence[str], vectors: np.ndarray, limit: int
    ) -> dict[str, list[list[tuple[UnitRow, float]]]]:
        """Per review, for each row of ``vectors`` (queries'), the review's ``limit`` units
        closest in meaning and their cosines, best first: where a review says what a query
        says even when none of its units is among the library's best (similar cases by
        facets). Rows, not hits: the caller marks up only the few it shows."""
        found: dict[str, list[list[tuple[UnitRow, float]]]] = {}
        for review_id in dict.fromkeys(review_ids):
            units = self.index.store.units_of_review(review_id)
            if units:
                scores = self.index.vectors.vectors_for([unit.id for unit in units]) @ vectors.T
                order = np.argsort(-scores, axis=0, kind="stable")[:limit]
                found[review_id] = [
                    [(units[i], float(scores[i, q])) for i in order[:, q]]
                    for q in range(scores.shape[1])
                ]
        return found

    @serialised
    def similar_cases(
        self: _Engine,
        precis: str,
        k: int = 5,
        filters: Filters | None = None,
        per_review: int = 3,
        vectors: np.ndarray | None = None,
    ) -> list[SimilarReview]:
        """Past reviews most like a case précis, with their best matching findings and
        recommendations (or passages, for a review that has none). ``vectors``: those of
        :func:`precis_queries`, if the caller encoded them in a batch with others."""
        terms = check_query(precis)
        queries = precis_queries(precis)
        if vectors is None:
            vectors = self.encoder.encode(queries)
        elif len(vectors) != len(queries):
            raise ValueError(f"{len(vectors)} vectors for the précis's {len(queries)} queries")
        allowed = self._allowed(filters)
        whole = self._dense(vectors[0], max(self.pool, 200), allowed)
        per_sentence = [self._dense(v, max(self.pool // 2, 50), allowed) for v in vectors[1:]]
        keyword = self._keyword(terms, max(self.pool, 200), allowed)
        rows = self.index.store.fetch_units(list({*whole, *keyword, *_keys(per_sentence)}))
        dense_weight, keyword_weight = self.weights
        weighted = [
            (_best_per_review(whole, rows), dense_weight),
            (_coverage_per_review(per_sentence, rows), dense_weight),
            (_best_per_review(keyword, rows), keyword_weight),
        ]
        # the précis's case pattern: always to say which themes a match shares, in the
        # ranking only with theme signals on (it did not beat text alone on the evaluation set)
        signals = self._theme_signals()
        units = slice(1, None) if len(queries) > 1 else slice(0, 1)
        profile = signals.profile_of(vectors[units], queries[units])
        if self.themes:
            ranking = signals.profile_ranking(profile, self._allowed_reviews(allowed))
            weighted.append((ranking, dense_weight))
        weighted = [(ranking, weight) for ranking, weight in weighted if ranking and weight > 0]
        fused = fuse_rrf([r for r, _ in weighted], weights=[w for _, w in weighted])
        results = []
        for item in fused[:k]:
            matches, similarity = self._matches(item.key, queries, vectors, filters, per_review)
            if matches:
                shared = signals.shared_themes(profile, item.key)
                results.append(
                    SimilarReview(
                        **review_dict(matches[0]),
                        score=item.score,
                        similarity=similarity,
                        passages=matches,
                        shared_themes=shared,
                    )
                )
        return results

    @serialised
    def reviews_matching(
        self: _Engine, review_ids: Sequence[str], precis: str, per_review: int = 3
    ) -> list[SimilarReview]:
        """Named reviews (those a reviewer saved to a case) as :meth:`similar_cases` shows
        them for ``precis``: their best matching findings and recommendations, in the order
        asked; a review the index does not hold is left out."""
        check_query(precis)
        queries = precis_queries(precis)
        vectors = self.encoder.encode(queries)
        signals = self._theme_signals()
        units = slice(1, None) if len(queries) > 1 else slice(0, 1)
        profile = signals.profile_of(vectors[units], queries[units])
        results = []
        for review_id in dict.fromkeys(review_ids):
            matches, similarity = self._matches(review_id, queries, vectors, None, per_review)
            if matches:
                results.append(
                    SimilarReview(
                        **review_dict(matches[0]),
                        score=similarity,
                        similarity=similarity,
                        passages=matches,
                        shared_themes=signals.shared_themes(profile, review_id),
                    )
                )
        return results

    def _matches(
        self: _Engine,
        review_id: str,
        queries: list[str],
        vectors: np.ndarray,
        filters: Filters | None,
        per_review: int,
    ) -> tuple[tuple[PassageHit, ...], float]:
        """A review's units that best match the précis or one of its sentences."""
        store = self.index.store
        units = store.units_of_review(review_id, _MATCH_KINDS) or store.units_of_review(review_id)
        if filters is not None and filters.kind:
            units = [unit for unit in units if unit.kind in filters.kind]
        if not units:
            return (), 0.0
        scores = self.index.vectors.vectors_for([unit.id for unit in units]) @ vectors.T
        best_query = scores.argmax(axis=1)
        best = scores.max(axis=1)
        order = np.argsort(-best)[:per_review]
        hits = tuple(
            passage_hit(
                units[i],
                float(best[i]),
                extract_terms(queries[best_query[i]]),
                matched_query=queries[best_query[i]],
            )
            for i in order
        )
        return hits, float(scores[:, 0].max())


def precis_queries(precis: str) -> list[str]:
    """The whole précis first, then each of its sentences (if it has more than one)."""
    sentences = split_sentences(precis)
    return [precis, *sentences] if len(sentences) > 1 else [precis]


def _keys(dicts: Sequence[dict[int, float]]) -> set[int]:
    return {key for item in dicts for key in item}


def _best_per_review(scores: dict[int, float], rows: dict[int, UnitRow]) -> list[str]:
    """Review ids ordered by their best unit's score."""
    best: dict[str, float] = {}
    for unit_id, score in scores.items():
        if unit_id in rows:
            review = rows[unit_id].review_id
            best[review] = max(score, best.get(review, float("-inf")))
    return sorted(best, key=lambda review: -best[review])


def _coverage_per_review(
    per_sentence: list[dict[int, float]], rows: dict[int, UnitRow]
) -> list[str]:
    """Review ids ordered by how well they match each sentence of the précis, on average."""
    totals: dict[str, float] = {}
    for scores in per_sentence:
        best: dict[str, float] = {}
        for unit_id, score in scores.items():
            if unit_id in rows:
                review = rows[unit_id].review_id
                best[review] = max(score, best.get(review, 0.0))
        for review, score in best.items():
            totals[review] = totals.get(review, 0.0) + score
    return sorted(totals, key=lambda review: -totals[review])
