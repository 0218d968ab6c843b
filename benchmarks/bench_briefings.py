"""7-minute briefing drafts against the 42 briefings written by hand (``make bench-briefings``).

Each demo review (``corpus/reviews``) is ingested with the real model into an index of its own
(``benchmarks/out/briefings/index``), as the other benchmarks do, and drafted by the product's
service (:func:`learning.briefing_library.review_briefing`, without theme tags: the questions
drawn from them are templates, neither quoted nor measured). Two measures, fixed before any
draft was scored:

- **coverage**: each hand-written briefing (``corpus/eval/short/briefings/<review id>.md``) is
  split into its key points: the sentences, and numbered items, of its parts labelled as
  learning, findings, what practitioners should do, or recommendations (a part labelled "What
  happened", "Background" ... and unlabelled text are the story, not key points). A point is
  covered when some quoted sentence of the draft has a cosine of at least the threshold with
  it (all-MiniLM-L6-v2 embeddings): 0.6 is the headline, chosen before looking; 0.5 and 0.7
  are shown beside it. The "ceiling" is the same measure against every sentence of the review:
  what a draft quoting the review could cover at most.
- **support**: the share of the draft's quoted points whose text (white space and line-end
  hyphenation normalised, Markdown marks dropped) is found in the text of the page they cite,
  read again from the file by the extractor, and whose printed page is the one cited.

    python -m benchmarks.bench_briefings [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.table import BenchTable

REPO = Path(__file__).resolve().parents[1]
REVIEWS = REPO / "corpus" / "reviews"
BRIEFINGS = REPO / "corpus" / "eval" / "short" / "briefings"
DEFAULT_DATA_DIR = REPO / "benchmarks" / "out" / "briefings"
HEADLINE = 0.6
THRESHOLDS = (0.5, 0.6, 0.7)

_KEY_LABEL = re.compile(r"recommend|practitioners|finding|learning|lesson", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ReviewScore:
    review_id: str
    key_points: int
    covered: dict[float, int]
    ceiling: dict[float, int]
    draft_points: int
    supported: int
    draft_words: int


def key_points(markdown: str) -> list[str]:
    """The key points of a hand-written briefing (see the module's docstring). A briefing
    with no part labelled as learning or recommendations: every paragraph but its first (the
    first tells what happened)."""
    body = markdown.split("---", 2)[-1] if markdown.startswith("---") else markdown
    lines = [line.strip() for line in body.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    points: list[str] = []
    in_key, labelled = False, False
    for line in lines:
        label = line.strip("*").strip().rstrip(":").strip("*").strip()
        if len(label.split()) <= 7 and not label.endswith("."):
            in_key = bool(_KEY_LABEL.search(label))
            labelled = labelled or in_key
            continue
        if in_key:
            points += _points_of(line)
    if labelled:
        return points
    return [point for line in lines[1:] for point in _points_of(line)]


def _points_of(line: str) -> list[str]:
    """A numbered item is one point; a paragraph is one point a sentence."""
    if _NUMBERED.match(line):
        return [_NUMBERED.sub("", line)]
    return [s for s in _SENTENCE_END.split(line) if len(s.split()) >= 3]


def page_text(text: str) -> str:
    """A page's (or a point's) text as compared: Markdown marks out, white space and line-end
    hyphenation normalised."""
    text = re.sub(r"(?m)^#{1,6}\s+", "", text.replace("\u00ad", ""))
    text = text.replace("**", "").replace("__", "")
    text = _SPACE.sub(" ", text)
    return re.sub(r"(?<=\w)-\s+(?=\w)", "-", text).strip()


def _covered(points: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    """Each key point's best cosine with the sentences (0 if there are none)."""
    if not len(points) or not len(sentences):
        return np.zeros(len(points), np.float32)
    best: np.ndarray = (points @ sentences.T).max(axis=1)
    return best


