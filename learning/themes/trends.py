"""Prevalence, co-occurrence and change of themes over a table of review-level tags. Pure.

Inputs are each review's facts (year, nation, partnership, age group, outcome, review type)
and the set of theme ids it carries. Every review falls in exactly one group of a dimension
(``unknown`` where the fact is missing), so group sizes add up to the number of reviews.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

DIMENSIONS = ("year", "nation", "partnership", "age_group", "outcome", "review_type")
UNKNOWN = "unknown"
AGE_ORDER = ("under_1", "1_4", "5_9", "10_14", "15_17", "mixed")


@dataclass(frozen=True)
class ReviewFacts:
    """What trends group reviews by; ``None`` where unknown."""

    review_id: str
    year: int | None = None
    nation: str | None = None
    partnership: str | None = None
    age_group: str | None = None
    outcome: str | None = None
    review_type: str | None = None

    def value_of(self, dimension: str) -> str:
        if dimension not in DIMENSIONS:
            choices = ", ".join(DIMENSIONS)
            raise ValueError(f"cannot group by {dimension!r}; choose one of {choices}")
        value = getattr(self, dimension)
        if value is None or str(value).strip() == "":
            return UNKNOWN
        return str(value).strip()


@dataclass(frozen=True)
class PrevalenceRow:
    group: str
    theme_id: str
    count: int
    reviews: int

    @property
    def share(self) -> float:
        return self.count / self.reviews if self.reviews else 0.0


@dataclass(frozen=True)
class PrevalenceTable:
    """Theme counts and shares per group; ``groups`` pairs each group with its review count."""

    dimension: str
    total_reviews: int
    groups: tuple[tuple[str, int], ...]
    rows: tuple[PrevalenceRow, ...]


@dataclass(frozen=True)
class Cooccurrence:
    """Reviews carrying all of ``themes``: observed, expected if independent, and lift."""

    themes: tuple[str, ...]
    observed: int
    expected: float
    lift: float


@dataclass(frozen=True)
class ThemeChange:
    """A theme's share of reviews in the recent years against the years before."""

    theme_id: str
    first_year: int | None
    recent_count: int
    recent_reviews: int
    earlier_count: int
    earlier_reviews: int
    status: str

    @property
    def recent_share(self) -> float:
        return self.recent_count / self.recent_reviews if self.recent_reviews else 0.0

    @property
    def earlier_share(self) -> float:
        return self.earlier_count / self.earlier_reviews if self.earlier_reviews else 0.0

    @property
    def change(self) -> float:
        return self.recent_share - self.earlier_share


def tag_matrix(
    review_ids: Sequence[str],
    tags: Mapping[str, frozenset[str] | set[str]],
    theme_ids: Sequence[str],
) -> np.ndarray:
    """(reviews x themes) booleans; themes not in ``theme_ids`` are ignored."""
    column = {theme_id: place for place, theme_id in enumerate(theme_ids)}
    matrix = np.zeros((len(review_ids), len(theme_ids)), dtype=bool)
    for row, review_id in enumerate(review_ids):
        for theme_id in tags.get(review_id, ()):
            if theme_id in column:
                matrix[row, column[theme_id]] = True
    return matrix


def _group_key(dimension: str, group: str) -> tuple[int, int, str]:
    if group == UNKNOWN:
        return (2, 0, group)
    if dimension == "year" and group.isdigit():
        return (0, int(group), group)
    if dimension == "age_group" and group in AGE_ORDER:
        return (0, AGE_ORDER.index(group), group)
    return (1, 0, group.lower())


def prevalence(
    facts: Sequence[ReviewFacts],
    tags: Mapping[str, frozenset[str] | set[str]],
    theme_ids: Sequence[str],
    dimension: str,
) -> PrevalenceTable:
    """Per group of ``dimension``: how many reviews, and how many carry each theme."""
    values = [fact.value_of(dimension) for fact in facts]
    groups = sorted(set(values), key=lambda group: _group_key(dimension, group))
    index = {group: place for place, group in enumerate(groups)}
    membership = np.zeros((len(facts), len(groups)), dtype=np.int64)
    membership[np.arange(len(facts)), [index[value] for value in values]] = 1
    matrix = tag_matrix([fact.review_id for fact in facts], tags, theme_ids).astype(np.int64)
    counts = membership.T @ matrix
    sizes = membership.sum(axis=0)
    rows = tuple(
        PrevalenceRow(group, theme_id, int(counts[g, t]), int(sizes[g]))
        for g, group in enumerate(groups)
        for t, theme_id in enumerate(theme_ids)
    )
    return PrevalenceTable(
        dimension, len(facts), tuple((g, int(sizes[i])) for i, g in enumerate(groups)), rows
    )


