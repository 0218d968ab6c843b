"""Keyword evidence for themes: does a unit name a theme in plain words? Pure (numpy only).

Short real documents often just say what they are about ("domestic abuse", "neglect",
"information sharing"), and a sentence encoder can rank such a paragraph's themes in an order
the words do not support. So each theme's label and each of its practitioner phrases is a query
of review search's keyword side, scored over the units exactly as that side scores them
(``learning.keywords``: the words a query keeps, FTS5's porter analyser, a unit's text counting
twice its section heading, Okapi BM25 with FTS5's idf from the set of units being scored).

A query's score on a unit is divided by what the query would score on a unit of average length
holding each of its terms once, and capped at 1: the share of the query's information the unit
holds, on one scale for a two-word label and a seven-word phrase, and for a library of five
reviews or of five thousand. A word found in most of the units (``child``, ``family``) carries
almost nothing; a rare one carries most of its query. That share is then multiplied by the
share of the query's words the unit holds, so "care" alone does not name "children in care"
although "children" carries little information (measured: without it, short documents gained
less; README). A theme's evidence is its best query's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learning.keywords import (
    BM25_K1,
    TEXT_WEIGHT,
    UnitTerms,
    idf,
    length_norms,
    query_terms,
    term_scores,
    unit_terms,
)
from learning.query import extract_terms


@dataclass(frozen=True)
class ThemeQueries:
    """Per theme (column), its queries (label, then each phrase) as the search's index terms."""

    queries: tuple[tuple[tuple[str, ...], ...], ...]

    @property
    def n_themes(self) -> int:
        return len(self.queries)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(term for theme in self.queries for query in theme for term in query)


@dataclass(frozen=True)
class TermStatistics:
    """What BM25 needs from the set of units scored: their number, mean length in tokens, and
    how many of them hold each term."""

    n_units: int
    mean_length: float
    holding: dict[str, int]


def build_theme_queries(
    labels: Sequence[str], theme_phrases: Sequence[Sequence[str]]
) -> ThemeQueries:
    """Each theme's label and phrases as search queries (stopwords dropped, then analysed as
    the search analyses a query's words); queries left with no term are dropped."""
    themes: list[tuple[tuple[str, ...], ...]] = []
    for label, phrases in zip(labels, theme_phrases, strict=True):
        analysed = (tuple(query_terms(extract_terms(text).words)) for text in (label, *phrases))
        themes.append(tuple(dict.fromkeys(query for query in analysed if query)))
    return ThemeQueries(tuple(themes))


def term_statistics(
    units: Sequence[UnitTerms], terms: frozenset[str] | None = None
) -> TermStatistics:
    """The statistics of a set of units (``terms``: only these words' counts are kept)."""
    holding: Counter[str] = Counter()
    for unit in units:
        holding.update(unit.weights.keys() if terms is None else terms.intersection(unit.weights))
    mean = float(np.mean([unit.length for unit in units])) if units else 1.0
    return TermStatistics(len(units), mean, dict(holding))


def keyword_evidence(
    units: Sequence[UnitTerms],
    queries: ThemeQueries,
    statistics: TermStatistics,
    excluded: np.ndarray | None = None,
) -> np.ndarray:
    """(units x themes) in [0, 1]: each theme's best query's BM25 on the unit, as a share of
    that query's BM25 on an average unit holding its terms once, times the share of the query's
    words the unit holds; 0 on ``excluded`` units (a word in a glossary or contents list names a
    theme, it is not a finding)."""
    out = np.zeros((len(units), queries.n_themes), dtype=np.float32)
    if not units:
        return out
    scoring = _Scoring.of(units, queries.terms, statistics)
    # BM25 of one term held once in the text of a unit of average length, per unit of idf.
    full = float(term_scores(np.array([TEXT_WEIGHT]), np.array([BM25_K1], np.float32), 1.0)[0])
    for column, theme in enumerate(queries.queries):
        for query in theme:
            reference = full * sum(scoring.idfs[term] for term in query)
            share = np.minimum(scoring.scores(query) / reference, 1.0)
            share *= scoring.held(query) / len(query)
            np.maximum(out[:, column], share, out=out[:, column])
    if excluded is not None:
        out[np.asarray(excluded, dtype=bool)] = 0.0
    return out


