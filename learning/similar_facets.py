"""Similar cases by facets: the précis searched whole and facet by facet, and past reviews
ranked on both (the service behind the Similar cases page).

The précis is split into facets (:mod:`learning.facets`); each facet but the age is searched
on its own (passages, by meaning and words), the précis whole as before
(:meth:`SearchEngine.similar_cases`), and the reviews are ranked on all of it
(:mod:`learning.facet_ranking`), with the reviews' theme tags (analysts' decisions in force).
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.facet_ranking import rank_by_facets
from learning.facets import Facet, FacetKind, facet_reader
from learning.library import ThemeSource, review_tags
from learning.results import FacetedReview, PassageHit
from learning.search import SearchEngine
from learning.search_form import MAX_PRECIS_CHARS, check_text

#: Reviews most like the whole précis that take part in the ranking.
WHOLE_POOL = 20
#: Passages searched for each facet.
FACET_POOL = 30


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
    whole = engine.similar_cases(text, WHOLE_POOL)
    found: list[list[PassageHit]] = [
        [] if facet.kind is FacetKind.AGE else engine.search_passages(facet.query, FACET_POOL)
        for facet in facets
    ]
    tags = {
        review_id: frozenset(tag.theme_id for tag in found_tags)
        for review_id, found_tags in review_tags(engine, source).items()
    }
    reviews = rank_by_facets(facets, whole, found, tags, reader.passage_says, k)
    return FacetedSearch(facets, tuple(reviews))
