"""What every search of an engine shares: one call at a time, and a query that says something.

An engine may be shared by threads (one app, many sessions), so its public methods hold its
lock; numpy's BLAS runs single-threaded meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from threadpoolctl import ThreadpoolController

from learning.errors import EmptyQuery
from learning.query import QueryTerms, extract_terms, words_of

Method = TypeVar("Method", bound=Callable[..., Any])


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def serialised(method: Method) -> Method:
    """One call at a time per engine: it may be shared by threads (one app, many sessions).

    numpy's BLAS runs single-threaded meanwhile: a query's products are matrix-vector ones
    that gain nothing from threads, and BLAS threads left spinning after one take the core
    that the model's next query encode needs (measured: encode p95 4x slower)."""

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock, _blas().limit(limits=1, user_api="blas"):
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


def check_query(query: str) -> QueryTerms:
    """The query's terms; an empty query is refused (EmptyQuery)."""
    if not words_of(query):
        raise EmptyQuery("the query is empty: give some words to search for")
    return extract_terms(query)
