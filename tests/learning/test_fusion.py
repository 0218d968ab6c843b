"""Reciprocal rank fusion, the weighted variant, and ranking groups by their members."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.fusion import RRF_K, Fused, fuse_rrf, fuse_weighted, rank_groups


def test_rrf_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = fuse_rrf([["a", "b", "c"], ["b", "d"]])
    scores = {item.key: item.score for item in fused}
    assert scores == pytest.approx(
        {
            "a": 1 / 61,
            "b": 1 / 62 + 1 / 61,
            "c": 1 / 63,
            "d": 1 / 62,
        }
    )
    assert [item.key for item in fused] == ["b", "a", "d", "c"]


def test_rrf_item_in_both_lists_beats_item_top_of_one() -> None:
    fused = fuse_rrf([["x", "shared"], ["y", "shared"]])
    assert fused[0].key == "shared"


def test_rrf_ties_keep_first_seen_order() -> None:
    assert [item.key for item in fuse_rrf([["a"], ["b"]])] == ["a", "b"]


def test_rrf_weights_scale_each_list() -> None:
    fused = fuse_rrf([["a"], ["b"]], weights=[1.0, 3.0])
    assert fused == [Fused("b", 3 / 61), Fused("a", 1 / 61)]


def test_rrf_zero_weight_ignores_a_list() -> None:
    fused = fuse_rrf([["a", "b"], ["b"]], weights=[1.0, 0.0])
    assert [item.key for item in fused] == ["a", "b"]


def test_rrf_duplicates_in_a_list_count_once() -> None:
    assert fuse_rrf([["a", "a"]]) == [Fused("a", 1 / (RRF_K + 1))]


@pytest.mark.parametrize(
    ("rankings", "weights", "k", "message"),
    [
        ([["a"]], [1.0, 2.0], 60, "1 lists"),
        ([["a"]], [-1.0], 60, "negative"),
        ([["a"]], None, -1, "k must not"),
    ],
)
def test_rrf_rejects_bad_arguments(rankings, weights, k, message) -> None:
    with pytest.raises(ValueError, match=message):
        fuse_rrf(rankings, k=k, weights=weights)


def test_weighted_fusion_normalises_each_list() -> None:
    dense = {"a": 0.9, "b": 0.5, "c": 0.1}
    keyword = {"c": 30.0, "b": 20.0}
    fused = fuse_weighted([dense, keyword], weights=[0.5, 0.5])
    scores = {item.key: item.score for item in fused}
    assert scores == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.5})


def test_weighted_fusion_single_value_list_scores_one() -> None:
    assert fuse_weighted([{"a": -4.0}]) == [Fused("a", 1.0)]


def test_rank_groups_best_member_plus_bonus() -> None:
    members = [("r1", 0.5), ("r2", 0.48), ("r2", 0.3), ("r2", 0.2), ("r2", 0.1)]
    ranked = rank_groups(members, bonus=0.1, extra=2)
    assert [g.key for g in ranked] == ["r2", "r1"]
    assert ranked[0].score == pytest.approx(0.48 + 0.1 * (0.3 + 0.2))


def test_rank_groups_bonus_does_not_overtake_a_clearly_better_group() -> None:
    ranked = rank_groups([("good", 0.9), ("many", 0.5), ("many", 0.5), ("many", 0.5)])
    assert ranked[0].key == "good"


@given(st.lists(st.lists(st.integers(0, 20), max_size=10), min_size=1, max_size=4))
def test_rrf_is_sorted_and_covers_every_item(rankings: list[list[int]]) -> None:
    fused = fuse_rrf(rankings)
    scores = [item.score for item in fused]
    assert scores == sorted(scores, reverse=True)
    assert {item.key for item in fused} == {key for ranking in rankings for key in ranking}


def test_pure_modules_import_no_index_model_or_flow_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys, learning.fusion, learning.filters, learning.query, learning.results; "
        "heavy = {'faiss', 'torch', 'sentence_transformers', 'sqlite3', 'prefect', 'streamlit'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
