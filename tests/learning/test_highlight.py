"""Search results as pages show them: safe Markdown with matched words bold, locations, labels."""

from __future__ import annotations

import pytest

from learning.highlight import (
    escape_markdown,
    highlight_markdown,
    passage_location,
    unit_markdown,
    value_label,
)
from learning.query import extract_terms, highlight_spans
from learning.results import PassageHit


def _hit(**fields: object) -> PassageHit:
    values: dict[str, object] = {
        "review_id": "r-1", "title": "Child A: a review", "source": "/r/a.pdf", "year": 2020,
        "nation": "england", "partnership": None, "review_type": "cspr", "outcome": "death",
        "age_group": "under_1", "unit_id": 7, "kind": "finding", "number": "2",
        "section": "Findings", "page": 5, "page_label": None, "text": "Bruising was missed.",
        "score": 1.0, "highlighted": "", "spans": (),
    }  # fmt: skip
    return PassageHit(**{**values, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("**bold** and _it_", r"\*\*bold\*\* and \_it\_"),
        ("# not a heading", r"\# not a heading"),
        ("1. not a list", r"1\. not a list"),
        ("<b>tag</b>", r"\<b\>tag\<\/b\>"),
        ("costs $5 and $6", r"costs \$5 and \$6"),
        (":red[colour] :smile:", r"\:red\[colour\] \:smile\:"),
        ("[link](http://x)", r"\[link\]\(http\:\/\/x\)"),
        ("back\\slash", r"back\\slash"),
        ("line one\n\n    indented\tcode", "line one indented code"),
    ],
)
def test_escape_markdown_renders_the_text_as_written(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        (
            "Bruising in a non-mobile baby.",
            "bruising baby",
            r"**Bruising** in a non\-mobile **baby**\.",
        ),
        ("The *father* was not seen.", "father", r"The \***father**\* was not seen\."),
        ("Nothing here matches.", "county lines", r"Nothing here matches\."),
        ("  Leading space and bruises", "bruise", "Leading space and **bruises**"),
    ],
)
def test_highlight_bolds_the_query_words_in_escaped_text(
    text: str, query: str, expected: str
) -> None:
    spans = highlight_spans(text, extract_terms(query))
    assert highlight_markdown(text, spans) == expected


def test_highlight_skips_spans_out_of_order_or_out_of_range() -> None:
    assert highlight_markdown("abc def", [(4, 7), (0, 3), (5, 99)]) == "abc **def**"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "Finding 2 · Findings · page 5 of Child A: a review"),
        ({"page_label": "iv"}, "Finding 2 · Findings · page iv of Child A: a review"),
        (
            {"kind": "passage", "number": None, "section": "Summary", "page": 1},
            "Passage · Summary · page 1 of Child A: a review",
        ),
        (
            {"kind": "recommendation", "number": None, "section": ""},
            "Recommendation · page 5 of Child A: a review",
        ),
    ],
)
def test_passage_location_says_page_n_of_the_review(
    fields: dict[str, object], expected: str
) -> None:
    assert passage_location(_hit(**fields)) == expected


@pytest.mark.parametrize(
    ("number", "text", "expected"),
    [
        ("3", "Agencies should share.", "**3** Agencies should share\\.  \n*page 4*"),
        ("3", "3. Agencies should share.", "3\\. Agencies should share\\.  \n*page 4*"),
        (None, "No number.", "No number\\.  \n*page 4*"),
        ("R2", "R2: share.", "R2\\: share\\.  \n*page 4*"),
    ],
)
def test_unit_markdown_numbers_once_and_gives_the_page(
    number: str | None, text: str, expected: str
) -> None:
    assert unit_markdown(number, text, 4, None) == expected


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("serious_harm", "Serious harm"),
        ("1_4", "1\u20134 years"),
        ("under_1", "Under 1 year"),
        ("cspr", "CSPR"),
        ("northern_ireland", "Northern Ireland"),
        ("learning_review", "Learning review"),
        ("unknown", "not known"),
        (None, "not known"),
        ("", "not known"),
        ("significant_harm", "significant harm"),
    ],
)
def test_value_label_in_words(value: str | None, label: str) -> None:
    assert value_label(value) == label
