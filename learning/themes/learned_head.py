"""The learned tagger: per theme, a small supervised head over the zero-shot tagger, trained from
analysts' confirm and reject decisions. Pure (numpy and scikit-learn: no database, no files).

Why this shape:

- *features*: a review's embedding (the mean of its eligible unit vectors, normalised: what the
  review is about) and the theme's zero-shot confidence (what the tagger already knows), so a
  head starts from the zero-shot tagger and learns where analysts disagree with it;
- *logistic regression*, classes balanced (analysts confirm more often than they reject, or the
  reverse) and strongly regularised (a theme may have a dozen decisions against 385 features);
- *Platt scaling* fitted on out-of-fold scores: a model's scores on its own training examples
  are over-confident, so the probability is calibrated on examples each fold did not see;
- *blended* with the zero-shot confidence by ``n / (n + blend_k)`` (``n`` the theme's labelled
  examples): a theme with few decisions stays near the zero-shot tagger, one with many follows
  its head. A theme with too few confirmed or rejected examples, or whose held-out scores do
  not rise with the label, gets no head and stays zero-shot.

A head is stored as numbers in JSON (never pickle: a file beside the index is data, not code),
with a version id hashed from its contents; :mod:`learning.themes.head_format` checks every
number before the head is used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np

from learning.themes.scoring import SCORING_VERSION

HEAD_FORMAT = 1
#: A theme's head weighs n / (n + BLEND_K) against the zero-shot confidence (n: its examples).
BLEND_K = 20.0
#: Fewest confirmed, and fewest rejected, examples for a theme to get a head.
MIN_POSITIVES = 3
MIN_NEGATIVES = 3
#: A head's calibrated probability at or above this tags. Below even odds: for F1 a tag is worth
#: making at lower odds (the best threshold of a calibrated score is about half the F1 reached).
HEAD_THRESHOLD = 0.3
_PLATT_C = 1e4  # next to no penalty on the two calibration numbers


class TaggerChoice(StrEnum):
    """Which tagger makes the tags: the learned one (zero-shot until a head exists) or not."""

    LEARNED = "learned"
    ZERO_SHOT = "zero-shot"


def zero_shot_version() -> str:
    """The version every tag of the zero-shot tagger carries."""
    return f"zero-shot v{SCORING_VERSION}"


@dataclass(frozen=True)
class HeadParams:
    """How heads are trained (stored with the head where applying it needs them). The
    defaults were chosen by cross-validation on the demo corpus only (long and short versions,
    folds by source review: ``benchmarks/eval_learning_curve.py``), never on the real
    development set, whose figures therefore stay honest."""

    c: float = 0.5  # inverse L2 strength of each theme's logistic regression
    # a unit vector's 384 numbers are ~0.05 each: scaled by 3 so that the embedding, under the
    # same penalty, can weigh against the zero-shot feature
    embedding_scale: float = 3.0
    zero_shot_weight: float = 4.0  # the zero-shot feature: 4 x (confidence - 0.5)
    blend_k: float = BLEND_K
    threshold: float = HEAD_THRESHOLD
    min_positives: int = MIN_POSITIVES
    min_negatives: int = MIN_NEGATIVES
    folds: int = 5


@dataclass(frozen=True)
class ThemeModel:
    """One theme's head: ``p = sigmoid(platt_a * (weights . x + intercept) + platt_b)``."""

    theme_id: str
    weights: tuple[float, ...]  # the embedding's dimensions, then the zero-shot feature
    intercept: float
    platt_a: float
    platt_b: float
    positives: int
    negatives: int

    @property
    def examples(self) -> int:
        return self.positives + self.negatives


@dataclass(frozen=True)
class TaggerHead:
    """Every theme's head, what they were trained on, and when."""

    models: tuple[ThemeModel, ...]
    dimension: int
    model_name: str  # the encoder whose vectors the embeddings are
    scoring: str  # digest of the zero-shot scoring whose confidences are a feature
    trained_at: str
    decisions: int  # analysts' decisions trained on
    examples: int  # labelled (review, theme) pairs: the decisions and the pairs they imply
    last_decision: int  # the newest decision record trained on (decisions since: after it)
    embedding_scale: float
    zero_shot_weight: float
    blend_k: float
    threshold: float  # a head's calibrated probability that tags

    @property
    def version(self) -> str:
        """Hash of the contents, the training time and the decision count."""
        text = json.dumps(content_of(self), sort_keys=True)
        return "learned-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def model_of(self, theme_id: str) -> ThemeModel | None:
        return next((model for model in self.models if model.theme_id == theme_id), None)


