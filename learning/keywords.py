"""The keyword side's words and scores. Pure: no I/O, no database.

Words are analysed as SQLite FTS5's ``porter unicode61`` tokenizer does (case and accents
folded, split on anything but letters and digits, Porter-stemmed; the stemmer is PyStemmer's
C Snowball "porter"), and scored with Okapi BM25 exactly as FTS5's ``bm25()`` computes it:
the index keeps, per word, the units that hold it and how often (a unit's text counts twice
its section heading), so a query scores only the postings of its own words, in arrays,
instead of asking FTS5 to score every matching row one at a time.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import Stemmer

#: Stored with the postings (analyzer and storage format): a change makes the index rebuild them.
ANALYZER = "porter-unicode61/2"
BM25_K1 = 1.2
BM25_B = 0.75
#: Column weights, as ``bm25(units_fts, 2.0, 1.0)``: text counts double, section once.
TEXT_WEIGHT = 2
SECTION_WEIGHT = 1
#: FTS5 floors a word's idf here (a word in over half the units still counts, a little).
MIN_IDF = 1e-6

_TOKEN = re.compile(r"[^\W_]+")
_STEMMED_LENGTHS = (3, 64)
_stemmers = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """One stemmer per thread (PyStemmer's objects are not thread-safe)."""
    if not hasattr(_stemmers, "porter"):
        _stemmers.porter = Stemmer.Stemmer("porter")
    return _stemmers.porter


@functools.lru_cache(maxsize=1 << 18)
def stem(token: str) -> str:
    """Porter stem, as FTS5 does it: tokens under 3 or over 64 characters are kept as is."""
    if not _STEMMED_LENGTHS[0] <= len(token) <= _STEMMED_LENGTHS[1]:
        return token
    return str(_stemmer().stemWord(token))


def fold(text: str) -> str:
    """Lower case with accents removed: ``Café`` -> ``cafe``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def analyse(text: str) -> list[str]:
    """The index terms of ``text``, in order (repeats kept)."""
    return [stem(token) for token in _TOKEN.findall(fold(text))]


def query_terms(words: Iterable[str]) -> list[str]:
    """The distinct index terms of a query's words, in order."""
    return list(dict.fromkeys(term for word in words for term in analyse(word)))


@dataclass(frozen=True)
class UnitTerms:
    """One unit's terms with their weighted counts, and its length in tokens."""

    weights: dict[str, int]
    length: int


def unit_terms(text: str, section: str) -> UnitTerms:
    in_text = analyse(text)
    in_section = analyse(section)
    weights = Counter({term: TEXT_WEIGHT * n for term, n in Counter(in_text).items()})
    for term, n in Counter(in_section).items():
        weights[term] += SECTION_WEIGHT * n
    return UnitTerms(dict(weights), len(in_text) + len(in_section))


@dataclass(frozen=True)
class Postings:
    """The units holding one term (ascending ids) and the term's weighted count in each."""

    ids: np.ndarray
    weights: np.ndarray


def invert(ids: Sequence[int], units: Sequence[UnitTerms]) -> dict[str, Postings]:
    """Postings per term for a batch of units (``ids[i]`` is ``units[i]``'s id)."""
    lists: dict[str, tuple[list[int], list[int]]] = {}
    for unit_id, unit in sorted(zip(ids, units, strict=True), key=lambda pair: pair[0]):
        for term, weight in unit.weights.items():
            held = lists.setdefault(term, ([], []))
            held[0].append(unit_id)
            held[1].append(weight)
    return {
        term: Postings(np.asarray(held_ids, np.int64), np.asarray(weights, np.float32))
        for term, (held_ids, weights) in lists.items()
    }


def idf(n_units: int, n_holding: int) -> float:
    """FTS5's idf: ``log((N - n + 0.5) / (n + 0.5))``, floored at :data:`MIN_IDF`."""
    value = math.log((n_units - n_holding + 0.5) / (n_holding + 0.5))
    return value if value > 0 else MIN_IDF


def length_norms(lengths: np.ndarray, mean_length: float) -> np.ndarray:
    """BM25's per-unit denominator term ``k1 * (1 - b + b * |D| / avgdl)``."""
    mean_length = mean_length or 1.0
    return (BM25_K1 * (1 - BM25_B + BM25_B * lengths / mean_length)).astype(np.float32)


def term_scores(weights: np.ndarray, norms: np.ndarray, term_idf: float) -> np.ndarray:
    """One term's BM25 contribution to each unit that holds it."""
    weights = weights.astype(np.float32)
    return np.float32(term_idf * (BM25_K1 + 1)) * weights / (weights + norms)


def bm25_scores(
    postings: Sequence[Postings], norms: np.ndarray, n_units: int, size: int
) -> np.ndarray:
    """Every unit's BM25 for a query whose terms have these ``postings`` (live units only),
    as an array indexed by unit id (0 where no term is held)."""
    scores = np.zeros(size, np.float32)
    for held in postings:
        if held.ids.size:
            term_idf = idf(n_units, int(held.ids.size))
            scores[held.ids] += term_scores(held.weights, norms[held.ids], term_idf)
    return scores


def top_scores(scores: np.ndarray, candidates: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best ``(id, score)`` among ``candidates`` (ids into ``scores``), best
    first; ties go to the lower id."""
    if limit <= 0 or not candidates.size:
        return []
    values = scores[candidates]
    if candidates.size > limit:
        keep = np.argpartition(-values, limit - 1)[:limit]
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))
    return [(int(candidates[i]), float(values[i])) for i in order]
