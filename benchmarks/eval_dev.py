"""Review search for a theme on the real development set (``corpus/dev``), before and after.

The 60 documents are ingested into their own index; each theme that at least two documents
carry is searched for by its taxonomy label, and the ranking of documents is scored against
the labels (``corpus/dev/RULE.md``): MAP@20 and nDCG@10, per mode, beside keyword search
alone. "best unit" is the review ranking as it stood before issue 24 (a review's best unit
plus a small bonus); the others rank reviews by their units in context too.

    python -m benchmarks.eval_dev [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean

from benchmarks.dev_set import DOCS, ThemeQuery, read_dev_labels, theme_queries
from benchmarks.eval import MODES, _open
from benchmarks.metrics import average_precision, ndcg_at_k
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "dev-data"
DEPTH = 20
DEV_MODES: dict[str, dict[str, object]] = {
    "keyword (BM25), best unit": {
        "weights": MODES["keyword (BM25)"],
        "review_scoring": "best-unit",
    },
    "hybrid (RRF), best unit": {"weights": MODES["hybrid (RRF)"], "review_scoring": "best-unit"},
    "keyword (BM25), in context": {"weights": MODES["keyword (BM25)"]},
    "meaning (dense), in context": {"weights": MODES["meaning (dense)"]},
    "hybrid (RRF), in context": {"weights": MODES["hybrid (RRF)"]},
    # a query that names a theme also ranks by the theme's definition and the tagger
    "hybrid + themes, in context": {"weights": MODES["hybrid (RRF)"], "themes": True},
}
BASELINE = "keyword (BM25), best unit"


def score(query: ThemeQuery, ranking: Sequence[str]) -> tuple[float, float]:
    """(MAP@20, nDCG@10) of one ranking of document ids."""
    return average_precision(ranking[:DEPTH], query.judgements), ndcg_at_k(
        ranking, query.judgements, 10
    )


def run(data_dir: Path, modes: dict[str, dict[str, object]] | None = None) -> dict[str, list]:
    """Ingest the documents if needed and score every theme query in every mode."""
    from learning.ingest import ingest_paths
    from learning.runtime import build_encoder
    from learning.themes.taxonomy import load_taxonomy

    encoder = build_encoder()
    index_dir = data_dir / "index"
    report = ingest_paths([DOCS], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"the development set did not ingest cleanly: {report.failed}")
    taxonomy = load_taxonomy()
    queries = theme_queries(read_dev_labels(), {t.id: t.label for t in taxonomy.themes})
    results = {}
    for mode, options in (modes or DEV_MODES).items():
        engine = _open(index_dir, encoder, **options)
        try:
            results[mode] = [
                score(q, [hit.review_id for hit in engine.search_reviews(q.text, k=DEPTH)])
                for q in queries
            ]
        finally:
            engine.close()
    return results


def table(results: dict[str, list]) -> BenchTable:
    base = fmean(ap for ap, _ in results[BASELINE]) if BASELINE in results else 0.0
    rows = []
    for mode, scores in results.items():
        mean_ap = fmean(ap for ap, _ in scores)
        ratio = f"{mean_ap / base:.2f}x" if base else "-"
        rows.append(
            (mode, str(len(scores)), f"{mean_ap:.3f}", ratio, f"{fmean(n for _, n in scores):.3f}")
        )
    return BenchTable(
        "Review search for a theme, real development set (corpus/dev)",
        ("mode", "queries", "MAP@20", "vs BM25", "nDCG@10"),
        tuple(rows),
        "One query per theme carried by at least two documents: the theme's label. "
        "'vs BM25': MAP over keyword search alone, reviews by their best unit.",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    text = table(run(args.data_dir)).to_markdown()
    print(text)
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "eval-dev.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
