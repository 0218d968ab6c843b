"""Retrieval quality on the evaluation set: keyword alone, meaning alone, and the two fused.

The demo corpus is ingested (incrementally) into an evaluation index, then every query of
``corpus/eval/queries.jsonl`` is run three ways and its ranking of reviews is scored:

- theme and passage queries through review search (reviews ranked by their best passages);
- case précis through similar-case search.

Reported per query type and overall: nDCG@10 (graded), recall@20 and MAP.

    python -m benchmarks.eval [--data-dir DIR] [--json] [--fts5] [--int8]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

from benchmarks.metrics import average_precision, ndcg_at_k, recall_at_k
from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "corpus" / "eval" / "queries.jsonl"
REVIEWS = REPO / "corpus" / "reviews"
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "eval-data"
MODES: dict[str, tuple[float, float]] = {
    "keyword (BM25)": (0.0, 1.0),
    "meaning (dense)": (1.0, 0.0),
    "hybrid (RRF)": (1.0, 1.0),
}
DEPTH = 50
QUERY_TYPES = ("theme", "passage", "case")


@dataclass(frozen=True)
class EvalQuery:
    id: str
    type: str
    text: str
    judgements: dict[str, int]


@dataclass(frozen=True)
class QueryScore:
    query: EvalQuery
    ndcg10: float
    recall20: float
    ap: float


def read_queries(path: Path = QUERIES) -> list[EvalQuery]:
    """The evaluation queries with their graded judgements."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            queries.append(EvalQuery(raw["id"], raw["type"], raw["query"], raw["judgements"]))
    return queries


def score_ranking(query: EvalQuery, ranking: Sequence[str]) -> QueryScore:
    """The three measures of one ranking of review ids."""
    return QueryScore(
        query,
        ndcg_at_k(ranking, query.judgements, 10),
        recall_at_k(ranking, query.judgements, 20),
        average_precision(ranking, query.judgements),
    )


def rank_reviews(engine, query: EvalQuery) -> list[str]:  # noqa: ANN001
    """Review ids, best first, as the product would show them for this query."""
    if query.type == "case":
        return [hit.review_id for hit in engine.similar_cases(query.text, k=DEPTH)]
    return [hit.review_id for hit in engine.search_reviews(query.text, k=DEPTH)]


def evaluate(
    queries: Sequence[EvalQuery], ranker: Callable[[EvalQuery], list[str]]
) -> list[QueryScore]:
    return [score_ranking(query, ranker(query)) for query in queries]


def _cells(scores: Sequence[QueryScore]) -> tuple[str, str, str]:
    if not scores:
        return ("-", "-", "-")
    return (
        f"{fmean(s.ndcg10 for s in scores):.3f}",
        f"{fmean(s.recall20 for s in scores):.3f}",
        f"{fmean(s.ap for s in scores):.3f}",
    )


def summary_tables(results: dict[str, list[QueryScore]]) -> list[BenchTable]:
    """One table overall and one per query type, a row per mode."""
    tables = []
    for selected in (None, *QUERY_TYPES):
        rows = []
        for mode, scores in results.items():
            chosen = [s for s in scores if selected is None or s.query.type == selected]
            rows.append((mode, str(len(chosen)), *_cells(chosen)))
        title = "Retrieval, all queries" if selected is None else f"Retrieval, {selected} queries"
        tables.append(
            BenchTable(title, ("mode", "queries", "nDCG@10", "recall@20", "MAP"), tuple(rows))
        )
    return tables


def _ingest_corpus(data_dir: Path, encoder) -> Path:  # noqa: ANN001
    from learning.ingest import ingest_paths

    index_dir = data_dir / "index"
    report = ingest_paths([REVIEWS], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"the demo corpus did not ingest cleanly: {report.failed}")
    return index_dir


def int8_encoder(batch_size: int = 16):  # noqa: ANN201
    """The bundled model with its Linear layers dynamically quantised to int8 (evaluation
    only: the product encodes in fp32), under its own name so it never shares an fp32 index."""
    from benchmarks.learning_compare import int8_dynamic
    from learning.encoder import BUNDLED_MODEL_NAME, SentenceTransformerEncoder, resolve_model_path

    return SentenceTransformerEncoder(
        resolve_model_path(),
        f"{BUNDLED_MODEL_NAME}+int8-dynamic",
        batch_size=batch_size,
        prepare=int8_dynamic,
    )


