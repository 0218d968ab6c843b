"""Similar cases by facets on the evaluation set, beside the engine's similar-case search, and
the time of one faceted search with its encodes batched and one by one.

- Ranking: every case query of ``corpus/eval/queries.jsonl`` (c01-c22) ranks reviews, scored
  with the same judgements as ``benchmarks.eval`` (nDCG@10, recall@20, MAP): by the engine's
  similar-case search (``SearchEngine.similar_cases``, the ranking before facets), by the
  Similar cases page's faceted ranking (``learning.similar_facets.similar_by_facets``: the
  précis as a whole half of the score, its facets the other half), as first built (the précis
  one part among the facets, 1 / (facets + 1); no role rule; no search inside each review
  found), and now but for the précis's share.
- The issue's précis: which of its facets each of the top five reviews matches.
- Time: one faceted search of the issue's précis on the same index (the demo corpus), model
  loaded and theme tags cached, as first built (one encode per facet and one for the précis)
  and now (every text in one batch), alternated, median of ``--repeats``.

No word or weight was chosen on these queries: the facets are read with the taxonomy and the
general vocabulary of ``learning.facet_words`` and ``learning.facet_roles``.

    python -m benchmarks.eval_facets [--data-dir DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks.eval import (
    DEFAULT_DATA_DIR,
    DEPTH,
    REPO,
    EvalQuery,
    QueryScore,
    _ingest_corpus,
    read_queries,
    score_ranking,
)
from benchmarks.table import BenchTable
from benchmarks.watched_encoder import WatchedEncoder
from learning.facet_ranking import rank_by_facets
from learning.facets import Facet, FacetKind, FacetReader, facet_reader, stems_of
from learning.library import ThemeSource, review_tags
from learning.results import FacetedReview
from learning.search import SearchEngine, open_engine
from learning.similar_facets import FACET_POOL, WHOLE_POOL, similar_by_facets
from learning.themes.taxonomy import SHIPPED_TAXONOMY, load_taxonomy

ISSUE_PRECIS = (
    "4-month-old, non-accidental head injury, father's mental health and substance misuse, "
    "mother a care leaver, health visitor missed bruising, agencies did not share information"
)
TOP = 5


def as_first_built(
    engine: SearchEngine, precis: str, source: ThemeSource, k: int
) -> list[FacetedReview]:
    """The faceted search as first built: the précis and each facet encoded on its own (its
    ranking is not measured here: only its encodes differ in time)."""
    reader = facet_reader(load_taxonomy(source.taxonomy_path).themes)
    facets = reader.facets(precis)
    whole = engine.similar_cases(precis, WHOLE_POOL)
    found = [
        [] if facet.kind is FacetKind.AGE else engine.search_passages(facet.query, FACET_POOL)
        for facet in facets
    ]
    tags = {
        review_id: frozenset(tag.theme_id for tag in found_tags)
        for review_id, found_tags in review_tags(engine, source).items()
    }
    return rank_by_facets(facets, whole, found, tags, reader.passage_says, k)


def _forget_passages() -> None:
    """Empty the caches of passages read, as for a précis not searched before."""
    stems_of.cache_clear()
    FacetReader._phrase_scores.cache_clear()  # type: ignore[attr-defined]


def time_searches(
    engine: SearchEngine, encoder: WatchedEncoder, source: ThemeSource, repeats: int
) -> BenchTable:
    """One faceted search of the issue's précis, both ways, alternated."""
    ways: dict[str, Callable[[], object]] = {
        "one encode per text (as first built)": lambda: as_first_built(
            engine, ISSUE_PRECIS, source, TOP
        ),
        "one batch (now)": lambda: similar_by_facets(engine, ISSUE_PRECIS, source, TOP),
    }
    for run in ways.values():
        run()  # the model, the theme signals and the tags, loaded once
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    encodes: dict[str, tuple[int, int]] = {}
    for _ in range(repeats):
        for name, run in ways.items():
            _forget_passages()
            calls, texts = encoder.calls, encoder.texts
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
            encodes[name] = (encoder.calls - calls, encoder.texts - texts)
    rows = tuple(
        (
            name,
            str(encodes[name][0]),
            str(encodes[name][1]),
            f"{statistics.median(seconds[name]):.2f}",
            f"{min(seconds[name]):.2f}",
            f"{max(seconds[name]):.2f}",
        )
        for name in ways
    )
    return BenchTable(
        f"One faceted search of the issue's précis, seconds ({repeats} runs each, alternated)",
        ("encodes", "encode calls", "texts", "median s", "min s", "max s"),
        rows,
        "Demo corpus index, all-MiniLM-L6-v2 loaded, theme tags cached, passages read afresh "
        "each run; 2 cores shared with other work (see min and max).",
    )


