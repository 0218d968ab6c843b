"""Ranking past reviews on a précis's facets (one score, sorted on), and never showing the same
text of a review twice (``learning.results.distinct_passages``)."""

from __future__ import annotations

import pytest

from learning.facet_ranking import rank_by_facets
from learning.facets import Facet, FacetKind
from learning.results import (
    PassageHit,
    SimilarReview,
    distinct_passages,
    passages_overlap,
    review_dict,
)

BRUISE = "The health visitor saw a bruise on the baby's cheek and did not refer him for a medical."
LEAVER = "The mother was a care leaver and her personal adviser was not told about the baby."
HEROIN = "Both parents used heroin and the drug service did not tell the health visitor."
AGES = {"r-a": "under_1", "r-b": "under_1", "r-c": "15_17", "r-d": "under_1"}


def hit(review_id: str, unit_id: int, text: str, score: float = 0.5, **extra: object) -> PassageHit:
    values: dict[str, object] = {
        "review_id": review_id, "title": f"Review {review_id}", "source": f"{review_id}.pdf",
        "year": 2020, "nation": "england", "partnership": None, "review_type": "cspr",
        "outcome": "death", "age_group": AGES.get(review_id), "unit_id": unit_id,
        "kind": "passage", "number": None, "section": "What happened", "page": 3,
        "page_label": None, "text": text, "score": score, "highlighted": text, "spans": (),
    }  # fmt: skip
    return PassageHit(**{**values, **extra})  # type: ignore[arg-type]


def similar(passage: PassageHit) -> SimilarReview:
    return SimilarReview(**review_dict(passage), score=0.03, similarity=0.6, passages=(passage,))


# --- no text twice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (hit("r-a", 1, BRUISE), hit("r-a", 1, BRUISE), True),
        (hit("r-a", 1, BRUISE), hit("r-a", 2, f"4.2 {BRUISE} The GP was not told."), True),
        (hit("r-a", 1, f"{BRUISE} {LEAVER}"), hit("r-a", 2, f"{LEAVER} {HEROIN}"), True),
        (hit("r-a", 1, BRUISE), hit("r-a", 2, BRUISE.replace("cheek", "ear")), True),
        (hit("r-a", 1, BRUISE), hit("r-b", 7, BRUISE), False),  # another review's words
        (hit("r-a", 1, BRUISE), hit("r-a", 2, LEAVER), False),
        (hit("r-a", 1, ""), hit("r-a", 2, LEAVER), False),
    ],
    ids=["same unit", "inside a longer one", "neighbours share a sentence", "one word apart"]
    + ["other review", "other text", "empty"],
)
def test_passages_overlap_when_they_show_the_same_text_of_one_review(
    first: PassageHit, second: PassageHit, overlap: bool
) -> None:
    assert passages_overlap(first, second) is overlap
    assert passages_overlap(second, first) is overlap


def test_distinct_passages_keep_the_best_ranked_of_each_overlap_in_order() -> None:
    hits = [
        hit("r-a", 1, BRUISE, 0.9),
        hit("r-b", 5, LEAVER, 0.8),
        hit("r-a", 2, f"Finding 2: {BRUISE}", 0.7),
        hit("r-a", 3, HEROIN, 0.6),
        hit("r-b", 5, LEAVER, 0.5),
    ]
    assert [(h.review_id, h.unit_id) for h in distinct_passages(hits)] == [
        ("r-a", 1),
        ("r-b", 5),
        ("r-a", 3),
    ]


# --- ranking on facets -------------------------------------------------------------------------

AGE = Facet(FacetKind.AGE, "4-month-old", "Under 1 year", "4-month-old", age_groups=("under_1",))
INJURY = Facet(
    FacetKind.RISK, "bruise", "Non-accidental injury in infancy", "bruise",
    theme_ids=("nai_infancy",),
)  # fmt: skip
CARE = Facet(
    FacetKind.RISK, "care leaver", "Children in care", "care leaver",
    theme_ids=("children_in_care",),
)  # fmt: skip
DRUGS = Facet(
    FacetKind.RISK, "heroin", "Parental substance misuse", "heroin",
    theme_ids=("parental_substance_misuse",),
)  # fmt: skip
FACETS = (AGE, INJURY, CARE, DRUGS)


