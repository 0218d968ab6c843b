"""The evaluation's measures against hand-computed values, and the evaluation's plumbing."""

from __future__ import annotations

import math

import pytest

from benchmarks.eval import EvalQuery, read_queries, score_ranking, summary_tables
from benchmarks.metrics import average_precision, dcg_at_k, ndcg_at_k, recall_at_k

JUDGED = {"a": 2, "b": 1, "c": 2}


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        (["a", "c", "b"], 1.0),
        (["x", "a"], (2 / math.log2(3)) / (2 + 2 / math.log2(3) + 1 / 2)),
        (["x", "y"], 0.0),
        ([], 0.0),
    ],
)
def test_ndcg_at_10(ranking: list[str], expected: float) -> None:
    assert ndcg_at_k(ranking, JUDGED, 10) == pytest.approx(expected)


def test_ndcg_counts_only_the_first_k() -> None:
    assert ndcg_at_k(["x", "a"], JUDGED, 1) == 0.0
    assert dcg_at_k(["a", "b"], JUDGED, 1) == 2.0


@pytest.mark.parametrize(
    ("ranking", "k", "expected"),
    [(["a", "x", "b"], 20, 2 / 3), (["a", "x", "b"], 2, 1 / 3), ([], 20, 0.0)],
)
def test_recall_at_k(ranking: list[str], k: int, expected: float) -> None:
    assert recall_at_k(ranking, JUDGED, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        (["a", "b", "c"], 1.0),
        (["x", "a", "y", "b"], (1 / 2 + 2 / 4) / 3),  # c never found: contributes 0
        (["a", "a", "b"], (1 + 1) / 3),  # a repeated item counts once
    ],
)
def test_average_precision(ranking: list[str], expected: float) -> None:
    assert average_precision(ranking, JUDGED) == pytest.approx(expected)


def test_nothing_relevant_scores_zero_everywhere() -> None:
    assert ndcg_at_k(["a"], {}) == recall_at_k(["a"], {}) == average_precision(["a"], {}) == 0.0


def test_summary_tables_average_per_mode_and_type() -> None:
    theme = EvalQuery("t", "theme", "q", {"a": 2})
    case = EvalQuery("c", "case", "q", {"a": 2})
    results = {
        "good": [score_ranking(theme, ["a"]), score_ranking(case, ["a"])],
        "bad": [score_ranking(theme, ["x"]), score_ranking(case, ["x", "a"])],
    }
    overall, theme_table, _, case_table = summary_tables(results)
    assert overall.rows[0] == ("good", "2", "1.000", "1.000", "1.000")
    assert overall.rows[1][3] == "0.500"  # recall@20: found in one of two queries
    assert theme_table.rows[1][1:] == ("1", "0.000", "0.000", "0.000")
    assert case_table.rows[1][4] == "0.500"  # MAP of ["x", "a"]


def test_the_shipped_queries_load() -> None:
    queries = read_queries()
    assert len(queries) >= 60
    assert all(query.judgements for query in queries)
