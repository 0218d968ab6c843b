"""Theme tagging on long reviews and on their short versions, side by side.

Every demo review (``corpus/reviews``) and three short versions of it (``corpus/eval/short``:
its summary or first section, its recommendations alone, a 7-minute briefing written from it)
are ingested into an index per set and tagged with the shipped taxonomy and default knobs.
Each short version carries its long review's labels (``corpus/eval/review_themes.csv``).
Reported per set: micro precision, recall and F1, and Cohen's kappa, for the engine as it is
("after") and as it stood before short documents were measured ("before": every unit under the
review's title heading excluded as a title block, missing units of the best three scored 0, one
absolute threshold on the weighted mean).

    python -m benchmarks.eval_short [--data-dir DIR] [--min-grade 1|2]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.eval_themes import (
    ScoringInputs,
    ThemeEvaluation,
    default_labels_path,
    evaluate_tags,
    read_labels,
    scoring_inputs,
    tags_for,
)
from benchmarks.table import BenchTable
from learning.themes.scoring import ScoringParams, is_excluded_section, looks_like_contents

REPO = Path(__file__).resolve().parents[1]
SHORT = REPO / "corpus" / "eval" / "short"
SETS: dict[str, Path] = {
    "long review": REPO / "corpus" / "reviews",
    "summary / first section": SHORT / "summaries",
    "recommendations alone": SHORT / "recommendations",
    "7-minute briefing": SHORT / "briefings",
}
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "eval-short"
BEFORE = ScoringParams(review_rule="fixed", review_calibration="absolute")
_SUFFIX = re.compile(r"-(?:briefing|summary|recommendations)$")


@dataclass(frozen=True)
class SetResult:
    name: str
    documents: int
    mean_words: float
    before: ThemeEvaluation
    after: ThemeEvaluation


def source_review(review_id: str) -> str:
    """The long review a short version comes from ("r01-...-briefing" -> "r01-...")."""
    return _SUFFIX.sub("", review_id)


def excluded_before(workspace) -> np.ndarray:  # noqa: ANN001
    """The exclusion rule as it stood before: every unit under the title heading."""

    def plain(text: str | None) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))

    return np.array(
        [
            is_excluded_section(row.section)
            or looks_like_contents(row.text)
            or (bool(row.section and row.title) and plain(row.section) == plain(row.title))
            for row in workspace.table.rows
        ],
        dtype=bool,
    )


def _tags(inputs: ScoringInputs, params: ScoringParams) -> dict[str, frozenset[str]]:
    """Tags as the scorer made them before: units alone, no windows, ``params``' rules."""
    return {source_review(r): tags for r, tags in tags_for(inputs, params).items()}


def evaluate_set(name: str, folder: Path, data_dir: Path, encoder, gold) -> SetResult:  # noqa: ANN001
    from learning.index import open_index
    from learning.ingest import ingest_paths
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import load_taxonomy

    index_dir = data_dir / re.sub(r"[^a-z0-9]+", "-", name) / "index"
    report = ingest_paths([folder], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"{name}: {len(report.failed)} files failed: {report.failed[:3]}")
    index = open_index(index_dir)
    try:
        workspace = ThemeWorkspace(
            index, load_taxonomy(), lambda: encoder, decisions={}, use_cache=False
        )
        inputs = scoring_inputs(workspace, (BEFORE.max_weight,))
        words = [len(row.text.split()) for row in workspace.table.rows]
        per_review = np.bincount(workspace.table.review_of_unit, weights=words)
        before_inputs = replace(inputs, excluded=excluded_before(workspace))
        theme_ids = workspace.taxonomy.ids
        return SetResult(
            name,
            len(inputs.review_ids),
            float(per_review.mean()) if per_review.size else 0.0,
            evaluate_tags(_tags(before_inputs, BEFORE), gold, theme_ids),
            # the product's own tags (its scoring path, short reviews read in windows)
            evaluate_tags(
                {source_review(r): tags for r, tags in workspace.tag_sets().items()},
                gold,
                theme_ids,
            ),
        )
    finally:
        index.close()


def run(data_dir: Path, min_grade: int = 2) -> list[SetResult]:
    from learning.cli import build_encoder

    encoder = build_encoder()
    gold = read_labels(default_labels_path(), min_grade)
    return [evaluate_set(name, folder, data_dir, encoder, gold) for name, folder in SETS.items()]


def format_results(results: Sequence[SetResult], min_grade: int) -> str:
    rows = []
    for result in results:
        b, a = result.before, result.after
        rows.append(
            (
                result.name,
                str(result.documents),
                f"{result.mean_words:.0f}",
                f"{b.micro_precision:.3f} -> {a.micro_precision:.3f}",
                f"{b.micro_recall:.3f} -> {a.micro_recall:.3f}",
                f"{b.micro_f1:.3f} -> {a.micro_f1:.3f}",
                f"{b.kappa:.3f} -> {a.kappa:.3f}",
            )
        )
    long_f1 = results[0].after.micro_f1
    gaps = ", ".join(f"{r.name} {r.after.micro_f1 - long_f1:+.3f}" for r in results[1:])
    return BenchTable(
        f"Theme tagging, long reviews and short versions (labels grade >= {min_grade}), "
        "before -> after",
        ("set", "docs", "words/doc", "precision", "recall", "micro F1", "kappa"),
        tuple(rows),
        f"Micro F1 of each short set minus the long reviews' (after): {gaps}.",
    ).to_markdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--min-grade", type=int, default=2, choices=(1, 2))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(format_results(run(args.data_dir, args.min_grade), args.min_grade))
    return 0


if __name__ == "__main__":
    sys.exit(main())
