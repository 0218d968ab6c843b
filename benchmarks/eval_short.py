"""Theme tagging on long reviews, on their short versions and on real short documents.

Every demo review (``corpus/reviews``) and three short versions of it (``corpus/eval/short``:
its summary or first section, its recommendations alone, a 7-minute briefing written from it)
are ingested into an index per set; each short version carries its long review's labels
(``corpus/eval/review_themes.csv``). The real development set (``corpus/dev``, read through
``benchmarks.dev_set``: short documents written from published briefings and summaries,
labelled from the publishers' own theme words) is a set of its own, reported separately.

Each set is tagged by the product's own scoring path (``ThemeWorkspace``, no analyst decisions,
no learned head) under three engines, side by side in one run:

- *before*: the zero-shot tagger as it stood before issue 24 (short reviews also read in
  windows of two sentences, no keyword evidence);
- *windows*: short reviews read sentence by sentence;
- *windows + BM25*: and each theme's label and phrases as review search's BM25 queries, one more
  term of the score (``ScoringParams.keyword_weight``).

Reported per set and engine: micro precision, recall and F1, and Cohen's kappa.

    python -m benchmarks.eval_short [--data-dir DIR] [--min-grade 1|2] [--sets NAME ...]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.dev_set import DOCS as DEV_DOCS
from benchmarks.dev_set import read_dev_labels
from benchmarks.eval_themes import (
    ThemeEvaluation,
    default_labels_path,
    evaluate_tags,
    read_labels,
)
from benchmarks.table import BenchTable
from learning.themes.scoring import ScoringParams

REPO = Path(__file__).resolve().parents[1]
SHORT = REPO / "corpus" / "eval" / "short"
DEV_SET = "real development set"
SETS: dict[str, Path] = {
    "long review": REPO / "corpus" / "reviews",
    "summary / first section": SHORT / "summaries",
    "recommendations alone": SHORT / "recommendations",
    "7-minute briefing": SHORT / "briefings",
    DEV_SET: DEV_DOCS,
}
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "eval-short"
#: Keyword weight of the "windows + BM25" engine when the shipped default leaves it out.
KEYWORD_WEIGHT = 0.2


def engines(base: ScoringParams | None = None) -> dict[str, ScoringParams]:
    """The three engines compared, from the shipped knobs (``base``)."""
    base = base or ScoringParams()
    keyword = base.keyword_weight or KEYWORD_WEIGHT
    return {
        "before": replace(base, window_sentences=2, keyword_weight=0.0),
        "windows": replace(base, window_sentences=1, keyword_weight=0.0),
        "windows + BM25": replace(base, window_sentences=1, keyword_weight=keyword),
    }


_SUFFIX = re.compile(r"-(?:briefing|summary|recommendations)$")


@dataclass(frozen=True)
class SetResult:
    name: str
    documents: int
    mean_words: float
    by_engine: dict[str, ThemeEvaluation]


def source_review(review_id: str) -> str:
    """The long review a short version comes from ("r01-...-briefing" -> "r01-...")."""
    return _SUFFIX.sub("", review_id)


def evaluate_set(
    name: str,
    folder: Path,
    data_dir: Path,
    encoder,  # noqa: ANN001
    gold: Mapping[str, frozenset[str]],
    settings: Mapping[str, ScoringParams],
    review_key: Callable[[str], str] = source_review,
) -> SetResult:
    """Ingest ``folder`` (its own index under ``data_dir``) and tag it under each setting."""
    from learning.index import open_index
    from learning.ingest import ingest_paths
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    index_dir = data_dir / re.sub(r"[^a-z0-9]+", "-", name) / "index"
    report = ingest_paths([folder], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"{name}: {len(report.failed)} files failed: {report.failed[:3]}")
    index = open_index(index_dir)
    taxonomy = load_taxonomy()
    try:
        results: dict[str, ThemeEvaluation] = {}
        table = None
        for engine, params in settings.items():
            workspace = ThemeWorkspace(
                index, taxonomy, lambda: encoder, decisions={}, params=params, use_cache=False
            )
            tags = {review_key(r): t for r, t in workspace.tag_sets().items()}
            results[engine] = evaluate_tags(tags, gold, taxonomy.ids)
            table = workspace.table
        assert table is not None
        words = [len(row.text.split()) for row in table.rows]
        per_review = np.bincount(table.review_of_unit, weights=words)
        return SetResult(
            name,
            len(table.review_ids),
            float(per_review.mean()) if per_review.size else 0.0,
            results,
        )
    finally:
        index.close()


def run(
    data_dir: Path,
    min_grade: int = 2,
    names: Sequence[str] = (),
    settings: Mapping[str, ScoringParams] | None = None,
) -> list[SetResult]:
    from learning.runtime import build_encoder

    encoder = build_encoder()
    settings = settings or engines()
    gold = read_labels(default_labels_path(), min_grade)
    results = []
    for name, folder in SETS.items():
        if names and name not in names:
            continue
        if name == DEV_SET:
            results.append(
                evaluate_set(name, folder, data_dir, encoder, read_dev_labels(), settings, str)
            )
        else:
            results.append(evaluate_set(name, folder, data_dir, encoder, gold, settings))
    return results


def format_results(results: Sequence[SetResult], min_grade: int) -> str:
    engine_names = list(results[0].by_engine) if results else []

    def joined(result: SetResult, field: str) -> str:
        return " / ".join(f"{getattr(e, field):.3f}" for e in result.by_engine.values())

    rows = [
        (
            result.name,
            str(result.documents),
            f"{result.mean_words:.0f}",
            *(joined(result, field) for field in ("micro_precision", "micro_recall")),
            joined(result, "micro_f1"),
            joined(result, "kappa"),
        )
        for result in results
    ]
    return BenchTable(
        f"Theme tagging, long reviews, short versions and real short documents (demo labels "
        f"grade >= {min_grade}; the development set's labels are binary): "
        + " / ".join(engine_names),
        ("set", "docs", "words/doc", "precision", "recall", "micro F1", "kappa"),
        tuple(rows),
        "Each cell: " + " / ".join(engine_names) + " (one run, the same indexes).",
    ).to_markdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--min-grade", type=int, default=2, choices=(1, 2))
    parser.add_argument("--sets", nargs="*", default=(), choices=tuple(SETS), metavar="NAME")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(format_results(run(args.data_dir, args.min_grade, args.sets), args.min_grade))
    return 0


if __name__ == "__main__":
    sys.exit(main())
