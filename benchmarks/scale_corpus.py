"""Synthetic review-like documents at any scale, for load tests of ingest and search.

Paragraphs of the demo corpus are recombined and perturbed (sentences shuffled, words swapped
for synonyms, numbers, names and places changed, random metadata) into Markdown documents with
front matter, numbered sections, findings and numbered recommendations, until the requested
number of passages exists. A passage is one body paragraph of about 150 words (120-180), or one
recommendation (40-90 words). Output is deterministic per seed and streamed: one document in
memory at a time.

    .venv/bin/python -m benchmarks.scale_corpus --passages 100000 --out /tmp/scale [--seed 0]

The output folder must be outside ``corpus/``: synthetic text is never mixed into the demo corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.synthetic_text import (
    PASSAGE_WORDS,
    Context,
    NoSourceText,
    Pools,
    compose_passage,
    load_pools,
    random_letters,
    random_place,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
NOTICE = (
    "This is a synthetic document generated for load testing the CSPR Workbench. It does "
    "not describe any real child, family, professional or case."
)
RECOMMENDATION_WORDS = (40, 90)
DOCUMENT_PASSAGES = (20, 70)


class CorpusPathRefused(ValueError):
    """The output folder is inside corpus/, where synthetic documents must never go."""


@dataclass(frozen=True)
class SyntheticDocument:
    """One generated document: its id, front-matter metadata, Markdown text and passage count."""

    review_id: str
    metadata: dict[str, Any]
    markdown: str
    passages: int


_ERAS = (
    ("scr", "england", 2012, 2019, "{} Local Safeguarding Children Board"),
    ("cspr", "england", 2019, 2026, "{} Safeguarding Children Partnership"),
    ("cspr", "england", 2019, 2026, "{} Safeguarding Children Partnership"),
    ("cpr", "wales", 2012, 2026, "{} Regional Safeguarding Children Board"),
    ("learning_review", "scotland", 2022, 2026, "{} Child Protection Committee"),
    ("scr", "scotland", 2012, 2021, "{} Child Protection Committee"),
    ("cmr", "northern_ireland", 2012, 2026, "Safeguarding Board for Northern Ireland ({})"),
)
_TYPE_TITLES = {
    "scr": "Serious Case Review",
    "cspr": "Child Safeguarding Practice Review",
    "cpr": "Child Practice Review",
    "learning_review": "Learning Review",
    "cmr": "Case Management Review",
}
_SECTION_TITLES = (
    "Introduction and scope",
    "The child and family",
    "Key practice episodes",
    "Analysis",
    "Practice and organisational learning",
    "Multi-agency working",
    "The child's lived experience",
    "Family involvement",
)


def check_output_dir(out: Path, corpus_dir: Path = CORPUS_DIR) -> Path:
    """``out`` resolved, or ``CorpusPathRefused`` if it lies inside the demo corpus."""
    resolved, corpus = out.resolve(), corpus_dir.resolve()
    if resolved == corpus or corpus in resolved.parents:
        raise CorpusPathRefused(
            f"refusing to write synthetic documents to {out}: it is inside {corpus}, the demo "
            "corpus; choose a folder outside corpus/ (for example /tmp/scale_corpus)"
        )
    return resolved


def generate_documents(n_passages: int, seed: int = 0) -> Iterator[SyntheticDocument]:
    """Documents holding ``n_passages`` passages in total, one at a time, deterministic per seed."""
    pools = load_pools(CORPUS_DIR)
    remaining, index = n_passages, 0
    while remaining > 0:
        rng = random.Random(f"{seed}:{index}")
        size = min(remaining, rng.randint(*DOCUMENT_PASSAGES))
        yield synthetic_document(rng, pools, index, size)
        remaining -= size
        index += 1


def generate_passages(n: int, seed: int = 0) -> list[str]:
    """``n`` perturbed passages without document structure (for benchmarks of passages alone)."""
    pools = load_pools(CORPUS_DIR)
    rng = random.Random(f"{seed}:passages")
    context = Context(rng, random_place(rng), random_letters(rng), rng.randint(2012, 2026))
    return [compose_passage(context, pools.general, PASSAGE_WORDS) for _ in range(n)]


def write_documents(n_passages: int, out: Path, seed: int = 0, fmt: str = "md") -> tuple[int, int]:
    """Write the documents into ``out`` (outside corpus/); returns (documents, bytes written)."""
    folder = check_output_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    count = size = 0
    for document in generate_documents(n_passages, seed):
        text = document.markdown if fmt == "md" else _as_plain_text(document.markdown)
        data = text.encode("utf-8")
        (folder / f"{document.review_id}.{fmt}").write_bytes(data)
        count, size = count + 1, size + len(data)
    return count, size


def synthetic_document(
    rng: random.Random, pools: Pools, index: int, size: int
) -> SyntheticDocument:
    """The ``index``-th document of a collection, of ``size`` passages, drawn with ``rng``."""
    review_type, nation, first, last, board = rng.choice(_ERAS)
    context = Context(rng, random_place(rng), random_letters(rng), rng.randint(first, last))
    kind = rng.choice(("Child", "Baby")) if size % 3 else "Child"
    title = f"{_TYPE_TITLES[review_type]}: {kind} {context.child}"
    review_id = (
        f"s{index:07d}-{kind.lower()}-{context.child.lower()}-"
        f"{context.place.lower().replace(' ', '-')}-{context.year}"
    )
    metadata = {
        "review_id": review_id,
        "title": title,
        "year": context.year,
        "partnership": board.format(context.place),
        "nation": nation,
        "review_type": review_type,
        "outcome": rng.choice(("death", "serious_harm")),
        "age_group": rng.choice(("under_1", "1_4", "5_9", "10_14", "15_17")),
        "published": dt.date(context.year, rng.randint(1, 12), rng.randint(1, 28)),
        "synthetic": True,
    }
    front = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True)
    body = _body(context, pools, size)
    return SyntheticDocument(
        review_id, metadata, f"---\n{front}---\n\n# {title}\n\n{NOTICE}\n\n{body}", size
    )


def _body(context: Context, pools: Pools, size: int) -> str:
    recommendations = max(1, round(size * 0.15)) if size >= 2 else 0
    findings = max(1, round(size * 0.15)) if size >= 3 else 0
    general = size - recommendations - findings
    lines: list[str] = []
    section = 0
    while general > 0:
        section += 1
        count = min(general, context.rng.randint(3, 8))
        title = _SECTION_TITLES[(section - 1) % len(_SECTION_TITLES)]
        lines.append(f"## {section}. {title}\n")
        for number in range(1, count + 1):
            lines.append(f"{section}.{number} {compose_passage(context, pools.general)}\n")
        general -= count
    if findings:
        section += 1
        lines.append(f"## {section}. Findings\n")
        for number in range(1, findings + 1):
            text = compose_passage(context, pools.findings)
            lines.append(f"### Finding {number}: {_headline(text)}\n\n{text}\n")
    if recommendations:
        lines.append(f"## {section + 1}. Recommendations\n")
        items = (
            compose_passage(context, pools.recommendations, RECOMMENDATION_WORDS)
            for _ in range(recommendations)
        )
        lines.append("\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)) + "\n")
    return "\n".join(lines)


def _headline(text: str) -> str:
    words = text.split(".")[0].split()[:12]
    return " ".join(words).rstrip(",;:")


def _as_plain_text(markdown: str) -> str:
    """The same document with Markdown heading marks turned into plain headings."""
    return re.sub(
        r"^#{1,3} (.*)$",
        lambda m: m.group(1).upper() if m.group(0).startswith("## ") else m.group(1),
        markdown,
        flags=re.MULTILINE,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write synthetic review-like documents.")
    parser.add_argument("--passages", type=int, required=True, help="passages in total")
    parser.add_argument("--out", type=Path, required=True, help="folder outside corpus/")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("md", "txt"), default="md")
    args = parser.parse_args(argv)
    if args.passages < 1:
        parser.error("--passages must be at least 1")
    started = time.perf_counter()
    try:
        documents, size = write_documents(args.passages, args.out, args.seed, args.format)
    except (CorpusPathRefused, NoSourceText) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(
        f"{documents} documents, {args.passages} passages, {size / 1e6:.1f} MB "
        f"in {args.out} ({seconds:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
