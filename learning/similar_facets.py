"""Similar cases by facets: the précis searched whole and facet by facet, and past reviews
ranked on both (the service behind the Similar cases page).

The précis is split into facets (:mod:`learning.facets`); each facet but the age is searched
on its own (passages, by meaning and words), the précis whole as before
(:meth:`SearchEngine.similar_cases`), and the reviews are ranked on all of it
(:mod:`learning.facet_ranking`), with the reviews' theme tags (analysts' decisions in force).

Every text searched (the précis, its sentences, each facet) is encoded in one batch: on 2 cores
a call for eight short texts costs about what a call for one does, so one encode per text made
the search seconds slower (the issue's précis: 8 calls, median 5.4 s; one call, 2.7 s;
``benchmarks.eval_facets``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learning.encoder import Encoder
from learning.facet_ranking import OwnPassage, rank_by_facets
from learning.facets import Facet, FacetKind, facet_reader
from learning.library import ThemeSource, review_tags
from learning.results import FacetedReview, PassageHit, ReviewFields
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS, check_text
from learning.similar_search import precis_queries

#: Reviews most like the whole précis that take part in the ranking.
WHOLE_POOL = 20
#: Passages searched for each facet.
FACET_POOL = 30
#: A review's own passages read for a facet no library-wide search found in it.
INSIDE_POOL = 6


@dataclass(frozen=True)
class FacetedSearch:
    """The précis's facets, and the reviews that best match it, best first."""

    facets: tuple[Facet, ...]
    reviews: tuple[FacetedReview, ...]


def similar_by_facets(
    engine: SearchEngine, precis: str, source: ThemeSource, k: int = 5
) -> FacetedSearch:
    """Past reviews most like the case ``precis``, with which of its facets each matches."""
    from learning.themes.taxonomy import load_taxonomy

    text = check_text(precis, limit=MAX_PRECIS_CHARS, what="précis")
    engine.reload_if_changed()
    reader = facet_reader(load_taxonomy(source.taxonomy_path).themes)
    facets = reader.facets(text)
    wholes = precis_queries(text)
    searched = [facet.query for facet in facets if facet.kind is not FacetKind.AGE]
    vectors = encode_once(engine.encoder, [*wholes, *searched])
    whole = engine.similar_cases(
        text, WHOLE_POOL, vectors=np.stack([vectors[query] for query in wholes])
    )
    found: list[list[PassageHit]] = [
        []
        if facet.kind is FacetKind.AGE
        else engine.search_passages(facet.query, FACET_POOL, vector=vectors[facet.query])
        for facet in facets
    ]
    inside = _inside(engine, facets, vectors, [*whole, *(hit for hits in found for hit in hits)])
    tags = {
        review_id: frozenset(tag.theme_id for tag in found_tags)
        for review_id, found_tags in review_tags(engine, source).items()
    }
    reviews = rank_by_facets(facets, whole, found, tags, reader.passage_says, k, inside)
    return FacetedSearch(facets, tuple(reviews))


def _inside(
    engine: SearchEngine,
    facets: Sequence[Facet],
    vectors: dict[str, np.ndarray],
    found: Sequence[ReviewFields],
) -> dict[str, list[list[OwnPassage]]]:
    """For each review found at all, its own units closest to each facet (none for an age),
    so that a facet it matches can show its passage."""
    searched = [index for index, facet in enumerate(facets) if facet.kind is not FacetKind.AGE]
    if not searched:
        return {}
    closest = engine.closest_in_reviews(
        [review.review_id for review in found],
        np.stack([vectors[facets[index].query] for index in searched]),
        INSIDE_POOL,
    )
    aligned: dict[str, list[list[OwnPassage]]] = {}
    for review_id, per_query in closest.items():
        aligned[review_id] = [[] for _ in facets]
        for index, rows in zip(searched, per_query, strict=True):
            aligned[review_id][index] = rows
    return aligned


def encode_once(encoder: Encoder, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Each distinct text of ``texts`` and its vector, encoded in one call."""
    distinct = list(dict.fromkeys(texts))
    return dict(zip(distinct, encoder.encode(distinct), strict=True)) if distinct else {}
