"""What search borrows from the themes: which taxonomy themes a query names, the texts that
stand for a theme (its definition, label and practitioner phrases), each review's confidence
for each theme, and a case précis tagged the same way as a review.

Built once per open index from the theme scores the tagger caches (computed on first use), so
"coercive control" finds the reviews that are about domestic abuse, not only those that say the
words, and similar cases can compare case patterns as well as words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from learning.encoder import Encoder
from learning.index import LearningIndex
from learning.themes.keyword_evidence import KeywordScorer
from learning.themes.scoring import (
    PhraseIndex,
    ScoringParams,
    build_phrase_index,
    calibrate_reviews,
    combine_scores,
    content_stems,
    lexical_scores,
    prototype_offsets,
    review_scores,
    semantic_scores,
)
from learning.themes.tagging import ThemeWorkspace, theme_prototypes
from learning.themes.taxonomy import Taxonomy, load_taxonomy
from learning.themes.zero_shot import theme_keyword_scorer

#: A précis theme counts as shared with a review when both clear this confidence.
SHARED_THEME_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ThemeNames:
    """How a query names a theme: its label's words, or one of its practitioner phrases. Cheap
    to build (no model, no scores): search checks every query against it."""

    theme_ids: tuple[str, ...]
    phrases: PhraseIndex
    label_stems: tuple[tuple[str, ...], ...]
    window: int

    def named_in(self, query: str) -> list[str]:
        """Themes whose label or practitioner phrase the query contains, in taxonomy order."""
        lexical = lexical_scores([query], self.phrases, self.window)[0]
        stems = set(content_stems(query))
        return [
            theme
            for column, theme in enumerate(self.theme_ids)
            if lexical[column] >= 1.0
            or (self.label_stems[column] and set(self.label_stems[column]) <= stems)
        ]


def theme_names(taxonomy: Taxonomy, params: ScoringParams | None = None) -> ThemeNames:
    """The names of ``taxonomy``'s themes as a query may use them."""
    return ThemeNames(
        taxonomy.ids,
        build_phrase_index([theme.phrases for theme in taxonomy.themes]),
        tuple(tuple(content_stems(theme.label)) for theme in taxonomy.themes),
        (params or ScoringParams()).phrase_window,
    )


@dataclass(frozen=True)
class ThemeSignals:
    """Theme facts of one index, in the taxonomy's theme order."""

    theme_ids: tuple[str, ...]
    labels: tuple[str, ...]
    queries: tuple[str, ...]  # per theme: its definition and label, to search by
    review_ids: tuple[str, ...]
    review_conf: np.ndarray  # reviews x themes, calibrated (0.5: tagged by default)
    prototypes: np.ndarray
    offsets: np.ndarray
    names: ThemeNames
    params: ScoringParams
    # the themes' keyword evidence on the index's term statistics, built on first use (None:
    # the scoring leaves it out)
    keywords: Callable[[], KeywordScorer | None] = lambda: None

    def named_themes(self, query: str) -> list[str]:
        """Themes whose label or practitioner phrase the query contains, in taxonomy order."""
        return self.names.named_in(query)

    def review_ranking(self, theme_ids: Sequence[str], allowed: set[str] | None) -> list[str]:
        """Reviews by their mean confidence over ``theme_ids``, best first, only those the
        tagger would tag for at least one of them."""
        columns = [self.theme_ids.index(theme) for theme in theme_ids]
        confidence = self.review_conf[:, columns]
        mean = confidence.mean(axis=1)
        tagged: np.ndarray = np.any(confidence >= SHARED_THEME_CONFIDENCE, axis=1)
        order = np.argsort(-mean, kind="stable")
        return [
            self.review_ids[row]
            for row in order
            if tagged[row] and (allowed is None or self.review_ids[row] in allowed)
        ]

    def profile_of(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The theme profile of a short text (a précis) split into ``texts`` with their
        ``vectors``, on the reviews' calibrated scale."""
        semantic = semantic_scores(vectors, self.prototypes, self.offsets, self.params.max_weight)
        lexical = lexical_scores(texts, self.names.phrases, self.params.phrase_window)
        keywords = self.keywords()
        keyword = keywords.score(texts, [None] * len(texts)) if keywords else None
        confidence = combine_scores(semantic, lexical, self.params, keyword)
        # the précis is one short review whose units are its sentences
        one_review = np.zeros(len(texts), dtype=np.int64)
        raw = review_scores(confidence, one_review, 1, self.params)
        return calibrate_reviews(raw, self.params)[0]

    def profile_ranking(self, profile: np.ndarray, allowed: set[str] | None) -> list[str]:
        """Reviews by the cosine of their theme profile with ``profile``, best first."""
        norms = np.linalg.norm(self.review_conf, axis=1) * (np.linalg.norm(profile) or 1.0)
        cosine = np.divide(
            self.review_conf @ profile, norms, out=np.zeros(len(norms)), where=norms > 0
        )
        order = np.argsort(-cosine, kind="stable")
        return [
            self.review_ids[row]
            for row in order
            if cosine[row] > 0 and (allowed is None or self.review_ids[row] in allowed)
        ]

    def shared_themes(self, profile: np.ndarray, review_id: str) -> tuple[str, ...]:
        """Labels of the themes the précis and the review both carry."""
        if review_id not in self.review_ids:
            return ()
        row = self.review_conf[self.review_ids.index(review_id)]
        both = (profile >= SHARED_THEME_CONFIDENCE) & (row >= SHARED_THEME_CONFIDENCE)
        return tuple(self.labels[column] for column in np.flatnonzero(both))


def load_theme_signals(
    index: LearningIndex, encoder: Encoder, taxonomy: Taxonomy | None = None
) -> ThemeSignals:
    """The theme signals of ``index`` (theme scores from the tagger's cache, else computed)."""
    taxonomy = taxonomy or load_taxonomy()
    workspace = ThemeWorkspace(index, taxonomy, lambda: encoder, decisions={})
    scores = workspace.scores
    texts, theme_of = theme_prototypes(taxonomy)
    return ThemeSignals(
        theme_ids=taxonomy.ids,
        labels=tuple(theme.label for theme in taxonomy.themes),
        queries=tuple(f"{theme.label}. {theme.definition}" for theme in taxonomy.themes),
        review_ids=scores.review_ids,
        review_conf=np.asarray(scores.review_conf, dtype=np.float32),
        prototypes=encoder.encode(texts),
        offsets=prototype_offsets(theme_of),
        names=theme_names(taxonomy, workspace.params),
        params=workspace.params,
        keywords=cache(lambda: theme_keyword_scorer(workspace.table, taxonomy))
        if workspace.params.keyword_weight
        else lambda: None,
    )
