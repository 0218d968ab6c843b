"""Zero-shot theme scores of an index's units and reviews: the model's side of the tagger.

Every unit is scored against every theme by meaning (its vector against the theme's
prototypes), by practitioner phrases in order and, when ``ScoringParams.keyword_weight`` is set,
by the theme's label and phrases as review search's BM25 queries (``keyword_evidence``); a
short review is also read sentence by sentence. Analysts' decisions and a learned head are
applied on top of these scores by :mod:`learning.themes.tagging`.
"""

from __future__ import annotations

import numpy as np

from learning.encoder import Encoder
from learning.models import UnitKind
from learning.themes import cache
from learning.themes.corpus import UnitTable
from learning.themes.keyword_evidence import KeywordScorer, keyword_scorer
from learning.themes.scoring import (
    PhraseIndex,
    ScoringParams,
    build_phrase_index,
    calibrate_reviews,
    prototype_offsets,
    review_scores,
    sentence_windows,
    short_review_positions,
    unit_confidences,
)
from learning.themes.taxonomy import Taxonomy


def theme_prototypes(taxonomy: Taxonomy) -> tuple[list[str], list[int]]:
    """Texts that stand for each theme (definition, label, phrases), grouped by theme."""
    texts: list[str] = []
    theme_of: list[int] = []
    for column, theme in enumerate(taxonomy.themes):
        for text in (theme.definition, theme.label, *theme.phrases):
            texts.append(text)
            theme_of.append(column)
    return texts, theme_of


def compute_scores(
    table: UnitTable,
    vectors: np.ndarray,
    taxonomy: Taxonomy,
    encoder: Encoder,
    params: ScoringParams,
) -> cache.CachedScores:
    """Unit x theme and review x theme confidences for the units of ``table``."""
    texts, theme_of = theme_prototypes(taxonomy)
    prototypes = encoder.encode(texts)
    phrases = build_phrase_index([theme.phrases for theme in taxonomy.themes])
    keywords = theme_keyword_scorer(table, taxonomy) if params.keyword_weight else None
    confidence = unit_confidences(
        vectors,
        table.texts,
        table.excluded,
        prototypes,
        prototype_offsets(theme_of),
        phrases,
        params,
        keywords.score_units(table.excluded) if keywords else None,
    )
    _read_short_reviews_in_windows(
        table, confidence, prototypes, theme_of, phrases, encoder, params, keywords
    )
    weight = np.array(
        [params.passage_weight if row.kind == UnitKind.PASSAGE else 1.0 for row in table.rows],
        dtype=np.float32,
    )
    reviews = review_scores(
        confidence, table.review_of_unit, len(table.review_ids), params, weight, ~table.excluded
    )
    reviews = calibrate_reviews(reviews, params)
    return cache.CachedScores(
        np.array(table.unit_ids, dtype=np.int64),
        confidence,
        reviews,
        table.review_ids,
        taxonomy.ids,
    )


def _read_short_reviews_in_windows(
    table: UnitTable,
    confidence: np.ndarray,
    prototypes: np.ndarray,
    theme_of: list[int],
    phrases: PhraseIndex,
    encoder: Encoder,
    params: ScoringParams,
    keywords: KeywordScorer | None = None,
) -> None:
    """Raise each unit of a short review to the best confidence of its sentence windows (in
    place); long reviews are left as they are. A window's keyword evidence is scored on the
    index's term statistics, under its unit's section heading."""
    positions = short_review_positions(table.review_of_unit, ~table.excluded, params)
    windows: list[str] = []
    owners: list[int] = []
    for position in positions:
        for window in sentence_windows(table.rows[position].text, params.window_sentences):
            windows.append(window)
            owners.append(int(position))
    if not windows:
        return
    window_confidence = unit_confidences(
        encoder.encode(windows),
        windows,
        np.zeros(len(windows), dtype=bool),
        prototypes,
        prototype_offsets(theme_of),
        phrases,
        params,
        keywords.score(windows, [table.rows[o].section for o in owners]) if keywords else None,
    )
    np.maximum.at(confidence, np.asarray(owners), window_confidence)


def theme_keyword_scorer(table: UnitTable, taxonomy: Taxonomy) -> KeywordScorer:
    """Each theme's label and phrases as search queries, over the index's units (``table``)."""
    themes = taxonomy.themes
    return keyword_scorer(
        [theme.label for theme in themes],
        [theme.phrases for theme in themes],
        table.texts,
        [row.section for row in table.rows],
    )
