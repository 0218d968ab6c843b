"""Similar cases by facets over the tiny library (hashing encoder): which review matches which
facet, in the order of the score shown, no passage twice; Search shows no text twice."""

from __future__ import annotations

import pytest

from learning.encoder import FakeEncoder
from learning.errors import EmptyQuery
from learning.facets import FacetKind
from learning.filters import Filters
from learning.library import ThemeSource, search_library
from learning.results import PassageHit, ReviewHit, passages_overlap
from learning.search import SearchEngine
from learning.search_form import SearchMode
from learning.similar_facets import similar_by_facets
from learning.similar_search import precis_queries
from tests.learning import test_library

# the tiny library's fixtures (ingested once per module)
library, engine, source = test_library.library, test_library.engine, test_library.source

PRECIS = (
    "A seven week old baby with a head injury; the health visitor had seen a bruise and did "
    "not refer; both parents misused heroin; police did not share domestic abuse "
    "notifications with the school"
)


def _labels(found, review) -> list[str]:  # type: ignore[no-untyped-def]
    return [found.facets[index].label for index in review.matched]


def test_each_review_says_which_facets_of_the_precis_it_matches(
    engine: SearchEngine,
    source: ThemeSource,
) -> None:
    found = similar_by_facets(engine, PRECIS, source, k=5)

    shared = "police did not share domestic abuse notifications with …"
    assert [(str(f.kind), f.label, f.meaning) for f in found.facets] == [
        ("age", "seven week old", "Under 1 year"),
        ("risk", "seven week old baby with a head injury", "Non-accidental injury in infancy"),
        ("agency", "health visitor", "health visitor"),
        ("failure", "health visitor had seen a bruise and did …", "what went wrong"),
        ("risk", "both parents misused heroin", "Parental substance misuse"),
        ("agency", "police", "police"),
        ("agency", "school", "school"),
        ("risk", shared, "Domestic abuse and coercive control"),
        ("failure", shared, "Information sharing between agencies"),
    ]
    by_id = {review.review_id: review for review in found.reviews}
    assert {"seven week old", "seven week old baby with a head injury", "health visitor"} <= set(
        _labels(found, by_id["r-infant-bruising"])
    )
    assert "both parents misused heroin" in _labels(found, by_id["r-neglect"])
    assert {"police", "school", shared} <= set(_labels(found, by_id["r-domestic-abuse"]))
    assert found.reviews[0].review_id == "r-infant-bruising"


def test_results_come_in_the_order_of_their_score_with_no_passage_twice(
    engine: SearchEngine,
    source: ThemeSource,
) -> None:
    found = similar_by_facets(engine, PRECIS, source, k=6)

    scores = [review.score for review in found.reviews]
    assert scores == sorted(scores, reverse=True) and len(scores) == 6
    for review in found.reviews:
        shown = [p.passage for p in review.passages]
        assert all(p.review_id == review.review_id for p in shown)
        assert not any(passages_overlap(a, b) for i, a in enumerate(shown) for b in shown[:i])
        # every matched facet with a passage names one of the passages shown
        assert {i for p in review.passages for i in p.facets} <= set(review.matched)


def test_every_text_searched_is_encoded_in_one_call(
    engine: SearchEngine,
    source: ThemeSource,
) -> None:
    """The précis, its sentences and each facet but the age: one batch, not one encode each
    (issue 24: nine encodes took seconds with the model)."""
    encoder = engine.encoder
    assert isinstance(encoder, FakeEncoder)
    similar_by_facets(engine, PRECIS, source)  # the theme signals and tags, made once
    calls, texts = encoder.calls, encoder.texts_encoded

    found = similar_by_facets(engine, PRECIS, source)

    searched = {f.query for f in found.facets if f.kind is not FacetKind.AGE}
    assert encoder.calls - calls == 1
    assert encoder.texts_encoded - texts == len(searched | set(precis_queries(PRECIS)))


def test_an_empty_precis_is_refused(
    engine: SearchEngine,
    source: ThemeSource,
) -> None:
    with pytest.raises(EmptyQuery, match="the précis is empty"):
        similar_by_facets(engine, " ... ", source)


@pytest.mark.parametrize("mode", [SearchMode.PASSAGES, SearchMode.REVIEWS])
def test_search_results_show_no_text_of_a_review_twice(engine: SearchEngine, mode: str) -> None:
    hits = search_library(engine, "health visitor bruise baby", SearchMode(mode), Filters(), 10)

    passages: list[PassageHit] = []
    for hit in hits:
        passages += list(hit.passages) if isinstance(hit, ReviewHit) else [hit]
    assert passages
    assert not any(passages_overlap(a, b) for i, a in enumerate(passages) for b in passages[:i])
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
