"""Query latency of the learning engine, for ``bench_learning``: p50/p95 of passage and review
search with and without filters, the model's share of it, and the keyword side alone (the
product's postings against FTS5's own ranking).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.learning_compare import FILTERS, K, Latency, percentiles
from benchmarks.table import BenchTable
from learning.encoder import Encoder
from learning.filters import Filters

FILTER_LABEL = "year 2016-2022, finding or recommendation"


class QueryEncoder:
    """A real encoder answering to another encoder's name, so a fake-built index takes real
    query vectors (same dimension)."""

    def __init__(self, inner: Encoder, name: str) -> None:
        self._inner = inner
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.encode(texts)


def measure_latency(
    index_dir: Path, encoder: Encoder, queries: Sequence[str]
) -> dict[tuple[str, str], Latency]:
    """p50/p95 per (search, filter) over ``queries``, after a warm-up pass."""
    from learning.search import open_engine

    engine = open_engine(index_dir, encoder)
    try:
        searches = {"passages": engine.search_passages, "reviews": engine.search_reviews}
        for query in queries[:10]:
            engine.search_passages(query, K)
        # The model's share of each query, measured alone in the same run.
        results = {("query encode only", "none"): _latency_of(_encode_only(encoder), queries, None)}
        for search_name, search in searches.items():
            for filter_name, filters in (("none", None), ("filtered", FILTERS)):
                results[(search_name, filter_name)] = _latency_of(search, queries, filters)
        return results
    finally:
        engine.close()


def measure_keyword_sides(
    index_dir: Path, encoder: Encoder, queries: Sequence[str]
) -> dict[tuple[str, str], Latency]:
    """The keyword side alone, top 100, by the product's postings and by FTS5's own bm25
    ranking of the same query, without and with the filter."""
    from learning.query import extract_terms
    from learning.search import open_engine

    engine = open_engine(index_dir, encoder)
    try:
        terms = [extract_terms(query) for query in queries]
        sides = {"postings (the product)": engine._keyword, "FTS5 bm25": engine._keyword_fts}
        results: dict[tuple[str, str], Latency] = {}
        for filter_name, filters in (("none", None), ("filtered", FILTERS)):
            allowed = engine._allowed(filters)
            for side_name, side in sides.items():
                for term in terms[:20]:  # warm the page cache
                    side(term, engine.pool, allowed)
                samples = []
                for term in terms:
                    started = time.perf_counter()
                    side(term, engine.pool, allowed)
                    samples.append(time.perf_counter() - started)
                results[(side_name, filter_name)] = percentiles(samples)
        return results
    finally:
        engine.close()


def keyword_side_table(size: int, results: dict[tuple[str, str], Latency]) -> BenchTable:
    rows = []
    for (side, filtered), latency in results.items():
        fts5 = results[("FTS5 bm25", filtered)]
        rows.append(
            (
                side,
                FILTER_LABEL if filtered == "filtered" else "none",
                f"{latency.p50_ms:.1f}",
                f"{latency.p95_ms:.1f}",
                f"{latency.p50_ms / fts5.p50_ms:.2f} / {latency.p95_ms / fts5.p95_ms:.2f}",
            )
        )
    return BenchTable(
        f"Keyword side alone at {size:,} passages: postings against FTS5 ranking",
        ("keyword side", "filter", "p50 ms", "p95 ms", "p50 / p95 vs FTS5"),
        tuple(rows),
        notes="Top 100 (the engine's pool) of the same queries as the latency table. Postings: "
        "BM25 computed in arrays from the index's per-word postings (learning.keywords), "
        "phrases by FTS5. FTS5 bm25: FTS5 ranks the whole query itself, scoring every unit "
        "that holds a query word (how the keyword side worked before, and how it works on an "
        "index whose postings are not built yet).",
    )


def _encode_only(encoder: Encoder) -> Callable[..., Any]:
    def encode(query: str, k: int, filters: Filters | None) -> Any:
        return encoder.encode([query])

    return encode


def _latency_of(
    search: Callable[..., Any], queries: Sequence[str], filters: Filters | None
) -> Latency:
    samples = []
    for query in queries:
        started = time.perf_counter()
        search(query, K, filters)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def latency_table(
    results: dict[int, dict[tuple[str, str], Latency]],
    types: dict[int, tuple[str, int]],
    queries: int,
    fake_sizes: Sequence[int],
) -> BenchTable:
    rows = []
    for size, figures in results.items():
        kind, units = types[size]
        for (search, filtered), latency in figures.items():
            rows.append(
                (
                    f"{size:,}",
                    f"{units:,}",
                    kind,
                    search,
                    FILTER_LABEL if filtered == "filtered" else "none",
                    f"{latency.p50_ms:.1f}",
                    f"{latency.p95_ms:.1f}",
                )
            )
    fake = ", ".join(f"{size:,}" for size in fake_sizes) or "none"
    return BenchTable(
        f"Query latency, model warm, k={K}, {queries} queries (target p95 < 50 ms at 100,000)",
        ("passages", "units", "vectors", "search", "filter", "p50 ms", "p95 ms"),
        tuple(rows),
        notes="Each query: real MiniLM query encode, FAISS and the BM25 postings on the two "
        "sides, fusion, rows and highlights; 'query encode only' is the model's part of that, "
        "timed alone. Queries: the evaluation set's texts plus phrases cut from generated "
        "passages. Indexes built with the fake encoder (same dimension 384): "
        f"{fake}; their FAISS search cost does not depend on vector content, the keyword "
        "postings hold the real text's words, and queries are encoded by the real model.",
    )
