"""Theme tagging throughput, and trends and co-occurrence over 100,000 synthetic units.

1. Tagging with precomputed unit vectors (what ``cspr themes tag`` does after ingest: unit
   vectors come from the index, only the theme prototypes are encoded): unit x theme
   confidences (semantic + lexical) and review aggregation, in units per second.
2. Tagging with the real encoder: the units are encoded by the bundled MiniLM first (what a
   first-time tagging of unindexed text would cost), on a smaller sample.
3. Trends over 100,000 synthetic units in 2,000 reviews: unit confidences drawn from a fixed
   seed, aggregated to review tags, then prevalence by every dimension, co-occurrence (pairs
   and triples) and rising/new themes. Also the same analyses over 100,000 synthetic reviews.

Passages are ``benchmarks.scale_corpus.generate_passages`` when it is available (recombined
demo-corpus text), else synthetic word salad. Only the computation is timed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.table import BenchTable
from learning.encoder import FakeEncoder
from learning.themes.scoring import (
    ScoringParams,
    build_phrase_index,
    prototype_offsets,
    review_scores,
    unit_confidences,
)
from learning.themes.tagging import theme_prototypes
from learning.themes.taxonomy import load_taxonomy
from learning.themes.trends import DIMENSIONS, ReviewFacts, cooccurrence, prevalence, theme_changes

SEED = 20240601
TAG_UNITS = 20_000
REAL_UNITS = 256
TREND_UNITS = 100_000
TREND_REVIEWS = 2_000
STRESS_REVIEWS = 100_000


def _passages(count: int) -> list[str]:
    try:
        from benchmarks.scale_corpus import generate_passages

        return generate_passages(count, seed=SEED)
    except (ImportError, OSError, RuntimeError, ValueError):
        rng = random.Random(SEED)
        words = [
            "child",
            "mother",
            "father",
            "police",
            "school",
            "health",
            "visitor",
            "neglect",
            "abuse",
            "risk",
            "home",
        ]
        return [" ".join(rng.choice(words) for _ in range(120)) for _ in range(count)]


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def _score(texts: list[str], vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    taxonomy = load_taxonomy()
    _, theme_of = theme_prototypes(taxonomy)
    phrases = build_phrase_index([theme.phrases for theme in taxonomy.themes])
    params = ScoringParams()
    excluded = np.zeros(len(texts), dtype=bool)
    confidence = unit_confidences(
        vectors, texts, excluded, prototypes, prototype_offsets(theme_of), phrases, params
    )
    reviews = np.arange(len(texts)) // 50
    return review_scores(confidence, reviews, int(reviews.max()) + 1, params)


def bench_tagging() -> BenchTable:
    """Units per second: precomputed vectors (fake-encoded), then the real MiniLM."""
    texts = _passages(TAG_UNITS)
    taxonomy = load_taxonomy()
    prototype_texts, _ = theme_prototypes(taxonomy)
    fake = FakeEncoder()
    vectors = fake.encode(texts)
    prototypes = fake.encode(prototype_texts)
    _, seconds = _timed(lambda: _score(texts, vectors, prototypes))
    rows = [
        (
            "precomputed unit vectors",
            f"{TAG_UNITS:,}",
            f"{len(taxonomy.themes)}",
            f"{seconds:.2f}",
            f"{TAG_UNITS / seconds:,.0f}",
        )
    ]
    rows.append(_real_encoder_row(texts[:REAL_UNITS], prototype_texts, len(taxonomy.themes)))
    return BenchTable(
        "Theme tagging throughput (27 themes, ~150-word passages)",
        ("unit vectors", "units", "themes", "seconds", "units/s"),
        tuple(rows),
        notes=(
            "Precomputed: vectors read from the index (here fake-encoded), prototypes encoded "
            "once, semantic + lexical scoring and review aggregation timed. Real encoder: the "
            "bundled all-MiniLM-L6-v2 on CPU encodes the units first (batch 16), then the same "
            "scoring; the model load is not timed."
        ),
    )


def _real_encoder_row(texts: list[str], prototype_texts: list[str], themes: int) -> tuple[str, ...]:
    try:
        from learning.encoder import load_sentence_encoder

        encoder = load_sentence_encoder(None, 16)
    except (ImportError, OSError) as missing:
        return ("real MiniLM encoder", "-", str(themes), "-", f"unavailable ({missing})")

    def run() -> np.ndarray:
        vectors = encoder.encode(texts)
        return _score(texts, vectors, encoder.encode(prototype_texts))

    _, seconds = _timed(run)
    return (
        "real MiniLM encoder",
        f"{len(texts):,}",
        str(themes),
        f"{seconds:.2f}",
        f"{len(texts) / seconds:,.1f}",
    )


def _synthetic_facts(count: int, rng: np.random.Generator) -> list[ReviewFacts]:
    nations = ("england", "wales", "scotland", "northern_ireland")
    ages = ("under_1", "1_4", "5_9", "10_14", "15_17")
    outcomes = ("death", "serious_harm")
    types = ("scr", "cspr", "cpr", "learning_review")
    years = rng.integers(2010, 2026, count)
    return [
        ReviewFacts(
            f"r{i:06d}",
            int(years[i]),
            nations[i % 4],
            f"Partnership {i % 60}",
            ages[i % 5],
            outcomes[i % 2],
            types[i % 4],
        )
        for i in range(count)
    ]


def _synthetic_tags(units: int, reviews: int, themes: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Unit confidences with a few strong themes per review, aggregated to review tags."""
    rng = np.random.default_rng(SEED)
    review_of_unit = np.sort(rng.integers(0, reviews, units))
    confidence = rng.beta(0.4, 4.0, (units, len(themes))).astype(np.float32)
    focus = rng.integers(0, len(themes), (reviews, 3))
    for column in range(3):
        strong = rng.random(units) < 0.3
        rows = np.flatnonzero(strong)
        confidence[rows, focus[review_of_unit[rows], column]] = rng.uniform(0.6, 1.0, rows.size)
    scores = review_scores(confidence, review_of_unit, reviews, ScoringParams())
    return {
        f"r{row:06d}": frozenset(themes[t] for t in np.flatnonzero(scores[row] >= 0.5))
        for row in range(reviews)
    }