def says(facet: Facet, text: str) -> bool:
    """A passage says a facet when it holds the facet's one word."""
    return facet.query.split()[0] in text


def test_reviews_are_ranked_by_the_score_they_show_the_mean_over_the_precis_and_its_facets() -> (
    None
):
    whole = [similar(hit("r-c", 30, "A teenager was stabbed.")), similar(hit("r-a", 1, BRUISE))]
    found = [
        [],  # the age is the review's metadata
        [hit("r-a", 1, BRUISE), hit("r-b", 20, "A bruise was seen."), hit("r-c", 31, "No bruise")],
        [hit("r-b", 21, LEAVER), hit("r-c", 32, "He said nothing.")],
        [hit("r-a", 2, HEROIN)],
    ]
    results = rank_by_facets(FACETS, whole, found, {}, says, k=5)

    scores = {r.review_id: round(r.score, 4) for r in results}
    # r-a: whole 0.75 (2nd of 2), age 1, injury 1 (1st of 3), drugs 1 (1st of 1): 3.75 / 5
    # r-b: age 1, injury 0.8333 (2nd of 3), care leaver 1 (1st of 1): 2.8333 / 5
    # r-c: whole 1 (1st), injury 0.6667 (3rd of 3): 1.6667 / 5
    assert scores == {"r-a": 0.75, "r-b": 0.5667, "r-c": 0.3333}
    assert [r.review_id for r in results] == ["r-a", "r-b", "r-c"]
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    assert {r.review_id: r.matched for r in results} == {
        "r-a": (0, 1, 3),
        "r-b": (0, 1, 2),
        "r-c": (1,),
    }


def test_a_review_carrying_a_facets_theme_matches_it_without_a_passage() -> None:
    whole = [similar(hit("r-d", 40, "The family moved house."))]
    tags = {"r-d": frozenset({"children_in_care"}), "r-a": frozenset({"nai_infancy"})}
    found: list[list[PassageHit]] = [[], [hit("r-a", 1, BRUISE)], [], []]

    results = rank_by_facets(FACETS, whole, found, tags, says)

    by_id = {r.review_id: r for r in results}
    assert by_id["r-d"].matched == (0, 2) and by_id["r-d"].by_theme == (2,)
    # a passage and the theme: the strongest match there is (1, not 1.5)
    assert by_id["r-a"].matched == (0, 1) and by_id["r-a"].by_theme == (1,)
    assert round(by_id["r-a"].score, 4) == round((1 + 1) / 5, 4)
    assert round(by_id["r-d"].score, 4) == round((1 + 1 + 0.5) / 5, 4)


def test_a_passage_found_for_two_facets_and_the_whole_precis_is_shown_once_with_both() -> None:
    both = f"{BRUISE} She was a care leaver."
    whole = [similar(hit("r-a", 1, both))]
    found = [[], [hit("r-a", 1, both)], [hit("r-a", 9, f"Finding 3. {both}")], []]

    (result,) = rank_by_facets(FACETS, whole, found, {}, says)

    assert [(p.passage.unit_id, p.facets) for p in result.passages] == [(1, (1, 2))]


def test_glossary_passages_are_no_evidence_and_k_limits_the_results() -> None:
    found = [
        [],
        [hit("r-a", 1, "bruise: a mark on the skin", section="Glossary"), hit("r-b", 2, BRUISE)],
        [],
        [],
    ]
    results = rank_by_facets(FACETS, [], found, {}, says, k=1)

    assert [(r.review_id, r.matched) for r in results] == [("r-b", (0, 1))]
