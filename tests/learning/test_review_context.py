"""Short reviews read as one text: the whole-text BM25 and centroids (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from learning.keywords import bm25_scores, invert, query_terms, unit_terms
from learning.review_context import (
    SHORT_DOCUMENT_UNITS,
    UnitPlace,
    build_context_map,
    centroids,
    context_bm25,
)

FILLER = [
    (f"f{n}", "Other", text)
    for n, text in enumerate(
        [
            "The school nurse saw the family twice about attendance.",
            "Housing officers visited the flat after a complaint about damp.",
            "The health visitor gave advice on feeding and sleep.",
            "Police attended a call about noise and found no one at home.",
            "The GP reviewed the mother's medication at a routine appointment.",
            "Children's social care closed the referral after one visit.",
            "The nursery reported that the child was often collected late.",
            "A strategy meeting was held without the health visitor present.",
            "The probation officer did not know a baby had been born.",
            "The father missed three appointments with the drug service.",
            "The midwife recorded that the pregnancy was concealed until late.",
            "A neighbour told the housing officer that the children were alone.",
        ]
    )
]


def _index(units: list[tuple[str, str, str]]):
    """Places, per-unit lengths and postings for ``(review, section, text)`` units."""
    places = [UnitPlace(i, review, section) for i, (review, section, _) in enumerate(units)]
    terms = [unit_terms(text, section) for _, section, text in units]
    lengths = np.asarray([t.length for t in terms], np.float32)
    return places, lengths, invert(list(range(len(units))), terms)


def _scores(units: list[tuple[str, str, str]], query: str) -> dict[str, float]:
    places, lengths, postings = _index(units)
    contexts = build_context_map(places, lengths)
    analysed = query_terms(query.split())
    held = [postings[t] for t in analysed if t in postings]
    present = [t for t in analysed if t in postings]
    scores = context_bm25(present, held, contexts, len(units), float(lengths.mean()))
    return dict(zip(contexts.review_of, scores.tolist(), strict=True))


PARAGRAPH = (
    "Professionals did not consider how race and culture shaped the family's experience. "
    "Bias affected how the child's behaviour was read by school and police."
)
ITEMS = [
    "1. Professionals did not consider how race and culture shaped the family's experience.",
    "2. Bias affected how the child's behaviour was read by school and police.",
]


def test_a_list_split_into_items_scores_as_the_paragraph_it_was() -> None:
    whole = _scores([("r1", "Recommendations", PARAGRAPH), *FILLER], "race culture bias")
    split = _scores([("r1", "Recommendations", t) for t in ITEMS] + FILLER, "race culture bias")
    # the heading each item carries is counted once, so the whole texts score alike
    assert split["r1"] == pytest.approx(whole["r1"], rel=0.05)
    assert split["r1"] > 0


def test_a_repeated_heading_is_counted_once() -> None:
    texts = [f"Point {n} about the visits." for n in range(5)]
    split = [("r1", "Race and culture", text) for text in texts]
    joined = [("r2", "Race and culture", " ".join(texts))]
    scores = _scores(split + joined + FILLER, "race")
    # five units each carry the heading; the whole text holds it once, as the joined unit does
    assert scores["r1"] == pytest.approx(scores["r2"], rel=0.01)


def test_a_review_that_holds_the_words_across_paragraphs_beats_a_one_line_mention() -> None:
    spread = [
        ("r1", "Learning", "Race and racism were not discussed with the family."),
        ("r1", "Learning", "Practitioners did not ask how culture affected the child."),
        ("r1", "Recommendations", "Training on race, culture and bias for all agencies."),
    ]
    one_line = [("r2", "Recommendations", "1. Strengthen understanding of bias.")]
    scores = _scores(spread + one_line + FILLER, "race culture bias")
    assert scores["r1"] > scores["r2"] > 0


def test_the_whole_text_is_on_the_units_scale() -> None:
    units = [("r1", "Findings", PARAGRAPH), *FILLER]
    places, lengths, postings = _index(units)
    terms = query_terms(["race", "bias"])
    unit_scores = bm25_scores(
        [postings[t] for t in terms],
        np.ones(len(units), np.float32) * 0 + (1.2 * (1 - 0.75 + 0.75 * lengths / lengths.mean())),
        len(units),
        len(units),
    )
    whole = _scores(units, "race bias")["r1"]
    assert whole == pytest.approx(float(unit_scores[0]), rel=1e-4)


def test_only_short_reviews_get_a_whole_text() -> None:
    long_review = [("long", "S", f"Unit {n} text.") for n in range(SHORT_DOCUMENT_UNITS + 1)]
    short_review = [("short", "S", "One unit.")]
    places, lengths, _ = _index(long_review + short_review)
    contexts = build_context_map(places, lengths)
    assert contexts.review_of == ("short",)
    ids, owners = contexts.unit_ids()
    assert ids.tolist() == [SHORT_DOCUMENT_UNITS + 1] and owners.tolist() == [0]


def test_centroids_are_normalised_means() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32)
    rows = centroids(vectors, np.array([0, 0, 1]), 3)
    assert rows[0] == pytest.approx([2**-0.5, 2**-0.5])
    assert rows[1] == pytest.approx([1.0, 0.0])
    assert rows[2] == pytest.approx([0.0, 0.0])  # a context with no units stays zero
