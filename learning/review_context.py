"""Short reviews read as one text, beside their units. Pure (numpy only).

A review's best unit is a good signal in a long report, and a poor one in a short briefing
whose recommendations are one line each: one line that shares a query word ("1. strengthen
understanding of professional bias...") beats a review whose relevant text is spread over its
paragraphs. So a short review (at most :data:`SHORT_DOCUMENT_UNITS` units) is also read as a
*context*, its whole text, which competes in the ranking as one more unit would:

- keyword side: BM25 with the term counts of its units added (a section heading that each of
  its units carries counted once) and the index's own idf and mean unit length, so splitting a
  list into items cannot lower it and its score sits on the units' scale;
- meaning side: the cosine of the query with the normalised mean of its unit vectors.

Long reviews keep their units alone: measured side by side, reading their sections as texts
lowered review search on the long demo reviews (README, Measured).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from learning.keywords import (
    SECTION_WEIGHT,
    Postings,
    analyse,
    idf,
    length_norms,
    term_scores,
)

#: A review with this many units or fewer is read as one text (a briefing, a summary).
SHORT_DOCUMENT_UNITS = 12


@dataclass(frozen=True)
class UnitPlace:
    """Where a unit sits: its id, review and section (document order within a review)."""

    unit_id: int
    review_id: str
    section: str


@dataclass(frozen=True)
class ContextMap:
    """Every live unit's context, and each context's review, length and heading counts.

    ``lookup[unit_id]`` is the unit's context (-1 for an id the map does not know).
    ``repeats[c]`` counts the heading terms that the per-unit postings hold more than once
    (each unit of a section carries its heading; the context carries it once).
    """

    lookup: np.ndarray
    review_of: tuple[str, ...]
    lengths: np.ndarray
    repeats: tuple[Mapping[str, int], ...]

    @property
    def count(self) -> int:
        return len(self.review_of)

    def unit_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unit that belongs to a context, and its context."""
        ids = np.flatnonzero(self.lookup >= 0)
        return ids, self.lookup[ids]


def build_context_map(
    places: Sequence[UnitPlace],
    unit_lengths: np.ndarray | None = None,
    short_units: int = SHORT_DOCUMENT_UNITS,
) -> ContextMap:
    """The whole-text contexts of the short reviews among ``places`` (every live unit of an
    index, each review's in document order). ``unit_lengths`` (indexed by unit id, as the
    keyword postings count them) gives their lengths; without it every length is 1."""
    per_review = Counter(place.review_id for place in places)
    short = [place for place in places if per_review[place.review_id] <= short_units]
    index_of: dict[str, int] = {}
    size = max((place.unit_id for place in places), default=-1) + 1
    lookup = np.full(size, -1, np.int64)
    units_in_section: Counter[tuple[int, str]] = Counter()
    for place in short:
        context = index_of.setdefault(place.review_id, len(index_of))
        lookup[place.unit_id] = context
        units_in_section[(context, place.section)] += 1
    lengths = np.zeros(len(index_of), np.float32)
    if unit_lengths is not None:
        known = np.flatnonzero(lookup[: unit_lengths.size] >= 0)
        np.add.at(lengths, lookup[known], unit_lengths[known])
    repeats: list[Counter[str]] = [Counter() for _ in index_of]
    for (context, section), units in units_in_section.items():
        if units > 1:
            for term, n in Counter(analyse(section)).items():
                repeats[context][term] += SECTION_WEIGHT * n * (units - 1)
    if unit_lengths is not None:
        for context, held in enumerate(repeats):
            lengths[context] -= sum(held.values()) / SECTION_WEIGHT
    return ContextMap(lookup, tuple(index_of), np.maximum(lengths, 1.0), tuple(repeats))


def context_bm25(
    terms: Sequence[str],
    postings: Sequence[Postings],
    contexts: ContextMap,
    unit_count: int,
    mean_unit_length: float,
) -> np.ndarray:
    """Every context's BM25 for a query whose distinct ``terms`` have these ``postings``,
    scored as if the context were one more unit of the index: a term's count is the sum of its
    units' counts (a repeated heading counted once), idf and mean length are the units' own,
    so a context's score sits on the same scale as a unit's."""
    scores = np.zeros(contexts.count, np.float32)
    if not contexts.count:
        return scores
    norms = length_norms(contexts.lengths, mean_unit_length)
    for term, held in zip(terms, postings, strict=True):
        inside = held.ids < contexts.lookup.size
        owners = contexts.lookup[held.ids[inside]]
        known = owners >= 0
        counts = np.bincount(
            owners[known],
            weights=held.weights[inside][known].astype(np.float64),
            minlength=contexts.count,
        )
        for context in np.flatnonzero(counts):
            counts[context] -= contexts.repeats[context].get(term, 0)
        holding = np.flatnonzero(counts > 0)
        if holding.size:
            term_idf = idf(unit_count, int(held.ids.size))
            scores[holding] += term_scores(counts[holding], norms[holding], term_idf)
    return scores


def centroids(unit_vectors: np.ndarray, context_of_unit: np.ndarray, count: int) -> np.ndarray:
    """Each context's normalised mean unit vector (a row per context; zeros if it has none)."""
    sums = np.zeros((count, unit_vectors.shape[1] if unit_vectors.ndim == 2 else 0), np.float32)
    if unit_vectors.shape[0]:
        np.add.at(sums, context_of_unit, unit_vectors)
    norms = np.linalg.norm(sums, axis=1)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = sums / norms[:, None]
    return normalised
