"""Theme tags that learn from analysts: the learned tagger's cold start and learning curves.

Labelled documents (see :mod:`benchmarks.learning_sets`): the demo reviews, their short
versions, and the real development set. Three taggers on the same held-out documents:

- **zero-shot**: the product's zero-shot tags (review confidence at or above its threshold);
- **+ thresholds**: zero-shot with each theme's threshold fitted to the decisions (what the
  product did with analysts' decisions before the learned tagger);
- **learned**: per-theme heads trained on the decisions, blended with the zero-shot confidence
  (:mod:`learning.themes.learned_head`, the product's code and default parameters).

(a) **Cold start**, cross-validated by source review: every labelled document of every set is
in one of five folds by its source (a review and its short versions always together); the
heads are trained on the other folds' labels (each theme of a labelled document: yes if listed,
else no) and tag the held-out fold. Also: heads trained on the demo documents only, tagging the
real development set (which they never saw).

(b) **A simulated analyst** on each set: decisions on k documents drawn at random, scored on the
documents whose source is not among them; k = 0, 10, 20, 40, several draws (mean and standard
deviation). The analysts simulated: one who *labels fully* (on each of the k documents confirms
every labelled theme and rejects every other, tagged or not: what an analyst who checks the tags
and adds the themes they miss amounts to under the product's rule that a decided review counts
as checked); one who *confirms or rejects the tags shown* and does nothing else (the themes the
tagger missed then count as absent); and, to show why that rule is there, the analyst who checks
the tags and adds the missed themes with heads trained on those decisions alone.

    python -m benchmarks.eval_learning_curve [--data-dir DIR] [--draws N] [--out FILE]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks.eval_themes import cohen_kappa
from benchmarks.learning_sets import DEV, LONG, SHORT, LabelledSet, load_sets
from benchmarks.table import BenchTable
from learning.themes.learned_head import (
    HeadParams,
    blend_thresholds,
    head_confidences,
    implied_labels,
    train_head,
)
from learning.themes.scoring import choose_threshold
from learning.themes.tagging import MIN_CALIBRATION_DECISIONS

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "learning-curve"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "learning-curve.md"
KS = (0, 10, 20, 40)
FOLDS = 5
TAGGERS = ("zero-shot", "+ thresholds", "learned")
Labels = dict[tuple[int, int], bool]
AT = datetime(2026, 12, 7, tzinfo=UTC)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    kappa: float


def score(predicted: np.ndarray, gold: np.ndarray) -> Scores:
    """Micro precision, recall and F1, and Cohen's kappa, over document x theme."""
    tp = int((predicted & gold).sum())
    p = tp / predicted.sum() if predicted.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f1, cohen_kappa(gold, predicted))


def fitted_thresholds(s: LabelledSet, labels: Labels) -> np.ndarray:
    """Each theme's threshold fitted to the decisions on its zero-shot scores, as the product's
    ``calibrate_thresholds`` does (``choose_threshold``, the same minimum of decisions)."""
    out = np.full(len(s.theme_ids), s.threshold)
    for column in range(len(s.theme_ids)):
        yes = [float(s.zero_shot[r, c]) for (r, c), v in labels.items() if c == column and v]
        no = [float(s.zero_shot[r, c]) for (r, c), v in labels.items() if c == column and not v]
        out[column] = choose_threshold(
            yes, no, s.threshold, min_decisions=MIN_CALIBRATION_DECISIONS
        )
    return out


def predict(
    s: LabelledSet, labels: Labels, test: np.ndarray, params: HeadParams, complete: bool = True
) -> dict[str, np.ndarray]:
    """Each tagger's tags (test documents x themes), the models fitted to ``labels``; the
    heads, as the product trains them, on the decided documents completed by their zero-shot
    tags (``implied_labels``), unless ``complete`` is False."""
    zero = s.zero_shot[test]
    thresholds = fitted_thresholds(s, labels)
    tagged = s.zero_shot >= thresholds
    examples = implied_labels(labels, tagged) if complete else labels
    result = train_head(
        s.embeddings, s.zero_shot, s.theme_ids, examples, model_name="bench", scoring="bench",
        trained_at=AT, decisions=len(labels), params=params,
    )  # fmt: skip
    blended, weights = head_confidences(result.head, s.embeddings[test], zero, s.theme_ids)
    by_theme = dict(zip(s.theme_ids, thresholds, strict=True))
    learned = blend_thresholds(by_theme, weights, s.theme_ids, params.threshold)
    return {
        "zero-shot": zero >= s.threshold,
        "+ thresholds": zero >= thresholds,
        "learned": blended >= np.array([learned[t] for t in s.theme_ids]),
    }


