"""Ranking quality measures for the evaluation set. Pure functions.

Judgements are graded (2 = about this, 1 = partly relevant, absent = not relevant). nDCG uses
the grade as the gain; recall and average precision count any grade >= 1 as relevant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg_at_k(ranking: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` items: sum of grade / log2(rank + 1)."""
    return sum(
        judgements.get(item, 0) / math.log2(rank + 1)
        for rank, item in enumerate(ranking[:k], start=1)
    )


def ndcg_at_k(ranking: Sequence[str], judgements: Mapping[str, int], k: int = 10) -> float:
    """DCG@k over the DCG@k of the ideal ranking (0 when nothing is relevant)."""
    ideal_order = sorted(judgements, key=lambda item: -judgements[item])
    ideal = dcg_at_k(ideal_order, judgements, k)
    return dcg_at_k(ranking, judgements, k) / ideal if ideal else 0.0


def _relevant(judgements: Mapping[str, int]) -> set[str]:
    return {item for item, grade in judgements.items() if grade >= 1}


def recall_at_k(ranking: Sequence[str], judgements: Mapping[str, int], k: int = 20) -> float:
    """Share of the relevant items found in the first ``k``."""
    relevant = _relevant(judgements)
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)


def average_precision(ranking: Sequence[str], judgements: Mapping[str, int]) -> float:
    """Mean of the precision at each relevant item's rank, over all relevant items (a relevant
    item never retrieved contributes 0)."""
    relevant = _relevant(judgements)
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, item in enumerate(dict.fromkeys(ranking), start=1):
        if item in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def paired_difference(
    base: Mapping[str, float], other: Mapping[str, float], resamples: int = 10_000, seed: int = 7
) -> tuple[float, float, float, int, int]:
    """``other`` minus ``base`` over the queries both scored: the mean difference, its 95%
    interval by a paired bootstrap over queries, and on how many queries ``other`` was better
    and worse. A mean gain whose interval holds 0 is not told apart from query-to-query noise."""
    import random

    differences = [other[query] - base[query] for query in sorted(base) if query in other]
    if not differences:
        return (0.0, 0.0, 0.0, 0, 0)
    rng = random.Random(seed)
    count = len(differences)
    means = sorted(sum(rng.choices(differences, k=count)) / count for _ in range(resamples))
    return (
        sum(differences) / count,
        means[int(0.025 * resamples)],
        means[int(0.975 * resamples) - 1],
        sum(d > 1e-9 for d in differences),
        sum(d < -1e-9 for d in differences),
    )