def run_evaluation(
    data_dir: Path,
    modes: dict[str, dict[str, object]] | None = None,
    encoder=None,  # noqa: ANN001
) -> dict[str, list[QueryScore]]:
    """Ingest the corpus if needed and score every query in every mode (engine options)."""
    from learning.runtime import build_encoder

    encoder = encoder or build_encoder()
    index_dir = _ingest_corpus(data_dir, encoder)
    queries = read_queries()
    results = {}
    for mode, options in (modes or DEFAULT_MODES).items():
        engine = _open(index_dir, encoder, **options)
        try:
            results[mode] = evaluate(queries, lambda q, e=engine: rank_reviews(e, q))
        finally:
            engine.close()
    return results


BEFORE_CONTEXT = {"review_scoring": "best-unit"}
DEFAULT_MODES: dict[str, dict[str, object]] = {
    # reviews ranked by their best unit alone, as before issue 24
    **{f"{mode}, best unit": {"weights": w, **BEFORE_CONTEXT} for mode, w in MODES.items()},
    **{mode: {"weights": weights} for mode, weights in MODES.items()},
    # the product's theme signals: themes named in a query, and case patterns of a précis
    "hybrid + themes": {"weights": MODES["hybrid (RRF)"], "themes": True},
}
FTS5_MODES: dict[str, dict[str, object]] = {
    "keyword (BM25 postings)": {"weights": MODES["keyword (BM25)"]},
    "keyword (FTS5 bm25)": {"weights": MODES["keyword (BM25)"], "fts5": True},
    "hybrid (RRF), postings": {"weights": MODES["hybrid (RRF)"]},
    "hybrid (RRF), FTS5 bm25": {"weights": MODES["hybrid (RRF)"], "fts5": True},
}


def _open(index_dir: Path, encoder, fts5: bool = False, **options: object):  # noqa: ANN001, ANN202
    """The product's engine, or with ``fts5`` one whose keyword side FTS5 ranks itself."""
    from learning.index import open_index
    from learning.search import SearchEngine, open_engine

    if not fts5:
        return open_engine(index_dir, encoder, **options)

    class Fts5Engine(SearchEngine):
        """The keyword side ranked by FTS5 itself, as before the postings."""

        def _keyword(self, terms, limit, allowed):  # noqa: ANN001, ANN202
            return self._keyword_fts(terms, limit, allowed)

    index = open_index(index_dir, model_name=encoder.name, dimension=encoder.dimension)
    return Fts5Engine(index, encoder, **options)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--json", action="store_true", help="Per-query scores as JSON.")
    parser.add_argument(
        "--fts5",
        action="store_true",
        help="Instead: keyword alone and hybrid with the keyword side ranked by the index's "
        "BM25 postings (the product) and by FTS5's own bm25, side by side.",
    )
    parser.add_argument(
        "--int8",
        action="store_true",
        help="Encode (corpus and queries) with the int8-quantised model, in its own index.",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    modes = FTS5_MODES if args.fts5 else None
    encoder = None
    if args.int8:
        encoder = int8_encoder()
        if args.data_dir == DEFAULT_DATA_DIR:
            args.data_dir = DEFAULT_DATA_DIR.with_name("eval-data-int8")
    results = run_evaluation(args.data_dir, modes, encoder)
    if args.json:
        print(
            json.dumps(
                {
                    mode: [
                        {
                            "id": s.query.id,
                            "type": s.query.type,
                            "ndcg10": s.ndcg10,
                            "recall20": s.recall20,
                            "ap": s.ap,
                        }
                        for s in scores
                    ]
                    for mode, scores in results.items()
                },
                indent=2,
            )
        )
        return 0
    tables = summary_tables(results)[:1] if modes else summary_tables(results)
    text = "\n".join(table.to_markdown() for table in tables)
    print(text)
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    name = "eval-fts5" if modes else "eval-int8" if args.int8 else "eval"
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
