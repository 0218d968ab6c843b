"""Encoders: the fake one used by fast tests and the bundled MiniLM (slow tests)."""

from __future__ import annotations

import numpy as np
import pytest

from learning.encoder import BUNDLED_MODEL_NAME, Encoder, FakeEncoder, normalise_rows

pytest_plugins = ("tests.learning.factories",)


def _cosine(encoder: Encoder, a: str, b: str) -> float:
    vectors = encoder.encode([a, b])
    return float(vectors[0] @ vectors[1])


def test_fake_encoder_is_an_encoder(fake_encoder: FakeEncoder) -> None:
    assert isinstance(fake_encoder, Encoder)
    assert fake_encoder.dimension == 384
    assert fake_encoder.name == "fake-hashing-bow-384"


def test_fake_encoder_rows_are_unit_float32(fake_encoder: FakeEncoder) -> None:
    vectors = fake_encoder.encode(["bruising on a baby", "county lines exploitation"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (2, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


def test_fake_encoder_is_deterministic_across_instances() -> None:
    text = ["the same words give the same vector"]
    assert np.array_equal(FakeEncoder().encode(text), FakeEncoder().encode(text))


def test_fake_encoder_related_words_are_closer(fake_encoder: FakeEncoder) -> None:
    near = _cosine(fake_encoder, "bruises on the baby", "bruising in a baby")
    far = _cosine(fake_encoder, "bruises on the baby", "county lines drug dealing")
    assert near > 0.5 > far


def test_fake_encoder_empty_input(fake_encoder: FakeEncoder) -> None:
    assert fake_encoder.encode([]).shape == (0, 384)
    assert not fake_encoder.encode([""]).any()


def test_fake_encoder_counts_calls(fake_encoder: FakeEncoder) -> None:
    fake_encoder.encode(["a b", "c d"])
    assert (fake_encoder.calls, fake_encoder.texts_encoded) == (1, 2)


def test_normalise_rows_leaves_zero_rows_zero() -> None:
    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.tolist() == [pytest.approx([0.6, 0.8]), [0.0, 0.0]]


@pytest.mark.slow
def test_real_model_is_the_bundled_minilm(real_encoder: Encoder) -> None:
    vectors = real_encoder.encode(["a health visitor saw a bruise"])
    assert real_encoder.name == BUNDLED_MODEL_NAME
    assert real_encoder.dimension == 384
    assert vectors.shape == (1, 384) and vectors.dtype == np.float32
    assert float(np.linalg.norm(vectors[0])) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.slow
def test_real_model_is_loaded_once(real_encoder: Encoder) -> None:
    from learning.encoder import load_sentence_encoder

    assert load_sentence_encoder(None, 16) is real_encoder


@pytest.mark.slow
def test_real_model_understands_a_paraphrase(real_encoder: Encoder) -> None:
    query = "baby with bruises who could not yet crawl"
    near = _cosine(real_encoder, query, "bruising in a non-mobile infant")
    far = _cosine(real_encoder, query, "a teenager missing from school and exploited by gangs")
    assert near > far + 0.2