def _trend_rows(label: str, facts: list[ReviewFacts], tags, themes) -> list[tuple[str, ...]]:  # noqa: ANN001
    ids = [fact.review_id for fact in facts]
    _, by_all = _timed(lambda: [prevalence(facts, tags, themes, d) for d in DIMENSIONS])
    _, co = _timed(lambda: cooccurrence(ids, tags, themes, min_observed=2))
    _, changes = _timed(lambda: theme_changes(facts, tags, themes))
    return [
        (label, "prevalence by all 6 dimensions", f"{by_all:.3f}"),
        (label, "co-occurrence (pairs and triples)", f"{co:.3f}"),
        (label, "rising and new themes", f"{changes:.3f}"),
    ]


def bench_trends() -> BenchTable:
    themes = load_taxonomy().ids
    rng = np.random.default_rng(SEED)
    tags, aggregate = _timed(lambda: _synthetic_tags(TREND_UNITS, TREND_REVIEWS, themes))
    rows = [
        (
            f"{TREND_UNITS:,} units / {TREND_REVIEWS:,} reviews",
            "aggregate units to review tags",
            f"{aggregate:.3f}",
        ),
    ]
    rows += _trend_rows(
        f"{TREND_UNITS:,} units / {TREND_REVIEWS:,} reviews",
        _synthetic_facts(TREND_REVIEWS, rng),
        tags,
        themes,
    )
    stress = _synthetic_tags(STRESS_REVIEWS * 2, STRESS_REVIEWS, themes)
    rows += _trend_rows(
        f"{STRESS_REVIEWS:,} reviews", _synthetic_facts(STRESS_REVIEWS, rng), stress, themes
    )
    return BenchTable(
        "Trends and co-occurrence over synthetic tags (27 themes)",
        ("data", "step", "seconds"),
        tuple(rows),
        notes="Synthetic unit confidences from a fixed seed (numpy default_rng); pure functions.",
    )


def run() -> list[BenchTable]:
    return [bench_tagging(), bench_trends()]


if __name__ == "__main__":
    for table in run():
        print(table.to_markdown())
