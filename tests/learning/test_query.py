"""Query words and the keyword budget: which words the keyword side scores. Pure."""

from __future__ import annotations

import pytest

from learning.query import (
    KeywordQuery,
    build_match_expression,
    extract_terms,
    keyword_budget,
    keyword_query,
)

COUNTS = {"child": 900, "mother": 700, "bruising": 40, "sling": 3}


def test_words_fitting_the_budget_are_kept_rarest_first_in_query_order() -> None:
    terms = extract_terms("child bruising mother sling")
    chosen = keyword_query(terms, COUNTS, budget=100)
    assert chosen == KeywordQuery(extract_terms("bruising sling"))
    assert chosen.expression == '"bruising" OR "sling"'


def test_a_budget_that_holds_every_word_keeps_the_query_whole() -> None:
    terms = extract_terms("child bruising mother sling")
    assert keyword_query(terms, COUNTS, budget=10_000).terms == terms


def test_words_are_added_rarest_first_until_the_budget_overflows() -> None:
    # sling 3 + bruising 40 + mother 700 = 743 fits 800; child (900 more) does not.
    terms = extract_terms("child mother bruising sling")
    assert keyword_query(terms, COUNTS, budget=800).terms.words == ("mother", "bruising", "sling")
    assert keyword_query(terms, COUNTS, budget=742).terms.words == ("bruising", "sling")


def test_phrases_are_always_kept() -> None:
    terms = extract_terms('child "safe sleep"')
    chosen = keyword_query(terms, COUNTS, budget=10)
    assert chosen.terms.words == ()
    assert chosen.expression == '"safe sleep"'


def test_a_query_of_common_words_only_requires_them_all() -> None:
    chosen = keyword_query(extract_terms("child mother"), COUNTS, budget=100)
    assert chosen.require_all
    assert chosen.expression == '"child" AND "mother"'


def test_one_common_word_alone_is_still_searched() -> None:
    chosen = keyword_query(extract_terms("mother"), COUNTS, budget=100)
    assert chosen.expression == '"mother"'


def test_unknown_words_cost_nothing() -> None:
    chosen = keyword_query(extract_terms("zyzzogeton child"), COUNTS, budget=100)
    assert chosen.terms.words == ("zyzzogeton",)


@pytest.mark.parametrize(
    ("units", "budget"), [(0, 20_000), (10_000, 20_000), (100_000, 40_000), (1_000_000, 400_000)]
)
def test_budget_is_a_share_of_the_index_with_a_floor(units: int, budget: int) -> None:
    assert keyword_budget(units) == budget


def test_match_expression_quotes_words_and_phrases() -> None:
    terms = extract_terms('non-mobile baby "see the child"')
    assert build_match_expression(terms) == '"baby" OR "see the child" OR "non mobile"'
    assert build_match_expression(terms, require_all=True) == (
        '"baby" AND "see the child" AND "non mobile"'
    )
