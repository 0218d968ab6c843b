"""Theme tagging quality: the tagger's review-level tags against labelled themes.

Labels come from ``corpus/eval/review_themes.csv`` when it exists (verified labels), else
``corpus/catalogue.csv`` (column ``themes``, ids separated by semicolons). Reported per theme:
precision, recall, F1; over all themes: micro and macro averages and Cohen's kappa over every
(review, theme) decision. Analysts' decisions are not used: this measures the model alone.

``tune`` searches a small grid of *generic* parameters (logistic centre, relative weight,
lexical weight, review threshold; never the taxonomy's phrases), with two-fold
cross-validation over reviews so the reported tuned figures are for reviews the tuning did not
see.

    python -m benchmarks.eval_themes [--data-dir DIR] [--labels CSV] [--tune]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from learning.themes.scoring import (
    ScoringParams,
    build_phrase_index,
    calibrate_reviews,
    combine_scores,
    lexical_scores,
    prototype_offsets,
    review_scores,
    semantic_scores,
)

REPO = Path(__file__).resolve().parents[1]
VERIFIED_LABELS = REPO / "corpus" / "eval" / "review_themes.csv"
CATALOGUE = REPO / "corpus" / "catalogue.csv"


@dataclass(frozen=True)
class ThemeScore:
    theme_id: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class ThemeEvaluation:
    reviews: int
    per_theme: tuple[ThemeScore, ...]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    kappa: float
    labels_file: str = ""


def default_labels_path() -> Path:
    """The verified labels if the evaluation set has them, else the catalogue."""
    return VERIFIED_LABELS if VERIFIED_LABELS.exists() else CATALOGUE


def read_labels(path: Path, min_grade: int = 1) -> dict[str, frozenset[str]]:
    """review_id -> theme ids, from either labels format.

    Long format (``review_id, theme_id, grade``, as in the evaluation set): a theme counts when
    its grade is at least ``min_grade`` (2 = a main theme, 1 = present and analysed). Wide
    format (``review_id, themes``, as in the catalogue): ``;``-separated ids, all counted.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels: dict[str, set[str]] = {}
    for row in rows:
        review_id = row["review_id"].strip()
        themes = labels.setdefault(review_id, set())
        if "theme_id" in row:
            if int(row.get("grade") or 2) >= min_grade:
                themes.add(row["theme_id"].strip())
            continue
        listed = row.get("themes") or row.get("theme_ids") or ""
        themes.update(t.strip() for t in listed.replace(",", ";").split(";") if t.strip())
    return {review_id: frozenset(themes) for review_id, themes in labels.items()}


