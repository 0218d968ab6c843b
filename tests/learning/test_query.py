"""Query words: which terms the keyword side searches. Pure."""

from __future__ import annotations

from learning.query import build_match_expression, extract_terms


def test_match_expression_quotes_words_and_phrases() -> None:
    terms = extract_terms('non-mobile baby "see the child" "and he"')
    assert build_match_expression(terms) == '"non" OR "mobile" OR "baby" OR "see the child"'