def query_bm25(
    units: Sequence[UnitTerms], terms: Sequence[str], statistics: TermStatistics
) -> np.ndarray:
    """Each unit's BM25 for a query of index ``terms``, as review search scores it."""
    return _Scoring.of(units, frozenset(terms), statistics).scores(tuple(dict.fromkeys(terms)))


@dataclass(frozen=True)
class _Scoring:
    """The postings, length norms and idfs of some terms over a list of units."""

    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    norms: np.ndarray
    idfs: dict[str, float]

    @classmethod
    def of(
        cls, units: Sequence[UnitTerms], terms: frozenset[str], statistics: TermStatistics
    ) -> _Scoring:
        lengths = np.array([unit.length for unit in units], np.float32)
        return cls(
            _postings(units, terms),
            length_norms(lengths, statistics.mean_length),
            {term: idf(statistics.n_units, statistics.holding.get(term, 0)) for term in terms},
        )

    def held(self, query: tuple[str, ...]) -> np.ndarray:
        """How many of the query's terms each unit holds."""
        count = np.zeros(self.norms.size, dtype=np.float32)
        for term in query:
            if term in self.postings:
                count[self.postings[term][0]] += 1.0
        return count

    def scores(self, query: tuple[str, ...]) -> np.ndarray:
        """Every unit's BM25 for ``query`` (its terms distinct): the sum of its terms'."""
        total = np.zeros(self.norms.size, dtype=np.float32)
        for term in query:
            if term in self.postings:
                rows, weights = self.postings[term]
                total[rows] += term_scores(weights, self.norms[rows], self.idfs[term])
        return total


def _postings(
    units: Sequence[UnitTerms], terms: frozenset[str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each of ``terms`` held somewhere: the rows of the units holding it, and its weighted
    count in each (the search's postings, for these units only)."""
    lists: dict[str, tuple[list[int], list[int]]] = {}
    for row, unit in enumerate(units):
        for term in terms.intersection(unit.weights):
            held = lists.setdefault(term, ([], []))
            held[0].append(row)
            held[1].append(unit.weights[term])
    return {
        term: (np.asarray(rows, np.int64), np.asarray(weights, np.float32))
        for term, (rows, weights) in lists.items()
    }


@dataclass(frozen=True)
class KeywordScorer:
    """A taxonomy's theme queries with one set of units (an index's) and their term statistics:
    scores those units, or pieces of them (sentence windows), on the same statistics."""

    queries: ThemeQueries
    units: tuple[UnitTerms, ...]
    statistics: TermStatistics

    def score_units(self, excluded: np.ndarray | None = None) -> np.ndarray:
        """(units x themes) keyword evidence of the set's own units (analysed once)."""
        return keyword_evidence(self.units, self.queries, self.statistics, excluded)

    def score(self, texts: Sequence[str], sections: Sequence[str | None]) -> np.ndarray:
        """(texts x themes) keyword evidence of other texts under their section headings."""
        return keyword_evidence(_analysed(texts, sections), self.queries, self.statistics)


def keyword_scorer(
    labels: Sequence[str],
    theme_phrases: Sequence[Sequence[str]],
    texts: Sequence[str],
    sections: Sequence[str | None],
) -> KeywordScorer:
    """The scorer of themes (their ``labels`` and phrases) over the units ``texts`` under
    ``sections``, with their statistics (every unit counts, as in the search, glossaries too)."""
    queries = build_theme_queries(labels, theme_phrases)
    units = tuple(_analysed(texts, sections))
    return KeywordScorer(queries, units, term_statistics(units, queries.terms))


def _analysed(texts: Sequence[str], sections: Sequence[str | None]) -> list[UnitTerms]:
    """The units' terms as the search's index holds them (text twice, section heading once)."""
    return [unit_terms(text, section or "") for text, section in zip(texts, sections, strict=True)]
