"""The text of synthetic review-like documents: paragraphs of the demo corpus, by the kind
of section they come from, recombined and perturbed into passages (sentences shuffled, words
swapped for synonyms, numbers, names and places changed). ``benchmarks.scale_corpus`` builds
documents from these passages.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PASSAGE_WORDS = (120, 180)


class NoSourceText(RuntimeError):
    """The demo corpus has no paragraphs to recombine."""


@dataclass(frozen=True)
class Pools:
    """Paragraphs of the demo corpus to recombine, by the kind of section they come from."""

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


@dataclass
class Context:
    """What stays the same within one document: its random source, place, child, year."""

    rng: random.Random
    place: str
    child: str
    year: int


def compose_passage(
    context: Context, pool: tuple[str, ...], words: tuple[int, int] = PASSAGE_WORDS
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


def _perturb(context: Context, text: str) -> str:
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


def random_place(rng: random.Random) -> str:
    """A made-up place name of two syllables ("Ashbrook")."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()


def random_letters(rng: random.Random) -> str:
    """A child's label letters ("T" or "TT"), as reviews name children."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return rng.choice(letters) * rng.choice((1, 1, 2))


@cache
def load_pools(corpus_dir: Path) -> Pools:
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
    return Pools(*(tuple(pools[k]) for k in ("general", "findings", "recommendations")))


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