# --- the simulated analysts ------------------------------------------------------------------


def labels_fully(s: LabelledSet, rows: np.ndarray) -> Labels:
    return {(int(r), c): bool(s.gold[r, c]) for r in rows for c in range(len(s.theme_ids))}


def checks_tags(s: LabelledSet, rows: np.ndarray) -> Labels:
    """Confirms or rejects each tag shown, and confirms the labelled themes not tagged."""
    shown = s.zero_shot >= s.threshold
    return {
        (int(r), c): bool(s.gold[r, c])
        for r in rows
        for c in range(len(s.theme_ids))
        if shown[r, c] or s.gold[r, c]
    }


def checks_shown_tags(s: LabelledSet, rows: np.ndarray) -> Labels:
    """Confirms or rejects each tag shown, and nothing else."""
    shown = s.zero_shot >= s.threshold
    return {
        (int(r), c): bool(s.gold[r, c])
        for r in rows
        for c in range(len(s.theme_ids))
        if shown[r, c]
    }


# (name, the analyst, whether the heads train on the decided documents completed by their tags)
ANALYSTS: dict[str, tuple[Callable[[LabelledSet, np.ndarray], Labels], bool]] = {
    "labels fully": (labels_fully, True),
    "confirms or rejects the tags shown, and nothing else": (checks_shown_tags, True),
    "checks the tags and adds the missed themes, heads trained on the decisions alone "
    "(not the product's rule: why decided reviews are completed)": (checks_tags, False),
}


@dataclass(frozen=True)
class CurvePoint:
    set_name: str
    analyst: str
    k: int
    tested: float  # mean documents scored
    scores: dict[str, list[Scores]]  # tagger -> one per draw


def curve(s: LabelledSet, analyst: str, draws: int, params: HeadParams) -> list[CurvePoint]:
    """Decisions on the first k of a random order of the documents, scored on the documents
    of other sources; the same order for every k within a draw (a learning curve)."""
    points: dict[int, dict[str, list[Scores]]] = {k: {t: [] for t in TAGGERS} for k in KS}
    tested: dict[int, list[int]] = {k: [] for k in KS}
    for draw in range(draws):
        order = np.random.default_rng(draw).permutation(len(s.doc_ids))
        for k in KS:
            decided = order[:k]
            seen = {s.sources[r] for r in decided}
            test = np.array([r for r in range(len(s.doc_ids)) if s.sources[r] not in seen])
            if k >= len(s.doc_ids) or test.size < 3:
                continue
            simulate, complete = ANALYSTS[analyst]
            predicted = predict(s, simulate(s, decided), test, params, complete)
            for tagger in TAGGERS:
                points[k][tagger].append(score(predicted[tagger], s.gold[test]))
            tested[k].append(test.size)
    return [
        CurvePoint(s.name, analyst, k, float(np.mean(tested[k])), points[k])
        for k in KS
        if tested[k]
    ]


# --- cold start ------------------------------------------------------------------------------


def pooled(sets: list[LabelledSet]) -> tuple[LabelledSet, dict[str, np.ndarray]]:
    """All sets as one (rows in set order), and each set's rows in it."""
    first = sets[0]
    rows: dict[str, np.ndarray] = {}
    start = 0
    for s in sets:
        rows[s.name] = np.arange(start, start + len(s.doc_ids))
        start += len(s.doc_ids)
    pool = LabelledSet(
        "pooled",
        tuple(d for s in sets for d in s.doc_ids),
        tuple(x for s in sets for x in s.sources),
        np.vstack([s.gold for s in sets]),
        np.vstack([s.zero_shot for s in sets]),
        np.vstack([s.embeddings for s in sets]),
        first.theme_ids,
        first.threshold,
    )
    return pool, rows


