"""Review search on short documents: the evaluation queries run over the reviews' short versions.

Each set of short versions (``corpus/eval/short``: 7-minute briefings, summaries or first
sections, recommendations alone) is ingested into its own index, and the theme and passage
queries of ``corpus/eval/queries.jsonl`` are run on it; a short version is judged as its long
review is. This is where one-line recommendation units can hijack a review's rank, so each set
is scored with reviews ranked by their best unit (before issue 24) and in context (after).

    python -m benchmarks.eval_short_search [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path
from statistics import fmean

from benchmarks.eval import MODES, _open, read_queries, score_ranking
from benchmarks.eval_short import SETS, source_review
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "eval-short-search"
SCORINGS = {"best unit (before)": "best-unit", "in context (after)": "in-context"}
WEIGHTS = {"hybrid": MODES["hybrid (RRF)"], "BM25": MODES["keyword (BM25)"]}
TYPES = ("theme", "passage")
# the short versions of the demo reviews (the real development set has its own queries)
SHORT_SETS = {name: folder for name, folder in SETS.items() if "short" in folder.parts}


def run(data_dir: Path) -> list[tuple[str, ...]]:
    """One row per short set, query type and side: MAP and nDCG@10 before and after."""
    from learning.ingest import ingest_paths
    from learning.runtime import build_encoder

    encoder = build_encoder()
    queries = [query for query in read_queries() if query.type in TYPES]
    rows = []
    for name, folder in SHORT_SETS.items():
        index_dir = data_dir / re.sub(r"[^a-z0-9]+", "-", name) / "index"
        report = ingest_paths([folder], index_dir, encoder, remove_missing=True)
        if report.failed:
            raise SystemExit(f"{name}: {len(report.failed)} files failed: {report.failed[:3]}")
        for side, weights in WEIGHTS.items():
            scores = {}
            for label, scoring in SCORINGS.items():
                engine = _open(index_dir, encoder, weights=weights, review_scoring=scoring)
                try:
                    scores[label] = [
                        score_ranking(
                            query,
                            [
                                source_review(h.review_id)
                                for h in engine.search_reviews(query.text, k=50)
                            ],
                        )
                        for query in queries
                    ]
                finally:
                    engine.close()
            for query_type in TYPES:
                cells = []
                for label in SCORINGS:
                    chosen = [s for s in scores[label] if s.query.type == query_type]
                    cells.append((fmean(s.ap for s in chosen), fmean(s.ndcg10 for s in chosen)))
                (map_b, ndcg_b), (map_a, ndcg_a) = cells
                rows.append(
                    (
                        name,
                        query_type,
                        side,
                        f"{map_b:.3f} -> {map_a:.3f}",
                        f"{ndcg_b:.3f} -> {ndcg_a:.3f}",
                    )
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    text = BenchTable(
        "Review search on short versions of the demo reviews, best unit -> in context",
        ("set", "queries", "side", "MAP", "nDCG@10"),
        tuple(run(args.data_dir)),
        "Theme and passage queries of corpus/eval, judged as their long reviews are.",
    ).to_markdown()
    print(text)
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "eval-short-search.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
