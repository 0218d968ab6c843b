"""Query words: which terms the keyword side searches. Pure."""

from __future__ import annotations

from learning.query import build_match_expression, extract_terms


def test_match_expression_quotes_words_and_phrases() -> None:
    terms = extract_terms('non-mobile baby "see the child"')
    assert build_match_expression(terms) == '"baby" OR "see the child" OR "non mobile"'