def cold_start(sets: list[LabelledSet], params: HeadParams) -> dict[str, dict[str, Scores]]:
    """(a): five folds by source over every labelled document; and demo-trained on dev."""
    pool, rows = pooled(sets)
    sources = list(pool.source_ids)
    fold_of = {
        source: n % FOLDS for n, source in enumerate(np.random.default_rng(0).permutation(sources))
    }
    predicted = {t: np.zeros_like(pool.gold) for t in TAGGERS}
    for fold in range(FOLDS):
        test = np.array([r for r, x in enumerate(pool.sources) if fold_of[x] == fold])
        train = np.array([r for r, x in enumerate(pool.sources) if fold_of[x] != fold])
        for tagger, tags in predict(pool, labels_fully(pool, train), test, params).items():
            predicted[tagger][test] = tags
    out = {
        name: {t: score(predicted[t][r], pool.gold[r]) for t in TAGGERS} for name, r in rows.items()
    }
    demo = np.concatenate([rows[LONG], rows[SHORT]])
    dev = rows[DEV]
    transfer = predict(pool, labels_fully(pool, demo), dev, params)
    out[f"{DEV}, trained on demo only"] = {t: score(transfer[t], pool.gold[dev]) for t in TAGGERS}
    return out


# --- the report ------------------------------------------------------------------------------


def _cell(values: list[float]) -> str:
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def _four(scores: list[Scores]) -> str:
    """Mean precision / recall / F1 / kappa over the draws."""
    means = [np.mean([getattr(s, name) for s in scores]) for name in ("precision", "recall")]
    means += [np.mean([s.f1 for s in scores]), np.mean([s.kappa for s in scores])]
    return " / ".join(f"{value:.3f}" for value in means)


def cold_start_table(results: dict[str, dict[str, Scores]], sizes: dict[str, int]) -> BenchTable:
    rows = []
    for name, by_tagger in results.items():
        z, t, learned = (by_tagger[x] for x in TAGGERS)
        rows.append((
            name, str(sizes.get(name, sizes.get(DEV, 0))),
            f"{z.precision:.3f} / {z.recall:.3f} / {z.f1:.3f} / {z.kappa:.3f}",
            f"{t.f1:.3f} / {t.kappa:.3f}",
            f"{learned.precision:.3f} / {learned.recall:.3f} / {learned.f1:.3f} / "
            f"{learned.kappa:.3f}",
            f"{learned.f1 - z.f1:+.3f}",
        ))  # fmt: skip
    return BenchTable(
        "Cold start: heads trained on labelled documents, cross-validated by source review",
        (
            "documents",
            "n",
            "zero-shot P / R / F1 / κ",
            "+ thresholds F1 / κ",
            "learned P / R / F1 / κ",
            "F1 gain",
        ),  # fmt: skip
        tuple(rows),
        f"{FOLDS} folds by source review over every labelled document (a review and its short "
        "versions always in the same fold); the last row's heads are trained on the demo "
        "documents only and tag the real documents.",
    )


def curve_table(points: list[CurvePoint], analyst: str, draws: int) -> BenchTable:
    rows = []
    for p in points:
        zero, learned = p.scores["zero-shot"], p.scores["learned"]
        gain = [b.f1 - a.f1 for a, b in zip(zero, learned, strict=True)]
        rows.append((
            p.set_name, str(p.k), f"{p.tested:.0f}", _four(zero),
            f"{np.mean([s.f1 for s in p.scores['+ thresholds']]):.3f}", _four(learned),
            _cell([s.f1 for s in learned]), _cell(gain),
        ))  # fmt: skip
    return BenchTable(
        f"Learning curve, simulated analyst who {analyst} (mean over {draws} draws)",
        (
            "set",
            "k",
            "scored",
            "zero-shot P / R / F1 / κ",
            "+ thresholds F1",
            "learned P / R / F1 / κ",
            "learned F1 ± sd",
            "F1 gain ± sd",
        ),  # fmt: skip
        tuple(rows),
        "k: documents the analyst decided on (drawn at random; the same order for every k of "
        "a draw); scored: documents of other sources, tagged (mean). Micro precision, recall "
        "and F1, and Cohen's kappa, over document x theme; F1 gain: learned minus zero-shot "
        "on the same documents. A k that leaves fewer than 3 documents to score is not shown "
        "(demo long has 42 labelled reviews, so no k = 40).",
    )


def run(data_dir: Path, draws: int, params: HeadParams | None = None) -> list[BenchTable]:
    params = params or HeadParams()
    sets = load_sets(data_dir)
    sizes = {s.name: len(s.doc_ids) for s in sets}
    tables = [cold_start_table(cold_start(sets, params), sizes)]
    for analyst in ANALYSTS:
        points = [p for s in sets for p in curve(s, analyst, draws, params)]
        tables.append(curve_table(points, analyst, draws))
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    text = "\n".join(table.to_markdown() for table in run(args.data_dir, args.draws))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
