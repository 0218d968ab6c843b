"""What the Search and Similar cases pages ask: a query or a précis within limits, and filters
chosen from lists, turned into the engine's :class:`~learning.filters.Filters`. Pure.

The choices go through :func:`~learning.filters.parse_filters`, so a page filter means exactly
what the same ``--filter`` means to ``cspr search``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from learning.errors import EmptyQuery, LearningError
from learning.filters import Filters, parse_filters
from learning.query import words_of

MAX_QUERY_CHARS = 500
MAX_PRECIS_CHARS = 5000


class QueryTooLong(LearningError, ValueError):
    """A query or précis is longer than the page accepts."""


class SearchMode(StrEnum):
    """What a search lists: the best passages, or the best reviews with their passages."""

    PASSAGES = "passages"
    REVIEWS = "reviews"


@dataclass(frozen=True)
class SearchChoices:
    """The filters as a page collects them; empty means "any". ``years`` is the slider's
    range and ``year_span`` the index's: a range left at the full span filters nothing (so
    reviews of unknown year stay in)."""

    years: tuple[int, int] | None = None
    year_span: tuple[int, int] | None = None
    nation: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    age_group: tuple[str, ...] = ()
    review_type: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    partnership: str = ""


def build_filters(choices: SearchChoices) -> Filters:
    """The engine's filters for ``choices`` (raises ``InvalidFilter`` for a value it refuses)."""
    expressions: list[str] = []
    if choices.years is not None and choices.years != choices.year_span:
        low, high = sorted(choices.years)
        expressions.append(f"year={low}-{high}")
    for field in ("nation", "outcome", "age_group", "review_type", "kind"):
        values: tuple[str, ...] = getattr(choices, field)
        if values:
            expressions.append(f"{field}={','.join(values)}")
    if choices.partnership.strip():
        expressions.append(f"partnership={choices.partnership.strip()}")
    return parse_filters(expressions)


def check_text(text: str, *, limit: int = MAX_QUERY_CHARS, what: str = "query") -> str:
    """``text`` trimmed, if it has words and is at most ``limit`` characters long."""
    trimmed = text.strip()
    if not words_of(trimmed):
        raise EmptyQuery(f"the {what} is empty: give some words to search for")
    if len(trimmed) > limit:
        raise QueryTooLong(
            f"the {what} has {len(trimmed):,} characters; keep it to {limit:,} "
            "(the words that matter most)"
        )
    return trimmed
