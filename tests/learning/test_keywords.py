"""The keyword side's analyzer and BM25 arithmetic (pure)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learning.keywords import (
    MIN_IDF,
    analyse,
    idf,
    invert,
    length_norms,
    query_terms,
    term_scores,
    top_scores,
    unit_terms,
)


def test_analyse_folds_case_and_accents_splits_and_stems() -> None:
    assert analyse("Bruises, BRUISING and bruise") == ["bruis", "bruis", "and", "bruis"]
    assert analyse("Café naïve") == ["cafe", "naiv"]
    # Apostrophes and hyphens split, as unicode61 does; underscores are separators too.
    assert analyse("child's non-mobile snake_case") == [
        "child",
        "s",
        "non",
        "mobil",
        "snake",
        "case",
    ]
    assert analyse("Section 47, 2019") == ["section", "47", "2019"]


def test_query_terms_are_distinct_index_terms_in_order() -> None:
    assert query_terms(["neglected", "neglect", "child's"]) == ["neglect", "child", "s"]


def test_unit_terms_count_text_twice_and_section_once() -> None:
    unit = unit_terms("Neglect and more neglect", "Neglect findings")
    assert unit.weights == {"neglect": 2 * 2 + 1, "and": 2, "more": 2, "find": 1}
    assert unit.length == 4 + 2


def test_invert_gives_postings_in_id_order() -> None:
    postings = invert([9, 3], [unit_terms("dog cat", ""), unit_terms("cat", "")])
    assert postings["cat"].ids.tolist() == [3, 9]
    assert postings["cat"].weights.tolist() == [2.0, 2.0]
    assert postings["dog"].ids.tolist() == [9]


def test_idf_is_fts5s_with_its_floor() -> None:
    assert idf(100, 10) == pytest.approx(math.log(90.5 / 10.5))
    assert idf(100, 60) == MIN_IDF


def test_term_scores_follow_bm25() -> None:
    norms = length_norms(np.asarray([10.0, 20.0], np.float32), 10.0)
    assert norms.tolist() == pytest.approx([1.2, 1.2 * (0.25 + 0.75 * 2)])
    scores = term_scores(np.asarray([2.0, 2.0], np.float32), norms, 1.5)
    assert scores.tolist() == pytest.approx([1.5 * 2 * 2.2 / (2 + 1.2), 1.5 * 2 * 2.2 / 4.1])
    # A longer unit with the same count scores lower.
    assert scores[0] > scores[1]


def test_top_scores_best_first_ties_to_lower_id_and_limit() -> None:
    scores = np.asarray([0, 3, 5, 3, 1], np.float32)
    candidates = np.flatnonzero(scores)
    assert top_scores(scores, candidates, 10) == [(2, 5.0), (1, 3.0), (3, 3.0), (4, 1.0)]
    best, second = top_scores(scores, candidates, 2)
    assert best == (2, 5.0) and second[1] == 3.0
    assert top_scores(scores, candidates, 0) == []
    assert top_scores(scores, np.empty(0, np.int64), 5) == []
