"""The sentences a briefing may quote: cut from a unit, found whole on the page they cite."""

from __future__ import annotations

import pytest

from learning.briefing_sentences import (
    MAX_WORDS,
    PageTexts,
    Sentence,
    normalised,
    split_sentences,
    unit_sentences,
)
from learning.models import Page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Finding 2: The health visitor did not ask who lived in the home. Too short here.",
            ["The health visitor did not ask who lived in the home."],
        ),
        (
            "1. Recommendation 3 - The partnership should audit the bruising protocol yearly.",
            ["The partnership should audit the bruising protocol yearly."],
        ),
        (
            "- Agencies did not share what they knew about the father's history of violence.",
            ["Agencies did not share what they knew about the father's history of violence."],
        ),
        (
            "The emergency department did not apply its checks to an infant 5.6 A floppy "
            "episode in a young baby should prompt a senior review.",
            [
                "The emergency department did not apply its checks to an infant",
                "A floppy episode in a young baby should prompt a senior review.",
            ],
        ),
        ("Recommendations", []),
    ],
)
def test_split_sentences_cuts_marks_labels_and_short_ones(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
    for sentence in expected:
        assert sentence in text  # a substring of the unit: the review's own words


def test_a_sentence_too_long_is_cut_at_a_clause_or_left_out() -> None:
    clause = "The review found that the assessment relied on the mother's account alone"
    tail = " and ".join(["it did not look at the history of the family"] * 6)
    long_one = f"{clause}; {tail}."
    assert split_sentences(long_one) == [clause]
    no_break = " ".join(["word"] * (MAX_WORDS + 5)) + "."
    assert split_sentences(no_break) == []


def test_normalised_joins_line_end_hyphens_and_drops_marks() -> None:
    page = "## Findings\n\nThe **inter-\nagency** meeting  was\nnot held."
    assert normalised(page) == "Findings The inter-agency meeting was not held."
    assert normalised("The inter- agency meeting was not held.") in normalised(page)


def test_a_sentence_cites_the_page_that_holds_it_and_none_spans_two() -> None:
    pages = [
        Page(1, "The child lived with her mother. The health visitor", "i"),
        Page(2, "called twice.\n\nNobody asked who else lived in the home at that time.", "1"),
    ]
    texts = PageTexts(pages)
    first, spanning, later = [
        Sentence("The child lived with her mother.", "passage", "", 1, 0),
        Sentence("The health visitor called twice.", "passage", "", 1, 1),
        Sentence("Nobody asked who else lived in the home at that time.", "passage", "", 1, 2),
    ]
    opening = texts.locate(first)
    assert opening is not None and opening.citation == "p. i"
    assert texts.locate(spanning) is None
    placed = texts.locate(later)
    assert placed is not None and (placed.page, placed.citation) == (2, "p. 1")


def test_unit_sentences_number_in_document_order() -> None:
    found = unit_sentences(
        "The first sentence is long enough to count. The second sentence is long enough too.",
        "finding",
        "Findings",
        4,
        10,
        unit=3,
    )
    assert [(s.order, s.unit, s.unit_page) for s in found] == [(10, 3, 4), (11, 3, 4)]
