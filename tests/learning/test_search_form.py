"""The Search and Similar pages' inputs: checked text, and filters chosen from lists."""

from __future__ import annotations

import pytest

from learning.errors import EmptyQuery, InvalidFilter
from learning.filters import Filters
from learning.search_form import (
    MAX_PRECIS_CHARS,
    MAX_QUERY_CHARS,
    QueryTooLong,
    SearchChoices,
    build_filters,
    check_text,
)


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (SearchChoices(), Filters()),
        (SearchChoices(years=(2015, 2024), year_span=(2015, 2024)), Filters()),
        (
            SearchChoices(years=(2018, 2020), year_span=(2015, 2024)),
            Filters(year_min=2018, year_max=2020),
        ),
        (
            SearchChoices(nation=("wales", "england"), outcome=("serious_harm",)),
            Filters(nation=("wales", "england"), outcome=("serious_harm",)),
        ),
        (
            SearchChoices(age_group=("1_4",), review_type=("cspr",), kind=("finding",)),
            Filters(age_group=("1_4",), review_type=("cspr",), kind=("finding",)),
        ),
        (SearchChoices(nation=("unknown",)), Filters(nation=("unknown",))),
        (SearchChoices(partnership="  Northshire "), Filters(partnership=("northshire",))),
        (SearchChoices(partnership="   "), Filters()),
    ],
)
def test_choices_become_the_engine_filters(choices: SearchChoices, expected: Filters) -> None:
    assert build_filters(choices) == expected


def test_a_kind_outside_the_three_is_refused() -> None:
    with pytest.raises(InvalidFilter, match="kind is one of: finding, recommendation, passage"):
        build_filters(SearchChoices(kind=("chapter",)))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("  bruising  ", MAX_QUERY_CHARS, "bruising"),
        ("x" * MAX_QUERY_CHARS, MAX_QUERY_CHARS, "x" * MAX_QUERY_CHARS),
        ("word " * 900, MAX_PRECIS_CHARS, ("word " * 900).strip()),
    ],
)
def test_text_within_limits_is_trimmed(text: str, limit: int, expected: str) -> None:
    assert check_text(text, limit=limit) == expected


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", EmptyQuery, "the query is empty"),
        ("  ?! -- ", EmptyQuery, "the query is empty"),
        ("x" * (MAX_QUERY_CHARS + 1), QueryTooLong, "has 501 characters; keep it to 500"),
    ],
)
def test_empty_or_too_long_text_is_refused(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        check_text(text)


def test_the_message_names_what_was_checked() -> None:
    with pytest.raises(QueryTooLong, match="the précis has 5,001 characters; keep it to 5,000"):
        check_text("y" * 5001, limit=MAX_PRECIS_CHARS, what="précis")
