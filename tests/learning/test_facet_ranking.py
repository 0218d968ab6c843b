"""Ranking past reviews on a précis's facets (one score, sorted on), and never showing the same
text of a review twice (``learning.results.distinct_passages``)."""

from __future__ import annotations

import pytest

from learning.facet_ranking import rank_by_facets
from learning.facets import Facet, FacetKind
from learning.index.store import UnitRow
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


def row(review_id: str, unit_id: int, text: str) -> UnitRow:
    """A stored unit of ``review_id`` (one of its own, read for a facet)."""
    fields = {k: v for k, v in review_dict(hit(review_id, unit_id, text)).items()}
    return UnitRow(
        id=unit_id, ordinal=unit_id, kind="passage", number=None, section="Analysis", page=4,
        page_label=None, text=text, **fields,
    )  # fmt: skip


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


def score(whole: float, *facets: float) -> float:
    """Half the whole précis, half the mean over the four facets."""
    return round(0.5 * whole + 0.5 * sum(facets) / len(FACETS), 4)


def test_reviews_are_ranked_by_the_score_they_show_half_the_precis_half_its_facets() -> None:
    whole = [similar(hit("r-c", 30, "A teenager was stabbed.")), similar(hit("r-a", 1, BRUISE))]
    found = [
        [],  # the age is the review's metadata
        [hit("r-a", 1, BRUISE), hit("r-b", 20, "A bruise was seen."), hit("r-c", 31, "No bruise")],
        [hit("r-b", 21, LEAVER), hit("r-c", 32, "He said nothing.")],
        [hit("r-a", 2, HEROIN)],
    ]
    results = rank_by_facets(FACETS, whole, found, {}, says, k=5)

    scores = {r.review_id: round(r.score, 4) for r in results}
    # r-a: whole 0.75 (2nd of 2); age 1, injury 1 (1st of 3), drugs 1 (1st of 1)
    # r-b: not like the whole précis; age 1, injury 0.8333 (2nd of 3), care leaver 1 (1st)
    # r-c: whole 1 (1st); injury 0.6667 (3rd of 3)
    assert scores == {
        "r-a": score(0.75, 1, 1, 1),
        "r-b": score(0, 1, 5 / 6, 1),
        "r-c": score(1, 2 / 3),
    }
    assert [r.review_id for r in results] == ["r-a", "r-c", "r-b"]
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
    assert round(by_id["r-a"].score, 4) == score(0, 1, 1)
    assert round(by_id["r-d"].score, 4) == score(1, 1, 0.5)


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


FATHERS_MIND = Facet(
    FacetKind.RISK, "father's mental health", "Parental mental ill health",
    "father's mental health", theme_ids=("parental_mental_health",),
)  # fmt: skip
MIND = "The father's mental health was not assessed."


def test_a_facet_about_a_person_is_not_matched_by_the_theme_alone() -> None:
    """The tag says the review is about parental mental health, not whose: without a passage
    about the father, the review does not match "father's mental health"."""
    facets = (AGE, FATHERS_MIND)
    whole = [similar(hit("r-a", 1, BRUISE)), similar(hit("r-b", 2, MIND))]
    tags = {review: frozenset({"parental_mental_health"}) for review in ("r-a", "r-b")}
    found: list[list[PassageHit]] = [[], [hit("r-b", 2, MIND)]]

    results = {r.review_id: r for r in rank_by_facets(facets, whole, found, tags, says)}

    assert results["r-a"].matched == (0,) and results["r-a"].by_theme == ()
    assert results["r-b"].matched == (0, 1) and results["r-b"].by_theme == (1,)


def test_a_review_found_at_all_is_searched_for_the_facets_the_library_search_missed() -> None:
    """r-c is among the reviews like the whole précis; the library-wide search for the drugs
    facet did not reach it, but one of its own passages says it: matched, passage shown."""
    whole = [similar(hit("r-c", 30, "A teenager was stabbed."))]
    found: list[list[PassageHit]] = [[], [], [], [hit("r-a", 2, HEROIN)]]
    own = [(row("r-c", 32, "He was quiet."), 0.6), (row("r-c", 33, "Mum used heroin."), 0.5)]
    inside = {"r-c": [[], [(row("r-c", 31, "He had no bruise."), 0.4)], [], own]}

    results = {r.review_id: r for r in rank_by_facets(FACETS, whole, found, {}, says, 5, inside)}

    # r-c: whole 1, injury 0.5 and drugs 0.5 from its own passages ("No bruise" says "bruise")
    assert results["r-c"].matched == (1, 3)
    assert round(results["r-c"].score, 4) == score(1, 0.5, 0.5)
    assert [(p.passage.unit_id, p.facets) for p in results["r-c"].passages] == [
        (31, (1,)),
        (33, (3,)),
        (30, ()),
    ]
    assert results["r-a"].matched == (0, 3)  # the library's best for drugs scores 1 there


def test_every_matched_facet_shows_its_passage_however_many_it_matches() -> None:
    texts = ["bruise on the cheek", "a care leaver", "heroin use", "the school nurse"]
    school = Facet(FacetKind.AGENCY, "school nurse", "school nurse", "school", agency="school")
    extra = Facet(FacetKind.RISK, "nurse", "Health", "nurse", theme_ids=("health_practice",))
    facets = (*FACETS, school, extra)
    found = [[], *([hit("r-a", index, text)] for index, text in enumerate(texts)), []]
    found[5] = [hit("r-a", 9, "The nurse did not refer.")]
    whole = [similar(hit("r-a", 20, "A long passage about the family's move to a new town."))]

    (result,) = rank_by_facets(facets, whole, found, {}, says, 5)

    assert result.matched == (0, 1, 2, 3, 4, 5)
    shown = [p.facets for p in result.passages]
    assert shown == [(1,), (2,), (3,), (4,), (5,)]  # five passages, the whole précis's left out


def test_a_precis_with_no_facets_is_ranked_as_a_whole() -> None:
    whole = [similar(hit("r-c", 30, "A teenager was stabbed.")), similar(hit("r-a", 1, BRUISE))]

    results = rank_by_facets((), whole, [], {}, says)

    assert [(r.review_id, r.score, r.matched) for r in results] == [
        ("r-c", 1.0, ()),
        ("r-a", 0.75, ()),
    ]
