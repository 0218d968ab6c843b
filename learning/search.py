"""Search services over the learning index: passages, reviews, and cases like a précis.

Each query runs on two sides, the dense one (FAISS, cosine of MiniLM vectors) and the keyword
one (FTS5 bm25), fused by reciprocal rank fusion. Filters restrict both sides before ranking.
``weights`` (dense, keyword) scale the two sides; a side weighted 0 is not run at all, which is
how the evaluation measures each side alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from learning.encoder import Encoder
from learning.engine_calls import check_query, serialised
from learning.errors import InvalidFilter, ThemeNotFound
from learning.filters import Filters, free_values
from learning.fusion import Fused, fuse_rrf, fuse_weighted
from learning.index import LearningIndex, open_index
from learning.index.store import UnitStore
from learning.keywords import query_terms
from learning.query import (
    QueryTerms,
    build_match_expression,
)
from learning.results import PassageHit, ReviewHit, passage_hit, review_dict
from learning.review_ranking import (
    REVIEW_SCORINGS,
    WholeTexts,
    best_unit_ranking,
    in_context_ranking,
    load_whole_texts,
    whole_text_sides,
)
from learning.similar_search import SimilarCases

if TYPE_CHECKING:
    from learning.themes.signals import ThemeNames, ThemeSignals

logger = logging.getLogger(__name__)

FUSIONS = ("rrf", "weighted")
# Filters an engine remembers the allowed unit ids of (an app's sessions reuse a few).
ALLOWED_CACHE_SIZE = 32


class SearchEngine(SimilarCases):
    """An open index plus the encoder that made it; one per process is enough."""

    def __init__(
        self,
        index: LearningIndex,
        encoder: Encoder,
        *,
        fusion: str = "rrf",
        weights: tuple[float, float] = (1.0, 1.0),
        pool: int = 100,
        themes: bool = False,
        review_scoring: str = "in-context",
    ) -> None:
        # ``themes``: a query that names a taxonomy theme also ranks reviews by it, and similar
        # cases blend in theme profiles. Off by default: on the evaluation set it did not beat
        # text alone (README). An explicit ``theme`` for review search works either way.
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
        if min(weights) < 0 or max(weights) <= 0:
            raise ValueError(f"weights must be non-negative and not both 0, not {weights!r}")
        if review_scoring not in REVIEW_SCORINGS:
            raise ValueError(
                f"review_scoring must be one of {REVIEW_SCORINGS}, not {review_scoring!r}"
            )
        # how reviews are ranked from their units (learning.review_ranking)
        self.review_scoring = review_scoring
        self._whole_texts: WholeTexts | None = None
        self.index = index
        self.encoder = encoder
        self.fusion = fusion
        self.weights = weights
        self.pool = pool
        self.themes = themes
        self._signals: ThemeSignals | None = None
        self._names: ThemeNames | None = None
        self._lock = threading.RLock()
        self._allowed_cache: dict[Filters, AllowedUnits] = {}

    @serialised
    def close(self) -> None:
        self.index.close()

    @serialised
    def reload_if_changed(self) -> bool:
        """Reopen the index if another process committed since it was loaded."""
        if self.index.is_current():
            return False
        fresh = open_index(
            self.index.directory, model_name=self.encoder.name, dimension=self.encoder.dimension
        )
        self.index.close()
        self.index = fresh
        self._allowed_cache.clear()
        self._signals = None
        self._whole_texts = None
        return True

    def _short_reviews(self) -> WholeTexts:
        """The index's short reviews as whole texts, read on first use."""
        if self._whole_texts is None:
            self._whole_texts = load_whole_texts(self.index)
        return self._whole_texts

    def _theme_signals(self) -> ThemeSignals:
        """The index's theme signals, loaded on first use (theme scores come from the tagger's
        cache, computed once if missing)."""
        if self._signals is None:
            from learning.themes.signals import load_theme_signals

            self._signals = load_theme_signals(self.index, self.encoder)
        return self._signals

    def _named_themes(self, query: str, theme: str | None) -> list[str]:
        if theme is not None:
            signals = self._theme_signals()
            if theme not in signals.theme_ids:
                raise ThemeNotFound(f"no theme {theme!r}; themes: {', '.join(signals.theme_ids)}")
            return [theme]
        if not self.themes:
            return []
        if self._names is None:
            from learning.themes.signals import theme_names
            from learning.themes.taxonomy import load_taxonomy

            self._names = theme_names(load_taxonomy())
        return self._names.named_in(query)

    def _allowed_reviews(self, allowed: AllowedUnits | None) -> set[str] | None:
        if allowed is None:
            return None
        return set(self.index.store.review_ids_of(allowed.ids.tolist()).values())

    def _definition_vector(self, themes: list[str]) -> np.ndarray:
        """One vector for the named themes' labels and definitions."""
        signals = self._theme_signals()
        texts = [signals.queries[signals.theme_ids.index(theme)] for theme in themes]
        return self.encoder.encode([" ".join(texts)])[0]

    def _allowed(self, filters: Filters | None) -> AllowedUnits | None:
        """The unit ids that pass ``filters`` (None: no filter), remembered per filter."""
        if filters is None or filters.is_empty:
            return None
        if filters not in self._allowed_cache:
            store = self.index.store
            if len(self._allowed_cache) >= ALLOWED_CACHE_SIZE:
                oldest = self._allowed_cache.pop(next(iter(self._allowed_cache)))
                if oldest.table is not None:
                    store.forget_units(oldest.table)
            ids = np.asarray(store.filtered_ids(filters), np.int64)
            if ids.size == 0:
                _check_free_values(store, filters)
            self._allowed_cache[filters] = AllowedUnits(ids)
        return self._allowed_cache[filters]

    def _allowed_table(self, allowed: AllowedUnits | None) -> str | None:
        """The store's temporary table of ``allowed``'s ids, made when FTS5 first needs it."""
        if allowed is None:
            return None
        if allowed.table is None:
            allowed.table = self.index.store.allow_units(allowed.ids)
        return allowed.table

    def _dense(
        self, vector: np.ndarray, limit: int, allowed: AllowedUnits | None
    ) -> dict[int, float]:
        if allowed is not None and not allowed.ids.size:
            return {}
        ids = None if allowed is None else allowed.ids
        return {hit.unit_id: hit.score for hit in self.index.vectors.search(vector, limit, ids)}

    def _keyword(
        self, terms: QueryTerms, limit: int, allowed: AllowedUnits | None
    ) -> dict[int, float]:
        """Keyword hits by BM25 on the index's postings; FTS5 ranks phrases, and everything
        in an index whose postings are not built yet."""
        if allowed is not None and not allowed.ids.size:
            return {}
        reader = self.index.keywords
        if reader is None:
            return self._keyword_fts(terms, limit, allowed)
        extra = self._fts_scores(build_match_expression(QueryTerms((), terms.phrases)), allowed)
        mask = None if allowed is None else reader.mask(allowed.ids)
        return dict(reader.search(query_terms(terms.words), limit, mask, extra))

    def _fts_scores(
        self, expression: str, allowed: AllowedUnits | None, limit: int = -1
    ) -> dict[int, float]:
        """FTS5's bm25 for ``expression`` (all hits unless ``limit``), higher is better."""
        if not expression:
            return {}
        hits = self.index.store.keyword_search(expression, limit, self._allowed_table(allowed))
        # bm25() is negative (lower is better): flip it so that higher is better everywhere.
        return {unit_id: -score for unit_id, score in hits}

    def _keyword_fts(
        self, terms: QueryTerms, limit: int, allowed: AllowedUnits | None
    ) -> dict[int, float]:
        """Keyword hits ranked by FTS5 itself: every unit holding a query word is scored."""
        return self._fts_scores(build_match_expression(terms), allowed, limit)

    def _fuse(
        self, dense: dict[int, float], keyword: dict[int, float], theme: dict[int, float]
    ) -> list[Fused[int]]:
        lists = [dense, keyword, *([theme] if theme else [])]
        weights = [*self.weights, *([self.weights[0]] if theme else [])]
        if self.fusion == "weighted":
            return fuse_weighted(lists, weights)
        return fuse_rrf([list(scores) for scores in lists], weights=weights)

    @serialised
    def rank_units(
        self,
        query: str,
        limit: int,
        filters: Filters | None = None,
        definition: np.ndarray | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[list[Fused[int]], QueryTerms]:
        """Unit ids by fused score, best first, and the query's terms. With a theme's
        ``definition`` vector, units are ranked by it too (a third list, weighted as meaning).
        ``vector``: the query's, if the caller has encoded it already."""
        terms = check_query(query)
        if vector is None:
            vector = self.encoder.encode([query])[0]
        sides = self._unit_sides(terms, vector, limit, filters, definition)
        return self._fuse(*sides), terms

    def _unit_sides(
        self,
        terms: QueryTerms,
        vector: np.ndarray,
        limit: int,
        filters: Filters | None,
        definition: np.ndarray | None = None,
    ) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
        """The units' scores on each side: meaning, keywords, and a theme's definition."""
        allowed = self._allowed(filters)
        dense = self._dense(vector, limit, allowed) if self.weights[0] > 0 else {}
        keyword = self._keyword(terms, limit, allowed) if self.weights[1] > 0 else {}
        theme = {}
        if definition is not None and self.weights[0] > 0:
            theme = self._dense(definition, limit, allowed)
        return dense, keyword, theme

    def _hits(self, ranked: Sequence[Fused[int]], terms: QueryTerms) -> list[PassageHit]:
        rows = self.index.store.fetch_units([item.key for item in ranked])
        return [
            passage_hit(rows[item.key], item.score, terms) for item in ranked if item.key in rows
        ]

    @serialised
    def search_passages(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        vector: np.ndarray | None = None,
    ) -> list[PassageHit]:
        """The ``k`` best units (findings, recommendations, passages) for ``query``
        (``vector``: the query's, if the caller encoded it in a batch with others)."""
        ranked, terms = self.rank_units(query, max(self.pool, k), filters, vector=vector)
        return self._hits(ranked[:k], terms)

    @serialised
    def search_reviews(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        per_review: int = 3,
        theme: str | None = None,
    ) -> list[ReviewHit]:
        """Distinct reviews ranked by their best passages (best score plus a small bonus for
        further good passages), each with the passages that earned the rank. By default
        reviews are also ranked by their context on each side, a short review by its whole
        text (learning.review_ranking). A query that names
        a taxonomy theme (or an explicit ``theme`` id) also ranks reviews by the theme's
        definition and by the tagger's confidence."""
        themes = self._named_themes(query, theme)
        definition = self._definition_vector(themes) if themes else None
        terms = check_query(query)
        vector = self.encoder.encode([query])[0]
        sides = self._unit_sides(terms, vector, max(self.pool, k * 20), filters, definition)
        ranked = self._fuse(*sides)
        store = self.index.store
        # Rank on each unit's review alone; read whole rows only for the passages shown.
        owners = store.review_ids_of([item.key for item in ranked])
        ranked = [item for item in ranked if item.key in owners]
        groups = best_unit_ranking([(owners[item.key], item.score) for item in ranked])
        if self.review_scoring == "in-context":
            groups = self._in_context(groups, owners, sides, vector, terms, filters)
        by_review: dict[str, list[Fused[int]]] = {}
        for item in ranked:
            by_review.setdefault(owners[item.key], []).append(item)
        if definition is not None:
            groups = self._with_theme_confidence(themes, groups, filters)
        # a review ranked by its contexts or a theme may have no unit among the ranked ones
        for group in groups[:k]:
            if group.key not in by_review:
                by_review[group.key] = self._closest_units(
                    group.key, vector if definition is None else definition, per_review
                )
        shown = {group.key: by_review[group.key][:per_review] for group in groups[:k]}
        rows = store.fetch_units([item.key for best in shown.values() for item in best])
        results: list[ReviewHit] = []
        for group in groups[:k]:
            passages = tuple(
                passage_hit(rows[item.key], item.score, terms)
                for item in shown[group.key]
                if item.key in rows  # gone if another process removed it meanwhile
            )
            if not passages:
                continue
            results.append(
                ReviewHit(**review_dict(passages[0]), score=group.score, passages=passages)
            )
        return results

    def _in_context(
        self,
        groups: list[Fused[str]],
        owners: dict[int, str],
        sides: tuple[dict[int, float], dict[int, float], dict[int, float]],
        vector: np.ndarray,
        terms: QueryTerms,
        filters: Filters | None,
    ) -> list[Fused[str]]:
        """``groups`` fused with the reviews ranked by their contexts (a short review's
        whole text, a long review's best unit) on each side."""
        texts = self._short_reviews()
        allowed = self._allowed_reviews(self._allowed(filters))
        limit = max(self.pool, len(groups))
        whole = whole_text_sides(self.index, texts, vector, terms, limit, allowed, self.weights)
        return in_context_ranking(groups, owners, sides[:2], whole, texts.reviews, self.weights)

    def _with_theme_confidence(
        self, themes: list[str], groups: list[Fused[str]], filters: Filters | None
    ) -> list[Fused[str]]:
        """Review groups fused with the reviews ranked by the tagger's confidence in the
        themes: one more signal, weighted as each of the text's (meaning, words, definition)."""
        signals = self._theme_signals()
        confident = signals.review_ranking(themes, self._allowed_reviews(self._allowed(filters)))
        text_signals = sum(weight > 0 for weight in self.weights) + (self.weights[0] > 0)
        return fuse_rrf([[group.key for group in groups], confident], weights=[text_signals, 1])

    def _closest_units(self, review_id: str, vector: np.ndarray, limit: int) -> list[Fused[int]]:
        """A review's units closest to ``vector``, best first (for a review found by theme)."""
        units = self.index.store.units_of_review(review_id)
        if not units:
            return []
        scores = self.index.vectors.vectors_for([unit.id for unit in units]) @ vector
        order = np.argsort(-scores)[:limit]
        return [Fused(units[i].id, float(scores[i])) for i in order]


@dataclass
class AllowedUnits:
    """The unit ids a filter lets through: an array for FAISS and the keyword postings, and
    the name of the store's temporary table that holds them once FTS5 needs them (phrases,
    or an index without postings)."""

    ids: np.ndarray
    table: str | None = None


def _check_free_values(store: UnitStore, filters: Filters) -> None:
    """Refuse a filter value outside the vocabulary that no review of the index holds (most
    likely a typo), naming the values it does hold."""
    for field, values in free_values(filters).items():
        held = store.metadata_values(field)
        missing = [value for value in values if value not in held]
        if missing:
            raise InvalidFilter(
                f"{field}={missing[0]!r} matches no review; the index holds: {', '.join(held)}"
            )


def open_engine(index_dir: Path, encoder: Encoder, **options: object) -> SearchEngine:
    """Open the index at ``index_dir`` for ``encoder`` (checks that they match)."""
    index = open_index(index_dir, model_name=encoder.name, dimension=encoder.dimension)
    try:
        return SearchEngine(index, encoder, **options)  # type: ignore[arg-type]
    except ValueError:
        index.close()
        raise
