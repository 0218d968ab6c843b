"""Which sentences of a review go in each part of its briefing. Pure (numpy only).

The method is general and fixed in advance, never fitted to any briefing written by hand:

- each part draws from a *pool*: the review's findings for the learning points, its
  recommendations for the recommendations, the passages under a background or case-history
  heading for the background and what happened, sentences that speak of good practice for that
  part; a review without such headings (a short briefing, one heading or none) falls back to
  its passages by place (the opening quarter for the background, the first half for the story);
- in a pool, a sentence's score is its *centrality* (the cosine of its embedding with the
  pool's mean: how typical it is of what the pool says, as in centroid summarisation, Radev et
  al. 2004) plus :data:`CUE_WEIGHT` if it carries the part's cue words ("learning", "should",
  "good practice");
- sentences are picked by maximal marginal relevance (Carbonell and Goldstein 1998) with
  :data:`MMR_LAMBDA`, so that the picks do not repeat one another, and shown in the review's
  order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from learning.briefing_sentences import PlacedSentence

#: Weight of a cue word against centrality (a cosine, mostly between 0.2 and 0.8): enough to
#: choose between two sentences about as typical, not to lift an atypical one over the rest.
CUE_WEIGHT = 0.1
#: MMR's balance of relevance against novelty; 0.7 leans to relevance, the usual choice.
MMR_LAMBDA = 0.7

LEARNING_CUES = re.compile(
    r"\b(?:learn\w*|lessons?|findings?|should|must|needs? to|important|crucial|key|"
    r"understand\w*|recognis\w+|curiosity|think\w*)\b",
    re.IGNORECASE,
)
GOOD_PRACTICE = re.compile(
    r"\b(?:good practice|good (?:example|work)|went well|strengths?|positive(?:ly)?|"
    r"commend\w*|effective(?:ly)?|exemplary|thorough(?:ly)?|diligent(?:ly)?|"
    r"well[- ](?:coordinated|managed|supported|planned|informed|judged)|"
    r"(?:acted|responded|worked) (?:well|promptly|quickly)|sensitive(?:ly)?)\b",
    re.IGNORECASE,
)
# good practice is said plainly: a sentence that negates or belittles ("was not", "failed to",
# "less thorough") is a finding
NEGATION = re.compile(
    r"\b(?:not|no|never|nor|none|nobody|fail\w*|lack\w*|miss\w*|without|despite|but|less|"
    r"poor\w*|insufficient\w*|inadequate\w*|unable|rather than)\b|n't\b",
    re.IGNORECASE,
)
RECOMMENDING = re.compile(
    r"\b(?:should|must|ought to|(?:is|are) asked to|needs? to|recommend\w*|to ensure)\b",
    re.IGNORECASE,
)
BACKGROUND_CUES = re.compile(
    r"\b(?:this review|the review|commissioned|died|death|was born|aged|years? old|"
    r"months? old|weeks? old|lived with|injur\w+)\b",
    re.IGNORECASE,
)
STORY_CUES = re.compile(
    r"\b(?:in (?:19|20)\d\d|when|after|before|then|later|visited|attended|referred|"
    r"admitted|told|moved)\b",
    re.IGNORECASE,
)
BACKGROUND_HEADING = re.compile(
    r"\b(?:introduction|background|context|summary|overview|about|purpose|reason for|"
    r"the review|why)\b",
    re.IGNORECASE,
)
STORY_HEADING = re.compile(
    r"\b(?:what happened|chronolog\w*|narrative|the case|case summary|summary of|circumstances|"
    r"events|history|episodes?|the (?:child|children|family|baby)|family|practice)\b",
    re.IGNORECASE,
)
LEARNING_HEADING = re.compile(
    r"\b(?:learning|lessons?|findings?|analysis|conclusions?|themes?|what we learn\w*)\b",
    re.IGNORECASE,
)
GOOD_HEADING = re.compile(r"\b(?:good practice|what went well|strengths)\b", re.IGNORECASE)
REFERENCE = re.compile(
    r"\b(?:glossary|abbreviations|acronyms|references|bibliography|appendix|appendices|annex|"
    r"contents|acknowledg(?:e)?ments|terms of reference|membership|methodology)\b",
    re.IGNORECASE,
)

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Pool:
    """The candidates of one part of the briefing and the cue words that favour a candidate."""

    candidates: tuple[PlacedSentence, ...]
    cues: re.Pattern[str] | None


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each row's cosine with the normalised mean of the rows (rows of unit length)."""
    if not len(vectors):
        return np.zeros(0, np.float32)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    scores: np.ndarray = vectors @ (mean / norm)
    return scores


