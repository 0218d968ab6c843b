"""The learned head on toy data: it learns a separable set, keeps the min-examples rule, blends
more as examples grow, and a stored head is refused (with the named error) unless every number
in it is right."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from learning.errors import TaggerHeadInvalid
from learning.themes.head_format import head_from_json, head_to_json
from learning.themes.learned_head import (
    BLEND_K,
    HeadParams,
    TaggerHead,
    blend_thresholds,
    blend_weight,
    head_confidences,
    implied_labels,
    review_embeddings,
    train_head,
)

THEMES = ("near", "far", "rare")
DIM = 8
AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def clusters(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors around +axis (first half, the theme's) and -axis (second half)."""
    rng = np.random.default_rng(seed)
    axis = np.eye(DIM)[0]
    sign = np.r_[np.ones(n // 2), -np.ones(n - n // 2)]
    vectors = rng.normal(scale=0.4, size=(n, DIM)) + np.outer(sign, axis)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), sign > 0


def trained(n: int = 30, rare_positives: int = 2, trained_at: datetime = AT):
    vectors, yes = clusters(n)
    zero_shot = np.full((n, len(THEMES)), 0.5, dtype=np.float32)  # the zero-shot tagger is no help
    labels = {(row, 0): bool(yes[row]) for row in range(n)}
    labels |= {(row, 2): row < rare_positives for row in range(n)}
    result = train_head(
        vectors, zero_shot, THEMES, labels, model_name="fake", scoring="s1", trained_at=trained_at
    )
    return result, vectors, yes, zero_shot


def test_a_separable_theme_is_learned_and_tags_reviews_it_has_not_seen() -> None:
    result, *_ = trained()
    unseen, yes = clusters(20, seed=7)
    blended, weights = head_confidences(
        result.head, unseen, np.full((20, 3), 0.5, dtype=np.float32), THEMES
    )
    assert [model.theme_id for model in result.head.models] == ["near"]
    assert weights[0] == pytest.approx(30 / (30 + BLEND_K))
    assert blended[yes, 0].min() > 0.5 > blended[~yes, 0].max()


def test_a_theme_with_too_few_examples_stays_zero_shot() -> None:
    result, vectors, _, zero_shot = trained(rare_positives=2)
    assert result.left_zero_shot == {
        "far": "0 confirmed of the 3 needed",
        "rare": "2 confirmed of the 3 needed",
    }
    blended, weights = head_confidences(result.head, vectors, zero_shot, THEMES)
    assert weights[1:].tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(blended[:, 1:], zero_shot[:, 1:])
    few_rejected = trained(rare_positives=28)[0]  # 28 confirmed, 2 rejected
    assert few_rejected.left_zero_shot["rare"] == "2 rejected of the 3 needed"


def test_the_blend_weight_grows_with_the_examples() -> None:
    weights = [blend_weight(n) for n in (0, 1, 5, 20, 100, 1000)]
    assert weights[0] == 0.0 and weights == sorted(weights) and len(set(weights)) == 6
    assert blend_weight(20, 20.0) == 0.5 and weights[-1] < 1.0
    small = trained(n=12)[0].head.models[0]
    large = trained(n=60)[0].head.models[0]
    assert blend_weight(large.examples) > blend_weight(small.examples)
    thresholds = {"near": 0.3, "far": 0.6, "rare": 0.5}
    assert blend_thresholds(thresholds, [0.5, 0.0, 1.0], THEMES, head_threshold=0.5) == {
        "near": 0.4,
        "far": 0.6,
        "rare": 0.5,
    }


def test_review_embeddings_average_the_eligible_units_only() -> None:
    vectors = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=np.float32)
    review = np.array([0, 0, 1, 2])
    eligible = np.array([True, False, False, True])
    # review 1 has no eligible unit: all its units count
    got = review_embeddings(vectors, review, eligible, 4)
    np.testing.assert_allclose(got, [[1, 0], [0, 1], [1, 0], [0, 0]])


def stored() -> tuple[TaggerHead, dict]:
    head = trained()[0].head
    return head, json.loads(head_to_json(head))


def test_a_stored_head_loads_back_as_it_was() -> None:
    head, raw = stored()
    loaded = head_from_json(head_to_json(head), theme_ids=THEMES, dimension=DIM, scoring="s1")
    assert loaded == head and loaded.version == head.version == raw["version"]
    assert head.version.startswith("learned-")
    retrained = trained(trained_at=datetime(2026, 12, 8, tzinfo=UTC))[0].head
    assert retrained.version != head.version  # the training time is part of the version


def tampered(change) -> bytes:  # noqa: ANN001
    _, raw = stored()
    change(raw)
    return json.dumps(raw).encode("utf-8")


def set_weight(value: object):  # noqa: ANN201
    return lambda raw: raw["models"][0]["weights"].__setitem__(3, value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x80not json", "not JSON"),
        (b"[1, 2, 3]", "not of format"),
        (tampered(lambda raw: raw["models"][0]["weights"].pop()), "has 8 weights, not 9"),
        (tampered(set_weight(float("nan"))), "weight is not a finite number"),
        (tampered(set_weight("0.1")), "weight is not a finite number"),
        (tampered(set_weight(0.123456)), "version does not match"),
        (tampered(lambda raw: raw["models"][0].update(theme_id="gone")), "'gone' not in the"),
        (tampered(lambda raw: raw.update(dimension=16)), "vectors of 16 numbers"),
        (tampered(lambda raw: raw["models"][0].update(platt_a=-1.0)), "platt_a is not above"),
        (tampered(lambda raw: raw.update(scoring="other")), "another zero-shot scoring"),
        (tampered(lambda raw: raw.update(trained_at="yesterday")), "trained_at is not a time"),
        (tampered(lambda raw: raw["models"].append(raw["models"][0])), "a theme twice"),
    ],
)
def test_a_corrupt_or_mis_shaped_head_is_refused(data: bytes, problem: str) -> None:
    with pytest.raises(TaggerHeadInvalid, match=problem):
        head_from_json(data, theme_ids=THEMES, dimension=DIM, scoring="s1")


def test_training_is_deterministic_and_pickle_free() -> None:
    first, second = trained()[0].head, trained()[0].head
    assert head_to_json(first) == head_to_json(second)
    assert head_to_json(first).startswith(b"{")  # JSON numbers, nothing to unpickle
    assert HeadParams().c < 1.0  # strong L2 by default


def test_a_review_with_a_decision_counts_as_checked() -> None:
    tagged = np.array([[True, False, True], [False, True, False]])
    # one decision on review 0 (rejecting its first tag); review 1 has none
    got = implied_labels({(0, 0): False}, tagged)
    assert got == {(0, 0): False, (0, 1): False, (0, 2): True}
    assert implied_labels({}, tagged) == {}