@dataclass(frozen=True)
class TrainingResult:
    """A trained head and, for each theme left zero-shot, why."""

    head: TaggerHead
    left_zero_shot: dict[str, str] = field(default_factory=dict)


def review_embeddings(
    vectors: np.ndarray, review_of_unit: np.ndarray, eligible: np.ndarray, n_reviews: int
) -> np.ndarray:
    """(reviews x dimension): each review's eligible unit vectors averaged and normalised (all
    its units where none is eligible; zeros for a review with no unit)."""
    review_of_unit = np.asarray(review_of_unit, dtype=np.int64)
    eligible = np.asarray(eligible, dtype=bool)
    sums = np.zeros((n_reviews, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, review_of_unit[eligible], vectors[eligible])
    empty = ~np.any(sums != 0, axis=1)
    if np.any(empty):
        fallback = np.zeros_like(sums)
        np.add.at(fallback, review_of_unit, vectors)
        sums[empty] = fallback[empty]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    normalised: np.ndarray = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    return normalised.astype(np.float32)


def blend_weight(examples: int, blend_k: float = BLEND_K) -> float:
    """How much a theme's head counts against the zero-shot confidence: grows with its
    examples, 0 with none, a half at ``blend_k``."""
    return examples / (examples + blend_k) if examples > 0 else 0.0


def _features(
    embeddings: np.ndarray, zero_shot: np.ndarray, embedding_scale: float, zero_shot_weight: float
) -> np.ndarray:
    centred = zero_shot_weight * (np.asarray(zero_shot, dtype=np.float64)[:, None] - 0.5)
    return np.hstack([embedding_scale * np.asarray(embeddings, dtype=np.float64), centred])


def _platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid on held-out scores, with his smoothed targets (so that a few examples
    never calibrate to exactly 0 or 1): each example counts as a yes with weight t, a no 1-t."""
    positives = int(labels.sum())
    negatives = labels.size - positives
    target = np.where(labels, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    x = np.concatenate([scores, scores])[:, None]
    y = np.concatenate([np.ones(labels.size), np.zeros(labels.size)])
    weight = np.concatenate([target, 1 - target])
    from sklearn.linear_model import LogisticRegression  # heavy: loaded when a head is trained

    fitted = LogisticRegression(C=_PLATT_C, max_iter=1000).fit(x, y, sample_weight=weight)
    return float(fitted.coef_[0, 0]), float(fitted.intercept_[0])


def train_theme(
    theme_id: str, features: np.ndarray, labels: np.ndarray, params: HeadParams
) -> ThemeModel | str:
    """One theme's head from labelled feature rows, or why it stays zero-shot."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives < params.min_positives:
        return f"{positives} confirmed of the {params.min_positives} needed"
    if negatives < params.min_negatives:
        return f"{negatives} rejected of the {params.min_negatives} needed"
    # heavy (about 1 s): loaded when a head is trained, not by every `cspr` command
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    base = LogisticRegression(C=params.c, class_weight="balanced", max_iter=2000)
    held_out = np.zeros(labels.size)
    splits = StratifiedKFold(min(params.folds, positives, negatives), shuffle=True, random_state=0)
    for train, test in splits.split(features, labels):
        held_out[test] = (
            clone(base).fit(features[train], labels[train]).decision_function(features[test])
        )
    platt_a, platt_b = _platt(held_out, labels)
    if not platt_a > 0:
        return "its held-out scores do not rise with the analysts' verdicts"
    full = clone(base).fit(features, labels)
    return ThemeModel(
        theme_id,
        tuple(float(value) for value in full.coef_[0]),
        float(full.intercept_[0]),
        platt_a,
        platt_b,
        positives,
        negatives,
    )


def train_head(
    embeddings: np.ndarray,
    zero_shot: np.ndarray,
    theme_ids: Sequence[str],
    labels: Mapping[tuple[int, int], bool],
    *,
    model_name: str,
    scoring: str,
    trained_at: datetime,
    last_decision: int = 0,
    decisions: int | None = None,
    params: HeadParams | None = None,
) -> TrainingResult:
    """Heads for every theme with enough examples. ``labels`` maps (review row, theme column)
    to the verdict (True: the review carries the theme); ``zero_shot`` is (reviews x themes);
    ``decisions``: how many of the labels analysts gave (all of them if not said)."""
    from threadpoolctl import threadpool_limits

    params = params or HeadParams()
    models: list[ThemeModel] = []
    skipped: dict[str, str] = {}
    # one BLAS thread: on small matrices, threads fighting over shared cores made a fit 15x slower
    with threadpool_limits(1):
        for column, theme_id in enumerate(theme_ids):
            rows = sorted(row for row, theme in labels if theme == column)
            verdicts = np.array([labels[(row, column)] for row in rows], dtype=bool)
            features = _features(
                embeddings[rows], zero_shot[rows, column], params.embedding_scale,
                params.zero_shot_weight,
            )  # fmt: skip
            made = train_theme(theme_id, features, verdicts, params)
            if isinstance(made, ThemeModel):
                models.append(made)
            else:
                skipped[theme_id] = made
    head = TaggerHead(
        models=tuple(models),
        dimension=int(embeddings.shape[1]),
        model_name=model_name,
        scoring=scoring,
        trained_at=trained_at.isoformat(),
        decisions=len(labels) if decisions is None else decisions,
        examples=len(labels),
        last_decision=last_decision,
        embedding_scale=params.embedding_scale,
        zero_shot_weight=params.zero_shot_weight,
        blend_k=params.blend_k,
        threshold=params.threshold,
    )
    return TrainingResult(head, skipped)


def implied_labels(
    labels: Mapping[tuple[int, int], bool], tagged: np.ndarray
) -> dict[tuple[int, int], bool]:
    """``labels`` with each review that has one completed: a review an analyst decided on
    counts as checked, so every theme left undecided on it takes its tag as it stood (``tagged``,
    reviews x themes: yes where tagged, no where not).

    Why: analysts decide on the tags they are shown and add the themes they miss. Trained on
    those alone, a head sees rejections only where the zero-shot confidence was high and
    confirmations where it was low (the themes added), learns that a low confidence means yes,
    and tags too much: on the demo corpus it cost up to 0.03 F1 where completing the reviews
    gained up to 0.06 (``benchmarks/eval_learning_curve.py``)."""
    completed = {
        (row, column): bool(tagged[row, column])
        for row in sorted({row for row, _ in labels})
        for column in range(tagged.shape[1])
    }
    completed.update(labels)
    return completed


def head_confidences(
    head: TaggerHead, embeddings: np.ndarray, zero_shot: np.ndarray, theme_ids: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(reviews x themes) confidences blended from the heads and the zero-shot ones, and each
    theme's blend weight (0 for a theme with no head: its zero-shot confidence unchanged)."""
    blended = np.array(zero_shot, dtype=np.float32, copy=True)
    weights = np.zeros(len(theme_ids), dtype=np.float64)
    for model in head.models:
        column = list(theme_ids).index(model.theme_id)
        features = _features(
            embeddings, zero_shot[:, column], head.embedding_scale, head.zero_shot_weight
        )
        score = features @ np.asarray(model.weights) + model.intercept
        probability = 1.0 / (1.0 + np.exp(-(model.platt_a * score + model.platt_b)))
        weight = blend_weight(model.examples, head.blend_k)
        blended[:, column] = weight * probability + (1 - weight) * zero_shot[:, column]
        weights[column] = weight
    return blended, weights


def blend_thresholds(
    zero_shot: Mapping[str, float],
    weights: Sequence[float] | np.ndarray,
    theme_ids: Sequence[str],
    head_threshold: float = HEAD_THRESHOLD,
) -> dict[str, float]:
    """Each theme's threshold on the blended confidence: its zero-shot threshold and the
    head's, in the proportions of the blend."""
    return {
        theme_id: round(w * head_threshold + (1 - w) * zero_shot[theme_id], 4)
        for theme_id, w in zip(theme_ids, weights, strict=True)
    }


def content_of(head: TaggerHead) -> dict[str, Any]:
    """The head as JSON values: what its version hashes and what is stored."""
    raw = asdict(head)
    raw["models"] = [{**asdict(model), "weights": list(model.weights)} for model in head.models]
    return {"format": HEAD_FORMAT, **raw}