def cohen_kappa(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Cohen's kappa of two boolean arrays (1.0 when both are constant and equal)."""
    gold, predicted = gold.ravel().astype(bool), predicted.ravel().astype(bool)
    if gold.size == 0:
        return 0.0
    observed = float(np.mean(gold == predicted))
    p_gold, p_pred = float(gold.mean()), float(predicted.mean())
    expected = p_gold * p_pred + (1 - p_gold) * (1 - p_pred)
    return 1.0 if expected == 1.0 else (observed - expected) / (1 - expected)


def evaluate_tags(
    predicted: Mapping[str, frozenset[str]],
    gold: Mapping[str, frozenset[str]],
    theme_ids: Sequence[str],
    labels_file: str = "",
) -> ThemeEvaluation:
    """Compare tags with labels over the reviews both know, for every theme of the taxonomy."""
    reviews = sorted(set(predicted) & set(gold))
    pred = np.array([[t in predicted[r] for t in theme_ids] for r in reviews], dtype=bool)
    true = np.array([[t in gold[r] for t in theme_ids] for r in reviews], dtype=bool)
    pred = pred.reshape(len(reviews), len(theme_ids))
    true = true.reshape(len(reviews), len(theme_ids))
    per_theme = tuple(
        ThemeScore(
            theme,
            int((pred[:, i] & true[:, i]).sum()),
            int((pred[:, i] & ~true[:, i]).sum()),
            int((~pred[:, i] & true[:, i]).sum()),
        )
        for i, theme in enumerate(theme_ids)
    )
    pooled = ThemeScore("all", *(sum(getattr(s, k) for s in per_theme) for k in ("tp", "fp", "fn")))
    labelled = [s for s in per_theme if s.tp + s.fn > 0] or list(per_theme)
    return ThemeEvaluation(
        reviews=len(reviews),
        per_theme=per_theme,
        micro_precision=pooled.precision,
        micro_recall=pooled.recall,
        micro_f1=pooled.f1,
        macro_precision=float(np.mean([s.precision for s in labelled])) if labelled else 0.0,
        macro_recall=float(np.mean([s.recall for s in labelled])) if labelled else 0.0,
        macro_f1=float(np.mean([s.f1 for s in labelled])) if labelled else 0.0,
        kappa=cohen_kappa(true, pred),
        labels_file=labels_file,
    )


@dataclass(frozen=True)
class ScoringInputs:
    """What scoring needs, computed once so that many parameter settings are cheap to try."""

    sims_max: dict[float, np.ndarray]
    lexical: np.ndarray
    excluded: np.ndarray
    review_of_unit: np.ndarray
    unit_weight_passage: np.ndarray
    review_ids: tuple[str, ...]
    theme_ids: tuple[str, ...]
    keyword: np.ndarray | None = None  # keyword evidence (used when the knob weighs it)


def scoring_inputs(workspace, max_weights: Sequence[float]) -> ScoringInputs:  # noqa: ANN001
    """Semantic parts (for each max weight), lexical and keyword parts of every unit x theme."""
    from learning.themes.corpus import unit_vectors
    from learning.themes.zero_shot import theme_keyword_scorer, theme_prototypes

    table = workspace.table
    texts, theme_of = theme_prototypes(workspace.taxonomy)
    prototypes = workspace.encoder_factory().encode(texts)
    vectors = unit_vectors(workspace.index, table.unit_ids)
    offsets = prototype_offsets(theme_of)
    phrases = build_phrase_index([theme.phrases for theme in workspace.taxonomy.themes])
    return ScoringInputs(
        {w: semantic_scores(vectors, prototypes, offsets, w) for w in max_weights},
        lexical_scores(table.texts, phrases),
        table.excluded,
        table.review_of_unit,
        np.array([row.kind == "passage" for row in table.rows], dtype=bool),
        table.review_ids,
        workspace.taxonomy.ids,
        theme_keyword_scorer(table, workspace.taxonomy).score_units(table.excluded),
    )


def tags_for(inputs: ScoringInputs, params: ScoringParams) -> dict[str, frozenset[str]]:
    """Review-level tags for ``params`` (global threshold, no analyst decisions)."""
    semantic = inputs.sims_max[params.max_weight]
    confidence = combine_scores(semantic, inputs.lexical, params, inputs.keyword)
    confidence[inputs.excluded] = 0.0
    weight = np.where(inputs.unit_weight_passage, params.passage_weight, 1.0).astype(np.float32)
    reviews = review_scores(
        confidence, inputs.review_of_unit, len(inputs.review_ids), params, weight, ~inputs.excluded
    )
    reviews = calibrate_reviews(reviews, params)
    return {
        review_id: frozenset(
            t
            for t, score in zip(inputs.theme_ids, reviews[row], strict=True)
            if score >= params.review_threshold
        )
        for row, review_id in enumerate(inputs.review_ids)
    }


GRID: dict[str, tuple[float, ...]] = {
    "max_weight": (0.6, 0.8),
    "relative_weight": (0.5, 1.0, 1.5),
    "lexical_weight": (0.06, 0.12, 0.2, 0.3),
    "center": (0.57, 0.62, 0.67, 0.72, 0.77),
    "review_threshold": (0.4, 0.5, 0.6),
}


def fold_of(review_id: str) -> int:
    """A fixed fold (0 or 1) per review, from a hash of its id."""
    return hashlib.sha256(review_id.encode("utf-8")).digest()[0] % 2


def grid_settings(base: ScoringParams) -> list[ScoringParams]:
    keys = sorted(GRID)
    return [
        replace(base, **dict(zip(keys, values, strict=True)))
        for values in itertools.product(*(GRID[k] for k in keys))
    ]


def tune(
    inputs: ScoringInputs,
    gold: Mapping[str, frozenset[str]],
    base: ScoringParams,
    reviews: Callable[[str], bool] = lambda _: True,
) -> tuple[ScoringParams, float]:
    """The grid setting with the best micro F1 on the reviews ``reviews`` selects."""
    best: tuple[float, str, ScoringParams] | None = None
    for params in grid_settings(base):
        tags = {r: t for r, t in tags_for(inputs, params).items() if reviews(r)}
        score = evaluate_tags(tags, gold, inputs.theme_ids).micro_f1
        key = (-score, params.digest, params)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    return best[2], -best[0]


def cross_validated(
    inputs: ScoringInputs, gold: Mapping[str, frozenset[str]], base: ScoringParams
) -> tuple[ThemeEvaluation, list[ScoringParams]]:
    """Two-fold: tune on one half of the reviews, tag the other half; pooled evaluation."""
    predicted: dict[str, frozenset[str]] = {}
    chosen = []
    for fold in (0, 1):
        params, _ = tune(inputs, gold, base, lambda r, f=fold: fold_of(r) != f)
        chosen.append(params)
        predicted.update({r: t for r, t in tags_for(inputs, params).items() if fold_of(r) == fold})
    return evaluate_tags(predicted, gold, inputs.theme_ids), chosen


def open_workspace(data_dir: Path):  # noqa: ANN201
    from learning.index import open_index
    from learning.runtime import build_encoder
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    index = open_index(data_dir / "index")
    return ThemeWorkspace(index, load_taxonomy(), build_encoder, decisions={})


def evaluate_index(
    data_dir: Path, labels: Path | None = None, min_grade: int = 2
) -> ThemeEvaluation:
    """The default tagger (shipped taxonomy, default parameters) on the index in ``data_dir``."""
    labels = labels or default_labels_path()
    workspace = open_workspace(data_dir)
    try:
        return evaluate_tags(
            workspace.tag_sets(),
            read_labels(labels, min_grade),
            workspace.taxonomy.ids,
            f"{labels} (grade >= {min_grade})",
        )
    finally:
        workspace.index.close()


def format_evaluation(title: str, result: ThemeEvaluation) -> str:
    lines = [
        f"## {title}",
        f"{result.reviews} reviews; labels: {result.labels_file}",
        f"micro P {result.micro_precision:.3f} R {result.micro_recall:.3f} "
        f"F1 {result.micro_f1:.3f}; macro P {result.macro_precision:.3f} "
        f"R {result.macro_recall:.3f} F1 {result.macro_f1:.3f}; Cohen's kappa {result.kappa:.3f}",
        "",
        "| theme | TP | FP | FN | P | R | F1 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {s.theme_id} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.2f} | {s.recall:.2f} "
        f"| {s.f1:.2f} |"
        for s in result.per_theme
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--min-grade", type=int, default=2, choices=(1, 2))
    parser.add_argument("--tune", action="store_true", help="Also grid-search generic knobs.")
    args = parser.parse_args(argv)
    labels = args.labels or default_labels_path()
    result = evaluate_index(args.data_dir, labels, args.min_grade)
    print(format_evaluation("Default parameters", result))
    if args.tune:
        workspace = open_workspace(args.data_dir)
        gold = read_labels(labels, args.min_grade)
        inputs = scoring_inputs(workspace, GRID["max_weight"])
        evaluation, chosen = cross_validated(inputs, gold, ScoringParams())
        evaluation = replace(evaluation, labels_file=str(labels))
        print()
        print(format_evaluation("Tuned by two-fold cross-validation (held-out halves)", evaluation))
        for fold, params in enumerate(chosen):
            print(f"fold {fold} tuned on the other half: {params}")
        best, score = tune(inputs, gold, ScoringParams())
        print(f"tuned on all reviews (optimistic, micro F1 {score:.3f}): {best}")
        workspace.index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
