"""The labelled documents the learning curves are measured on, as arrays.

Three sets, each ingested into its own index under the benchmark's data folder and scored by
the product's zero-shot tagger (:class:`~learning.themes.tagging.ThemeWorkspace`, whatever its
scoring is today):

- **demo long**: the demo reviews (``corpus/reviews``) labelled in
  ``corpus/eval/review_themes.csv`` (grade 2: a main theme);
- **demo short**: their short versions (``corpus/eval/short/*``: summary, recommendations
  alone, 7-minute briefing), each with its source review's labels;
- **dev (real)**: the real development set (``corpus/dev``), labels from ``read_dev_labels``.

Each document has a *source*: the long review it comes from (a review and its short versions
share one), so that folds and draws never split a review from its own short versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.dev_set import DOCS, read_dev_labels
from benchmarks.eval_short import SETS, source_review
from benchmarks.eval_themes import default_labels_path, read_labels

LONG, SHORT, DEV = "demo long", "demo short", "dev (real)"


@dataclass(frozen=True)
class LabelledSet:
    """Documents (rows) with their source, labels and the zero-shot tagger's view of them."""

    name: str
    doc_ids: tuple[str, ...]
    sources: tuple[str, ...]
    gold: np.ndarray  # docs x themes, bool
    zero_shot: np.ndarray  # docs x themes, the workspace's review confidences
    embeddings: np.ndarray  # docs x dimension, the learned head's features
    theme_ids: tuple[str, ...]
    threshold: float  # the zero-shot tagger's default review threshold

    def rows_of(self, sources: set[str]) -> np.ndarray:
        return np.array([i for i, s in enumerate(self.sources) if s in sources], dtype=np.int64)

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.sources)))


def _index_arrays(
    folder: Path, index_dir: Path, encoder
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, tuple[str, ...], float]:  # noqa: ANN001
    """Ingest ``folder`` (unchanged files are skipped) and read its zero-shot scores and review
    embeddings through the product's workspace."""
    from learning.index import open_index
    from learning.ingest import ingest_paths
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    report = ingest_paths([folder], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"{folder}: {len(report.failed)} files failed: {report.failed[:2]}")
    index = open_index(index_dir)
    try:
        workspace = ThemeWorkspace(index, load_taxonomy(), lambda: encoder, decisions={})
        scores = workspace.zero_shot_scores
        return (
            scores.review_ids,
            np.asarray(scores.review_conf, dtype=np.float32),
            workspace.review_embeddings,
            scores.theme_ids,
            workspace.params.review_threshold,
        )
    finally:
        index.close()


def build_set(
    name: str,
    parts: Sequence[tuple[str, Path]],
    data_dir: Path,
    encoder,  # noqa: ANN001
    gold_of: Mapping[str, frozenset[str]],
    source_of: Callable[[str], str],
) -> LabelledSet:
    """One labelled set from one or more folders (``parts``: a slug and a folder each); only
    documents whose source has labels are kept."""
    doc_ids: list[str] = []
    sources: list[str] = []
    zero_shot, embeddings, gold = [], [], []
    theme_ids: tuple[str, ...] = ()
    threshold = 0.5
    for slug, folder in parts:
        index_dir = data_dir / re.sub(r"[^a-z0-9]+", "-", slug) / "index"
        ids, conf, emb, theme_ids, threshold = _index_arrays(folder, index_dir, encoder)
        for row, review_id in enumerate(ids):
            source = source_of(review_id)
            if source not in gold_of:
                continue
            doc_ids.append(f"{slug}:{review_id}")
            sources.append(source)
            zero_shot.append(conf[row])
            embeddings.append(emb[row])
            gold.append([theme in gold_of[source] for theme in theme_ids])
    return LabelledSet(
        name,
        tuple(doc_ids),
        tuple(sources),
        np.array(gold, dtype=bool).reshape(len(doc_ids), len(theme_ids)),
        np.array(zero_shot, dtype=np.float32).reshape(len(doc_ids), len(theme_ids)),
        np.array(embeddings, dtype=np.float32),
        theme_ids,
        threshold,
    )


def load_sets(data_dir: Path, min_grade: int = 2) -> list[LabelledSet]:
    """The three labelled sets (the encoder is the product's default)."""
    from learning.runtime import build_encoder

    encoder = build_encoder()
    demo_gold = read_labels(default_labels_path(), min_grade)
    short_parts = [(name, folder) for name, folder in SETS.items() if name != "long review"]
    # a dev document is its own source (its sources are other publishers' pages)
    dev_gold = {f"dev:{doc}": themes for doc, themes in read_dev_labels().items()}
    return [
        build_set(LONG, [("long review", SETS["long review"])], data_dir, encoder, demo_gold, str),
        build_set(SHORT, short_parts, data_dir, encoder, demo_gold, source_review),
        build_set(DEV, [("dev", DOCS)], data_dir, encoder, dev_gold, lambda doc: f"dev:{doc}"),
    ]
