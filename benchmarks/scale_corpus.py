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
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
NOTICE = (
    "This is a synthetic document generated for load testing the CSPR Workbench. It does "
    "not describe any real child, family, professional or case."
)
PASSAGE_WORDS = (120, 180)
RECOMMENDATION_WORDS = (40, 90)
DOCUMENT_PASSAGES = (20, 70)


class CorpusPathRefused(ValueError):
    """The output folder is inside corpus/, where synthetic documents must never go."""


class NoSourceText(RuntimeError):
    """The demo corpus has no paragraphs to recombine."""


@dataclass(frozen=True)
class SyntheticDocument:
    """One generated document: its id, front-matter metadata, Markdown text and passage count."""

    review_id: str
    metadata: dict[str, Any]
    markdown: str
    passages: int


@dataclass(frozen=True)
class _Pools:
    general: tuple[str, ...]
    findings: tuple[str, ...]
    recommendations: tuple[str, ...]


_SYNONYMS = {
    "practitioners": "professionals",
    "agencies": "services",
    "assessment": "evaluation",
    "concerns": "worries",
    "health visitor": "public health nurse",
    "recorded": "documented",
    "social worker": "social care practitioner",
    "referral": "request for support",
    "considered": "weighed",
    "identified": "recognised",
    "significant": "substantial",
    "however": "nevertheless",
    "ensure": "make sure",
    "meeting": "discussion",
    "home visit": "visit to the home",
    "school": "education setting",
    "GP": "family doctor",
    "children's social care": "the local authority's children's services",
    "was not": "wasn't",
    "did not": "didn't",
    "opportunity": "chance",
    "review": "inquiry",
    "missed": "overlooked",
    "escalate": "raise",
    "understand": "grasp",
    "needed": "required",
}
_SYNONYMS.update({value: key for key, value in list(_SYNONYMS.items())})
_SYNONYMS.update({k[0].upper() + k[1:]: v[0].upper() + v[1:] for k, v in list(_SYNONYMS.items())})


