"""Which published reviews a rapid review draft learns from: the case's shortlist first, then
the reviews most like the case, preferring those that share its facets.

Why this order: a reviewer who saved a review to the case chose it, so it leads, whatever the
search thinks of it. The others are searched with the same précis the Similar cases page builds
from the case's coded facts (:func:`learning.precis.case_precis`), so the annex agrees with what
the reviewer saw there; the event notes stay out, as they record the process ("sent by secure
email"), not what happened to the child. The search is asked first for reviews of the case's
age group and outcome, then of its age group, then of any, and the results are ordered by how
many facets they share (age group, then outcome, then nation) before the search's own order:
a draft about a baby who died never leads with a teenager's death when a baby's review exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from core.case_facts import CaseFacts
from learning.filters import Filters
from learning.precis import case_precis

if TYPE_CHECKING:
    from learning.results import ReviewFields, SimilarReview

logger = logging.getLogger(__name__)

#: How many reviews of the search (beyond the shortlist) the annex holds.
SIMILAR_REVIEWS = 3
#: Values that say nothing about a facet: neither a match nor a mismatch.
_OPEN_VALUES = frozenset({"", "mixed", "unknown"})
#: The facets a review may share with the case, in the order they weigh, as the draft says them.
FACET_WORDS = {"age_group": "age group", "outcome": "outcome", "nation": "nation"}


class Shortlisted(Protocol):
    """A review saved to the case's shortlist, with the reviewer's note."""

    @property
    def review_id(self) -> str: ...

    @property
    def note(self) -> str | None: ...


class SimilarSearch(Protocol):
    """What the draft needs of the learning search engine (``learning.search.SearchEngine``)."""

    def reload_if_changed(self) -> bool: ...

    def similar_cases(
        self, precis: str, k: int = 5, filters: Filters | None = None
    ) -> list[SimilarReview]: ...

    def reviews_matching(
        self, review_ids: Sequence[str], precis: str, per_review: int = 3
    ) -> list[SimilarReview]: ...


@dataclass(frozen=True)
class CaseFacets:
    """The case's values the search results are matched on (as the case store keeps them)."""

    age_group: str
    outcome: str
    nation: str


@dataclass(frozen=True)
class AnnexReview:
    """One review of the annex: why it is there (saved to the shortlist, with the reviewer's
    note; or found by the search, with the facets it shares with the case)."""

    review: SimilarReview
    shortlisted: bool = False
    note: str | None = None
    shared_facets: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryLearning:
    """The annex's reviews, shortlisted first; saved reviews the library no longer holds; or
    why the library could not be asked (in words for the reader, never a path or command)."""

    reviews: tuple[AnnexReview, ...] = ()
    missing: tuple[str, ...] = ()
    unavailable: str | None = None


def facets_of(facts: CaseFacts) -> CaseFacets:
    return CaseFacets(facts.age_group, facts.outcome, facts.nation)


def draft_precis(facts: CaseFacts) -> str:
    """The précis the Similar cases page builds from the case: its coded facts only."""
    return case_precis(facts)


def shared_facets(review: ReviewFields, facets: CaseFacets) -> tuple[str, ...]:
    """The facets (``age_group``, ``outcome``, ``nation``) the review has the case's value of."""
    return tuple(name for name in FACET_WORDS if getattr(review, name) == getattr(facets, name))


def facet_rank(review: ReviewFields, facets: CaseFacets) -> tuple[int, ...]:
    """Per facet, in the order they weigh: 0 the case's value, 1 not known or several ages,
    2 another value. Sorting by it never puts another age group before a matching one."""
    rank = []
    for name in FACET_WORDS:
        value = (getattr(review, name) or "").lower()
        wanted = getattr(facets, name)
        rank.append(0 if value == wanted else 1 if value in _OPEN_VALUES else 2)
    return tuple(rank)


def order_by_facets(hits: Sequence[SimilarReview], facets: CaseFacets) -> list[SimilarReview]:
    """``hits`` by :func:`facet_rank`, keeping the search's order among equals."""
    return sorted(hits, key=lambda hit: facet_rank(hit, facets))


def find_learning(
    open_search: Callable[[], SimilarSearch] | None,
    facts: CaseFacts,
    shortlist: Sequence[Shortlisted],
    *,
    k: int = SIMILAR_REVIEWS,
) -> LibraryLearning:
    """The shortlisted reviews (in the order they were saved), then ``k`` more found by the
    engine ``open_search`` returns (the page passes ``ui.resources.search_engine``). A library
    that cannot be opened or searched gives no reviews and the reason, not an error."""
    from learning.errors import IndexNotFound, LearningError

    if open_search is None:
        return LibraryLearning(unavailable="the library of published reviews is not set up here")
    try:
        engine = open_search()
        engine.reload_if_changed()
        return _search(engine, facts, shortlist, k)
    except IndexNotFound:
        return LibraryLearning(unavailable="the library holds no published reviews yet")
    except LearningError as problem:
        logger.info("similar reviews for a rapid review draft not found: %s", problem)
        return LibraryLearning(
            unavailable="the search index cannot be used at the moment; ask an administrator "
            "to rebuild it"
        )


def _search(
    engine: SimilarSearch,
    facts: CaseFacts,
    shortlist: Sequence[Shortlisted],
    k: int,
) -> LibraryLearning:
    precis, facets = draft_precis(facts), facets_of(facts)
    notes = {entry.review_id: entry.note for entry in shortlist}
    saved = engine.reviews_matching(list(notes), precis) if notes else []
    held = {hit.review_id for hit in saved}
    reviews = [AnnexReview(hit, True, notes[hit.review_id]) for hit in saved]
    found = _similar(engine, precis, facets, k, skip=set(notes))
    reviews += [AnnexReview(hit, shared_facets=shared_facets(hit, facets)) for hit in found]
    missing = tuple(review_id for review_id in notes if review_id not in held)
    return LibraryLearning(tuple(reviews), missing)


def _similar(
    engine: SimilarSearch, precis: str, facets: CaseFacets, k: int, skip: set[str]
) -> list[SimilarReview]:
    """``k`` reviews not in ``skip``: asked of the case's age group and outcome, then of its
    age group, then of any, until there are ``k``; then ordered by the facets they share."""
    tiers = (
        Filters(age_group=(facets.age_group,), outcome=(facets.outcome,)),
        Filters(age_group=(facets.age_group,)),
        None,
    )
    found: dict[str, SimilarReview] = {}
    for filters in tiers:
        for hit in engine.similar_cases(precis, k + len(skip), filters=filters):
            if hit.review_id not in skip:
                found.setdefault(hit.review_id, hit)
        if len(found) >= k:
            break
    return order_by_facets(list(found.values()), facets)[:k]