def score_review(engine, review_id: str, encoder) -> ReviewScore:  # noqa: ANN001
    from learning.briefing_library import review_briefing
    from learning.briefing_sentences import split_sentences
    from learning.extract import extract_document

    briefing = review_briefing(engine, review_id)
    document = engine.index.store.document_by_review(review_id)
    pages = {page.number: page for page in extract_document(Path(document.source)).pages}
    supported = sum(
        point.placed.page in pages
        and page_text(point.text) in page_text(pages[point.placed.page].text)
        and point.placed.page_label == pages[point.placed.page].label
        for point in briefing.points
    )
    gold = key_points((BRIEFINGS / f"{review_id}.md").read_text(encoding="utf-8"))
    gold_vectors = encoder.encode(gold)
    draft = encoder.encode([point.text for point in briefing.points])
    every = [
        s
        for unit in engine.index.store.units_of_review(review_id)
        for s in split_sentences(unit.text)
    ]
    best, ceiling = _covered(gold_vectors, draft), _covered(gold_vectors, encoder.encode(every))
    return ReviewScore(
        review_id,
        len(gold),
        {t: int((best >= t).sum()) for t in THRESHOLDS},
        {t: int((ceiling >= t).sum()) for t in THRESHOLDS},
        len(briefing.points),
        supported,
        sum(len(point.text.split()) for point in briefing.points),
    )


def run(data_dir: Path) -> list[ReviewScore]:
    from learning.ingest import ingest_paths
    from learning.runtime import build_encoder
    from learning.search import open_engine

    encoder = build_encoder()
    index_dir = data_dir / "index"
    report = ingest_paths([REVIEWS], index_dir, encoder, remove_missing=True)
    if report.failed:
        raise SystemExit(f"{len(report.failed)} reviews failed to ingest: {report.failed[:3]}")
    engine = open_engine(index_dir, encoder)
    try:
        ids = sorted(path.stem for path in BRIEFINGS.glob("*.md"))
        scores = []
        for done, review_id in enumerate(ids, start=1):
            scores.append(score_review(engine, review_id, encoder))
            print(f"{done}/{len(ids)} {review_id}", file=sys.stderr, flush=True)
        return scores
    finally:
        engine.close()


def format_results(scores: Sequence[ReviewScore]) -> str:
    def share(part: int, whole: int) -> str:
        return f"{part / whole:.1%}" if whole else "–"

    points = sum(s.key_points for s in scores)
    macro = {
        t: np.mean([s.covered[t] / s.key_points for s in scores if s.key_points])
        for t in THRESHOLDS
    }
    rows = [
        (
            f"cosine >= {t}" + (" (headline)" if t == HEADLINE else ""),
            share(sum(s.covered[t] for s in scores), points),
            f"{macro[t]:.1%}",
            share(sum(s.ceiling[t] for s in scores), points),
        )
        for t in THRESHOLDS
    ]
    drafted = sum(s.draft_points for s in scores)
    supported = sum(s.supported for s in scores)
    words = np.mean([s.draft_words for s in scores])
    note = (
        f"{len(scores)} reviews, {points} key points in the hand-written briefings; drafts hold "
        f"{drafted} quoted points ({words:.0f} quoted words a draft on average). Support: "
        f"{supported} of {drafted} points ({share(supported, drafted)}) found word for word "
        "on the page they cite. Coverage: pooled over all key points, and the mean of each "
        "briefing's share; ceiling = any sentence of the review."
    )
    return BenchTable(
        "7-minute briefing drafts: coverage of the hand-written briefings' key points",
        ("match", "covered (pooled)", "covered (mean per briefing)", "ceiling (pooled)"),
        tuple(rows),
        note,
    ).to_markdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--per-review", action="store_true", help="Also print each review's row.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    scores = run(args.data_dir)
    print(format_results(scores))
    if args.per_review:
        for s in scores:
            print(
                f"{s.review_id}: {s.covered[HEADLINE]}/{s.key_points} covered, "
                f"{s.supported}/{s.draft_points} supported"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