def mmr(vectors: np.ndarray, scores: np.ndarray, k: int, balance: float = MMR_LAMBDA) -> list[int]:
    """Up to ``k`` rows picked one by one, each maximising ``balance`` x its score minus
    (1 - ``balance``) x its highest cosine with a row already picked."""
    chosen: list[int] = []
    left = list(range(len(scores)))
    while left and len(chosen) < k:
        if chosen:
            overlap = (vectors[left] @ vectors[chosen].T).max(axis=1)
        else:
            overlap = np.zeros(len(left), np.float32)
        gains = balance * scores[left] - (1 - balance) * overlap
        best = left[int(np.argmax(gains))]
        chosen.append(best)
        left.remove(best)
    return chosen


def pick(pool: Pool, k: int, encode: Encode) -> list[PlacedSentence]:
    """The ``k`` best of the pool (centrality, cue, MMR), in the review's order."""
    candidates = list(pool.candidates)
    if not candidates or k <= 0:
        return []
    vectors = np.asarray(encode([item.text for item in candidates]), np.float32)
    scores = centrality(vectors)
    if pool.cues is not None:
        cued = np.array([bool(pool.cues.search(item.text)) for item in candidates], np.float32)
        scores = scores + CUE_WEIGHT * cued
    chosen = mmr(vectors, scores, k)
    return sorted((candidates[i] for i in chosen), key=lambda item: item.sentence.order)


def distinct(sentences: Sequence[PlacedSentence]) -> list[PlacedSentence]:
    """The sentences without repeats (a finding and the passage it was cut from hold the same
    sentence): the first of each text, findings and recommendations before passages."""
    rank = {"recommendation": 0, "finding": 1}
    ordered = sorted(
        sentences, key=lambda item: (rank.get(item.sentence.kind, 2), item.sentence.order)
    )
    seen: set[str] = set()
    kept: list[PlacedSentence] = []
    for item in ordered:
        key = re.sub(r"\W+", " ", item.text.lower()).strip()
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return sorted(kept, key=lambda item: item.sentence.order)


def of_kind(sentences: Sequence[PlacedSentence], kind: str) -> list[PlacedSentence]:
    return [item for item in sentences if item.sentence.kind == kind]


def under_heading(
    sentences: Sequence[PlacedSentence], heading: re.Pattern[str]
) -> list[PlacedSentence]:
    return [item for item in sentences if heading.search(item.sentence.section)]


def opening(sentences: Sequence[PlacedSentence], share: float) -> list[PlacedSentence]:
    """The sentences in the first ``share`` of the review (by document order)."""
    if not sentences:
        return []
    last = max(item.sentence.order for item in sentences)
    return [item for item in sentences if item.sentence.order <= share * last]


@dataclass(frozen=True)
class Pools:
    background: Pool
    story: Pool
    learning: Pool
    good_practice: Pool
    recommendations: Pool


def build_pools(sentences: Sequence[PlacedSentence]) -> Pools:
    """Each part's candidates (see the module's docstring), reference apparatus left out."""
    usable = [item for item in distinct(sentences) if not REFERENCE.search(item.sentence.section)]
    passages = of_kind(usable, "passage")
    findings = of_kind(usable, "finding") or under_heading(passages, LEARNING_HEADING)
    recommendations = _first_of_each(of_kind(usable, "recommendation"))
    if not recommendations:  # none recognised as such: the sentences that recommend
        recommendations = [item for item in passages if RECOMMENDING.search(item.text)]
    if not findings:  # no findings heading: the learning is wherever the review speaks of it
        findings = [item for item in passages if LEARNING_CUES.search(item.text)] or passages
    background = under_heading(passages, BACKGROUND_HEADING) or opening(passages, 0.25)
    story = under_heading(passages, STORY_HEADING) or opening(passages, 0.5)
    good = [
        item
        for item in usable
        if (GOOD_PRACTICE.search(item.text) or GOOD_HEADING.search(item.sentence.section))
        and not NEGATION.search(item.text)
    ]
    return Pools(
        background=Pool(tuple(background), BACKGROUND_CUES),
        story=Pool(tuple(story), STORY_CUES),
        learning=Pool(tuple(findings), LEARNING_CUES),
        good_practice=Pool(tuple(good), GOOD_PRACTICE),
        recommendations=Pool(tuple(recommendations), RECOMMENDING),
    )


def _first_of_each(sentences: Sequence[PlacedSentence]) -> list[PlacedSentence]:
    """One sentence a unit, its first: a recommendation's opening sentence says what to do."""
    seen: set[int] = set()
    kept = []
    for item in sorted(sentences, key=lambda item: item.sentence.order):
        if item.sentence.unit not in seen:
            seen.add(item.sentence.unit)
            kept.append(item)
    return kept


def without(pool: Pool, used: set[int]) -> Pool:
    """The pool less the sentences already placed in another part (by document order)."""
    return Pool(tuple(i for i in pool.candidates if i.sentence.order not in used), pool.cues)