def cooccurrence(
    review_ids: Sequence[str],
    tags: Mapping[str, frozenset[str] | set[str]],
    theme_ids: Sequence[str],
    *,
    sizes: Sequence[int] = (2, 3),
    min_observed: int = 2,
) -> list[Cooccurrence]:
    """Pairs and triples of themes seen together in at least ``min_observed`` reviews.

    Expected count under independence is N x p(a) x p(b) (x p(c)); lift = observed / expected.
    Ordered by lift, then observed, then the theme ids.
    """
    matrix = tag_matrix(review_ids, tags, theme_ids)
    total = matrix.shape[0]
    if total == 0:
        return []
    prevalence_of = matrix.sum(axis=0) / total
    found: list[Cooccurrence] = []
    as_int = matrix.astype(np.int64)
    pair_counts = as_int.T @ as_int
    for size in sizes:
        for combo in _candidates(size, pair_counts, min_observed, len(theme_ids)):
            observed = int(np.logical_and.reduce(matrix[:, list(combo)], axis=1).sum())
            if observed < min_observed:
                continue
            expected = float(total * np.prod(prevalence_of[list(combo)]))
            found.append(
                Cooccurrence(
                    tuple(theme_ids[i] for i in combo),
                    observed,
                    expected,
                    observed / expected if expected else 0.0,
                )
            )
    found.sort(key=lambda item: (-round(item.lift, 9), -item.observed, item.themes))
    return found


def _candidates(
    size: int, pair_counts: np.ndarray, min_observed: int, n_themes: int
) -> list[tuple[int, ...]]:
    """Theme combinations whose every pair is seen often enough (others cannot qualify)."""
    frequent = pair_counts >= min_observed
    return [
        combo
        for combo in combinations(range(n_themes), size)
        if all(frequent[a, b] for a, b in combinations(combo, 2))
    ]


def theme_changes(
    facts: Sequence[ReviewFacts],
    tags: Mapping[str, frozenset[str] | set[str]],
    theme_ids: Sequence[str],
    *,
    recent_years: int = 3,
    latest_year: int | None = None,
    min_change: float = 0.1,
) -> list[ThemeChange]:
    """Rising, falling, new and steady themes: share of reviews in the last ``recent_years``
    years up to ``latest_year`` (default: the latest year in the data) against the years before.

    ``new``: first seen inside the recent window. Reviews without a year are left out.
    """
    dated = [fact for fact in facts if fact.year is not None]
    if not dated:
        return []
    latest = latest_year if latest_year is not None else max(int(f.year or 0) for f in dated)
    start = latest - recent_years + 1
    years = np.array([int(fact.year or 0) for fact in dated])
    window = (years >= start) & (years <= latest)
    before = years < start
    matrix = tag_matrix([fact.review_id for fact in dated], tags, theme_ids)
    changes = []
    for column, theme_id in enumerate(theme_ids):
        carried = matrix[:, column] & (years <= latest)
        first = int(years[carried].min()) if carried.any() else None
        change = ThemeChange(
            theme_id,
            first,
            int(carried[window].sum()),
            int(window.sum()),
            int(carried[before].sum()),
            int(before.sum()),
            "",
        )
        changes.append(_with_status(change, start, min_change))
    order = {"new": 0, "rising": 1, "steady": 2, "falling": 3, "absent": 4}
    changes.sort(key=lambda c: (order[c.status], -round(c.change, 9), c.theme_id))
    return changes


def _with_status(change: ThemeChange, window_start: int, min_change: float) -> ThemeChange:
    if change.first_year is None:
        status = "absent"
    elif change.first_year >= window_start and change.earlier_count == 0:
        status = "new"
    elif change.change >= min_change:
        status = "rising"
    elif change.change <= -min_change:
        status = "falling"
    else:
        status = "steady"
    return ThemeChange(
        change.theme_id,
        change.first_year,
        change.recent_count,
        change.recent_reviews,
        change.earlier_count,
        change.earlier_reviews,
        status,
    )