def _trie_pattern(words: list[str]) -> str:
    """One regex for many words, as a trie: far faster than a plain alternation."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_SYNONYM_PATTERN = re.compile(r"\b" + _trie_pattern(list(_SYNONYMS)) + r"\b")
_PLACES = (
    "Northshire",
    "Westmere",
    "Eastbridge",
    "Kingsford",
    "Ashdown",
    "Dyfnant",
    "Riverton",
    "Millbrook",
    "Harlow Vale",
    "Glenmorven",
    "Castlegate",
    "Lowfield",
    "Belmoray",
)
# places, child labels, years and small numbers, replaced in one pass
_DETAIL_PATTERN = re.compile(
    r"\b(?:(?P<place>" + "|".join(_PLACES) + r")|(?P<child>Child|Baby|Family|Sibling) [A-Z]{1,2}"
    r"|(?P<year>19[89]\d|20[0-3]\d)|(?P<number>\d{1,3}))\b"
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_LEADING_NUMBER = re.compile(r"^(\d+(\.\d+)*\.?|[-*•]|R\d+[.:]?)\s+")
_SYLLABLES = (
    "ash",
    "brook",
    "dale",
    "fen",
    "glen",
    "holm",
    "ley",
    "mar",
    "nor",
    "ock",
    "pen",
    "ross",
    "stan",
    "thorn",
    "wick",
    "wold",
    "by",
    "cot",
    "ham",
    "mere",
)
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
    pools = _load_pools(CORPUS_DIR)
    remaining, index = n_passages, 0
    while remaining > 0:
        rng = random.Random(f"{seed}:{index}")
        size = min(remaining, rng.randint(*DOCUMENT_PASSAGES))
        yield _document(rng, pools, index, size)
        remaining -= size
        index += 1


def generate_passages(n: int, seed: int = 0) -> list[str]:
    """``n`` perturbed passages without document structure (for benchmarks of passages alone)."""
    pools = _load_pools(CORPUS_DIR)
    rng = random.Random(f"{seed}:passages")
    context = _Context(rng, _random_place(rng), _random_letters(rng), rng.randint(2012, 2026))
    return [_passage(context, pools.general, PASSAGE_WORDS) for _ in range(n)]


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


@dataclass
class _Context:
    """What stays the same within one document: its random source, place, child, year."""

    rng: random.Random
    place: str
    child: str
    year: int


def _document(rng: random.Random, pools: _Pools, index: int, size: int) -> SyntheticDocument:
    review_type, nation, first, last, board = rng.choice(_ERAS)
    context = _Context(rng, _random_place(rng), _random_letters(rng), rng.randint(first, last))
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


def _body(context: _Context, pools: _Pools, size: int) -> str:
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
            lines.append(f"{section}.{number} {_passage(context, pools.general)}\n")
        general -= count
    if findings:
        section += 1
        lines.append(f"## {section}. Findings\n")
        for number in range(1, findings + 1):
            text = _passage(context, pools.findings)
            lines.append(f"### Finding {number}: {_headline(text)}\n\n{text}\n")
    if recommendations:
        lines.append(f"## {section + 1}. Recommendations\n")
        items = (
            _passage(context, pools.recommendations, RECOMMENDATION_WORDS)
            for _ in range(recommendations)
        )
        lines.append("\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)) + "\n")
    return "\n".join(lines)


def _headline(text: str) -> str:
    words = text.split(".")[0].split()[:12]
    return " ".join(words).rstrip(",;:")


def _passage(
    context: _Context, pool: tuple[str, ...], words: tuple[int, int] = PASSAGE_WORDS
) -> str:
    """Sentences from random paragraphs of ``pool``, perturbed, between ``words`` long."""
    rng = context.rng
    sentences: list[str] = []
    total = 0
    low, high = words
    for _ in range(50):  # bounded: a pool of very long sentences cannot loop for ever
        taken = _SENTENCE_SPLIT.split(rng.choice(pool))
        if rng.random() < 0.5:
            rng.shuffle(taken)
        for sentence in taken:
            length = len(sentence.split())
            if total + length > high and total >= low // 2:
                break
            sentences.append(sentence)
            total += length
        if total >= low or total + 5 > high:
            break
    return _perturb(context, " ".join(sentences))


def _perturb(context: _Context, text: str) -> str:
    rng = context.rng

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() < 0.5:
            return word
        return _SYNONYMS[word]

    def detail(match: re.Match[str]) -> str:
        if match.group("place"):
            return context.place
        if match.group("child"):
            return f"{match.group('child')} {context.child}"
        if match.group("year"):
            return str(context.year - rng.randint(0, 3))
        return str(rng.randint(1, max(3, int(match.group("number")) * 2)))

    return _DETAIL_PATTERN.sub(detail, _SYNONYM_PATTERN.sub(swap, text))


def _random_place(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()


def _random_letters(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return rng.choice(letters) * rng.choice((1, 1, 2))


def _as_plain_text(markdown: str) -> str:
    """The same document with Markdown heading marks turned into plain headings."""
    return re.sub(
        r"^#{1,3} (.*)$",
        lambda m: m.group(1).upper() if m.group(0).startswith("## ") else m.group(1),
        markdown,
        flags=re.MULTILINE,
    )


@cache
def _load_pools(corpus_dir: Path) -> _Pools:
    """Paragraphs of the demo corpus, by the kind of section they come from."""
    pools: dict[str, list[str]] = {"general": [], "findings": [], "recommendations": []}
    paths = sorted((corpus_dir / "src").glob("*.md")) + sorted(
        p for p in (corpus_dir / "reviews").glob("*") if p.suffix in (".md", ".txt")
    )
    for path in paths:
        for kind, paragraph in _paragraphs(path.read_text(encoding="utf-8")):
            pools[kind].append(paragraph)
    if not pools["general"]:
        raise NoSourceText(f"no paragraphs found under {corpus_dir}/src or {corpus_dir}/reviews")
    pools["findings"] = pools["findings"] or pools["general"]
    pools["recommendations"] = pools["recommendations"] or pools["general"]
    return _Pools(*(tuple(pools[k]) for k in ("general", "findings", "recommendations")))


def _paragraphs(text: str) -> Iterator[tuple[str, str]]:
    """(section kind, paragraph) for each prose block of a review with front matter."""
    body = text.split("\n---\n", 1)[-1] if text.startswith("---") else text
    kind = "general"
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        first = block.splitlines()[0] if block else ""
        if first.startswith("#") or (first.isupper() and len(first) < 90):
            lowered = first.lower()
            kind = (
                "recommendations"
                if "recommend" in lowered
                else "findings"
                if re.search(r"finding|learning|lesson", lowered)
                else "general"
            )
            continue
        if first.startswith("|") or "fictional" in block:
            continue
        for item in re.split(r"\n(?=\d+[.)]\s|[-*]\s)", block):
            item = _LEADING_NUMBER.sub("", " ".join(item.split()))
            if len(item.split()) >= (12 if kind == "recommendations" else 25):
                yield kind, item


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