def rank_cases(
    engine: SearchEngine, source: ThemeSource, queries: Sequence[EvalQuery]
) -> dict[str, list[QueryScore]]:
    """Each case query's ranking scored, by the engine's similar cases and by facets."""
    rankers: dict[str, Callable[[str], list[str]]] = {
        "similar cases (engine, before)": lambda text: [
            hit.review_id for hit in engine.similar_cases(text, k=DEPTH)
        ],
        "by facets, as first built": lambda text: _faceted(engine, text, source, *_FIRST),
        "by facets, now but the précis 1 of n + 1 parts": lambda text: _faceted(
            engine, text, source, _ONE_PART
        ),
        "by facets (now)": lambda text: _faceted(engine, text, source),
    }
    return {
        mode: [score_ranking(query, rank(query.text)) for query in queries]
        for mode, rank in rankers.items()
    }


# What this work changed in the ranking, to put back: the précis as a whole one part among
# the facets (not half); no role rule; no search inside each review found.
_ONE_PART = mock.patch("learning.facet_ranking.whole_share", lambda count: 1 / (count + 1))
_FIRST = (
    _ONE_PART,
    mock.patch.object(Facet, "people", property(lambda facet: frozenset())),
    mock.patch("learning.similar_facets._inside", lambda *args: {}),
)


def _faceted(engine: SearchEngine, text: str, source: ThemeSource, *undone: Any) -> list[str]:
    """Review ids as the faceted search ranks them, with ``undone`` changes put back."""
    with contextlib.ExitStack() as stack:
        for patch in undone:
            stack.enter_context(patch)
        found = similar_by_facets(engine, text, source, DEPTH)
    return [hit.review_id for hit in found.reviews]


def ranking_table(results: dict[str, list[QueryScore]]) -> BenchTable:
    rows = tuple(
        (
            mode,
            str(len(scores)),
            f"{statistics.fmean(s.ndcg10 for s in scores):.3f}",
            f"{statistics.fmean(s.recall20 for s in scores):.3f}",
            f"{statistics.fmean(s.ap for s in scores):.3f}",
        )
        for mode, scores in results.items()
    )
    return BenchTable(
        "Similar cases on the evaluation set's case queries",
        ("mode", "queries", "nDCG@10", "recall@20", "MAP"),
        rows,
    )


def per_query_table(results: dict[str, list[QueryScore]]) -> BenchTable:
    modes = list(results)
    rows = []
    for index, score in enumerate(results[modes[0]]):
        cells = [f"{results[mode][index].ndcg10:.3f}" for mode in modes]
        rows.append((score.query.id, *cells))
    return BenchTable("nDCG@10 per case query", ("query", *modes), tuple(rows))


def issue_table(engine: SearchEngine, source: ThemeSource, title: str, *undone: Any) -> BenchTable:
    """Which of the issue précis's facets each of the top five matches."""
    with contextlib.ExitStack() as stack:
        for patch in undone:
            stack.enter_context(patch)
        found = similar_by_facets(engine, ISSUE_PRECIS, source, TOP)
    labels = [facet.label for facet in found.facets]
    rows = []
    for rank, review in enumerate(found.reviews, start=1):
        marks = []
        for index in range(len(labels)):
            with_passage = any(index in shown.facets for shown in review.passages)
            if index not in review.matched:
                marks.append("-")
            elif found.facets[index].kind is FacetKind.AGE:
                marks.append("age")
            else:
                marks.append("passage" if with_passage else "theme")
        rows.append((f"{rank}. {review.review_id}", f"{review.score:.2f}", *marks))
    covered = {i for review in found.reviews for i in review.matched}
    note = f"Facets matched by at least one of the top {TOP}: {len(covered)} of {len(labels)}."
    title = f"The issue's précis: facets matched in the top five, {title}"
    return BenchTable(title, ("review", "score", *labels), tuple(rows), note)


def run(data_dir: Path, repeats: int) -> list[BenchTable]:
    from learning.runtime import build_encoder

    model = build_encoder()
    index_dir = _ingest_corpus(data_dir, model)
    encoder = WatchedEncoder(model)
    engine = open_engine(index_dir, encoder)  # type: ignore[arg-type]
    try:
        with tempfile.TemporaryDirectory() as folder:  # no analyst decisions
            source = ThemeSource(SHIPPED_TAXONOMY, f"sqlite:///{Path(folder) / 'app.db'}")
            timing = time_searches(engine, encoder, source, repeats)
            cases = [query for query in read_queries() if query.type == "case"]
            results = rank_cases(engine, source, cases)
            issue = [
                issue_table(engine, source, "as first built", *_FIRST),
                issue_table(engine, source, "now"),
            ]
            return [timing, ranking_table(results), per_query_table(results), *issue]
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    text = "\n".join(table.to_markdown() for table in run(args.data_dir, args.repeats))
    print(text)
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "eval-facets.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
