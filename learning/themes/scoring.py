"""Theme scoring: how strongly each unit, and each review, carries each theme. Pure (numpy only).

A unit's score for a theme has two main parts:

- *semantic*: the cosine of the unit's vector with the theme's prototypes (its definition, its
  label and each practitioner phrase), mixing the best prototype with their mean, plus how far
  that stands above the unit's average over all themes (generic text is close to everything);
- *lexical*: whether a practitioner phrase occurs (its content words, stemmed, in order, with
  only a few stopwords between them).

Optionally (``keyword_weight``) a third, the theme's label and phrases as review search's BM25
queries (``keyword_evidence``). The parts are combined and squashed by a logistic into a
confidence in [0, 1]. A review's score for a theme is a weighted mean of its best few unit
confidences. Units in glossaries, contents lists, abbreviation lists and title blocks score zero.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np

from learning.query import STOPWORDS, simple_stem, split_sentences, words_of

# Section names whose text only names things (a word in a glossary is not a finding).
_EXCLUDED_SECTION = re.compile(
    r"\b(glossary|contents|abbreviations?|acronyms|terminology|key terms|terms used|"
    r"list of (figures|tables)|bibliography|references|title page|title block|front matter|"
    r"cover( page)?)\b"
    r"|^\s*(title|index)\s*$",
    re.IGNORECASE,
)
# A contents list: dot leaders or tabs running to a page number ("Findings . . . . 14").
_CONTENTS_LINE = re.compile(r"(?:\.\s?){4,}\s*[\divxlc]+\b", re.IGNORECASE)
_CHUNK = 4096
_PROSE_WORDS, _PROSE_LONG = 12, 25
_SENTENCE_END = re.compile(r"[.!?]['\"”’)]*\s*$")
#: Bumped whenever the scoring method changes, so cached scores of the old method are not used.
SCORING_VERSION = 5


@dataclass(frozen=True)
class ScoringParams:
    """Generic knobs of the scorer (never per-theme phrases): one digest identifies a setting."""

    # Generic knobs tuned on the demo corpus by grid search (benchmarks/eval_themes.py --tune);
    # the taxonomy's phrases were not changed for it.
    max_weight: float = 0.8
    relative_weight: float = 0.5
    lexical_weight: float = 0.2
    center: float = 0.67
    scale: float = 14.0
    # Most stopwords allowed between two words of a phrase ("information was not shared").
    phrase_window: int = 3
    review_weights: tuple[float, ...] = (0.5, 0.3, 0.2)
    # "renormalised": a review with fewer eligible units than weights is scored on the units it
    # has, with the weights rescaled to sum to 1 (fair to one-paragraph summaries); "fixed":
    # missing units count as 0 (the rule before short documents were measured)
    review_rule: str = "renormalised"
    # "profile": a review's theme confidence says how far the theme stands out from the review's
    # own profile over all themes (standardised; 0.5 at ``profile_z`` standard deviations above
    # its mean), scaled down below ``profile_floor``: a one-paragraph summary, whose paragraphs
    # carry several themes at once, and a 40-page review, whose best pages carry one, are judged
    # on the same scale. "absolute": the weighted mean as it is (the rule before).
    review_calibration: str = "profile"
    profile_z: float = 1.0
    profile_scale: float = 2.0
    profile_floor: float = 0.1
    # A review with at most ``short_review_units`` eligible units (a summary, a briefing) is
    # also read in windows of ``window_sentences`` sentences: its paragraphs each carry several
    # themes, and one sentence ("the two police forces shared nothing") is lost in a paragraph
    # about the child's story. A unit's confidence is the best of its own and its windows'.
    # One sentence per window (one idea per sentence): measured against two and three sentences
    # in README's short-document section, finer was better on every short set.
    short_review_units: int = 12
    window_sentences: int = 1
    passage_weight: float = 0.9
    # Weight of the keyword evidence (keyword_evidence.py: the theme's label and phrases as the
    # search's BM25 queries, in [0, 1], relative to the unit's mean); 0 leaves it out. Chosen
    # on the real development set and the demo short sets (README): flat from 0.1 to 0.3.
    keyword_weight: float = 0.2
    evidence_threshold: float = 0.5
    review_threshold: float = 0.5

    @property
    def digest(self) -> str:
        text = json.dumps({**asdict(self), "scoring_version": SCORING_VERSION}, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class PhraseIndex:
    """Practitioner phrases as stem tuples, which theme (column) each belongs to, and for each
    stem the phrases that contain it (so a unit is checked only against phrases it touches)."""

    phrases: tuple[tuple[str, ...], ...]
    theme_of: tuple[int, ...]
    n_themes: int
    by_stem: dict[str, tuple[int, ...]] = field(default_factory=dict)


def is_excluded_section(section: str | None) -> bool:
    """True for glossary, contents, abbreviations and title-block sections."""
    return bool(section) and _EXCLUDED_SECTION.search(section or "") is not None


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def looks_like_contents(text: str) -> bool:
    """True for text that is (mostly) a contents list with dot leaders to page numbers."""
    return len(_CONTENTS_LINE.findall(text)) >= 2


def _in_title_section(section: str | None, title: str | None) -> bool:
    return bool(section and title) and _normalised(section or "") == _normalised(title or "")


def has_prose(text: str) -> bool:
    """Whether a unit holds a paragraph of prose: a sentence-ended line of 12 words or more,
    or any line of 25 (a cover page's lines are names, dates and labels)."""
    for line in text.splitlines():
        words = len(line.split())
        if words >= _PROSE_LONG or (words >= _PROSE_WORDS and _SENTENCE_END.search(line)):
            return True
    return False


def excluded_flags(sections: Sequence[str], texts: Sequence[str], title: str | None) -> list[bool]:
    """For one review's units in reading order, which may not earn a tag. Under the review's
    own title heading only the opening units before the first paragraph of prose are the title
    block: a briefing or web page whose only heading is its title keeps its body."""
    flags: list[bool] = []
    prose_seen = False
    for section, text in zip(sections, texts, strict=True):
        if is_excluded_section(section) or looks_like_contents(text):
            flags.append(True)
            continue
        in_title = _in_title_section(section, title)
        prose_seen = prose_seen or (in_title and has_prose(text))
        flags.append(in_title and not prose_seen)
    return flags


_stem = lru_cache(maxsize=1 << 16)(simple_stem)


def content_stems(text: str) -> list[str]:
    """Stems of a text's content words, in order (stopwords and one-letter words dropped)."""
    return [_stem(word) for word in words_of(text) if word not in STOPWORDS and len(word) > 1]


def _stems_and_gaps(text: str) -> tuple[list[str], list[int]]:
    """Content stems, and for each how many stopwords stand between it and the one before."""
    stems: list[str] = []
    gaps: list[int] = []
    skipped = 0
    for word in words_of(text):
        if word in STOPWORDS or len(word) <= 1:
            skipped += 1
            continue
        stems.append(_stem(word))
        gaps.append(skipped)
        skipped = 0
    return stems, gaps


def build_phrase_index(theme_phrases: Sequence[Sequence[str]]) -> PhraseIndex:
    """Stem every theme's phrases; phrases with no content word are dropped."""
    phrases: list[tuple[str, ...]] = []
    theme_of: list[int] = []
    by_stem: dict[str, list[int]] = {}
    for column, texts in enumerate(theme_phrases):
        for text in texts:
            stems = tuple(content_stems(text))
            if stems:
                for stem in set(stems):
                    by_stem.setdefault(stem, []).append(len(phrases))
                phrases.append(stems)
                theme_of.append(column)
    frozen = {stem: tuple(ids) for stem, ids in by_stem.items()}
    return PhraseIndex(tuple(phrases), tuple(theme_of), len(theme_phrases), frozen)


def _phrase_at(
    stems: list[str], gaps: list[int], starts: list[int], phrase: tuple[str, ...], window: int
) -> bool:
    """The phrase's content words occur in order, one after another, with at most ``window``
    stopwords between neighbours ("information was not shared" is "information sharing";
    "children's social care" is not "children in care")."""
    size = len(phrase)
    for start in starts:
        end = start + size
        if (
            end <= len(stems)
            and tuple(stems[start:end]) == phrase
            and all(gap <= window for gap in gaps[start + 1 : end])
        ):
            return True
    return False


def _lexical_row(stems: list[str], gaps: list[int], index: PhraseIndex, window: int) -> np.ndarray:
    row = np.zeros(index.n_themes, dtype=np.float32)
    positions: dict[str, list[int]] = {}
    for place, stem in enumerate(stems):
        positions.setdefault(stem, []).append(place)
    present: dict[int, int] = {}
    for stem in positions:
        for candidate in index.by_stem.get(stem, ()):
            present[candidate] = present.get(candidate, 0) + 1
    for phrase_id in sorted(present):
        phrase, column = index.phrases[phrase_id], index.theme_of[phrase_id]
        if row[column] >= 1.0:
            continue
        needed = len(set(phrase))
        if present[phrase_id] == needed and _phrase_at(
            stems, gaps, positions[phrase[0]], phrase, window
        ):
            row[column] = 1.0
        elif needed >= 3 and present[phrase_id] / needed >= 2 / 3:
            # Most words of a long phrase, not together: weaker evidence.
            row[column] = max(row[column], 0.5)
    return row


def lexical_scores(texts: Sequence[str], index: PhraseIndex, window: int = 3) -> np.ndarray:
    """(units x themes): 1 where a theme's phrase occurs; 0.5 where most words of a phrase of
    three or more content words occur but not together."""
    matrix = np.zeros((len(texts), index.n_themes), dtype=np.float32)
    for row, text in enumerate(texts):
        stems, gaps = _stems_and_gaps(text)
        if stems:
            matrix[row] = _lexical_row(stems, gaps, index, window)
    return matrix


def prototype_offsets(theme_of_prototype: Sequence[int]) -> np.ndarray:
    """Start row of each theme's prototypes; prototypes must be grouped by theme, in order."""
    themes = np.asarray(theme_of_prototype, dtype=np.int64)
    steps = np.diff(themes)
    if themes.size == 0 or themes[0] != 0 or np.any((steps != 0) & (steps != 1)):
        raise ValueError("prototypes must be grouped by theme: 0,0,1,1,1,2,...")
    return np.flatnonzero(np.r_[True, np.diff(themes) != 0])


def semantic_scores(
    unit_vectors: np.ndarray, prototypes: np.ndarray, offsets: np.ndarray, max_weight: float
) -> np.ndarray:
    """(units x themes): ``max_weight`` x best prototype cosine + the rest x mean cosine."""
    counts = np.diff(np.r_[offsets, prototypes.shape[0]]).astype(np.float32)
    out = np.zeros((unit_vectors.shape[0], offsets.size), dtype=np.float32)
    for start in range(0, unit_vectors.shape[0], _CHUNK):
        sims = unit_vectors[start : start + _CHUNK] @ prototypes.T
        best = np.maximum.reduceat(sims, offsets, axis=1)
        mean = np.add.reduceat(sims, offsets, axis=1) / counts
        out[start : start + _CHUNK] = max_weight * best + (1.0 - max_weight) * mean
    return out


def combine_scores(
    semantic: np.ndarray,
    lexical: np.ndarray,
    params: ScoringParams,
    keyword: np.ndarray | None = None,
) -> np.ndarray:
    """Confidence in [0, 1] from the semantic, phrase and (if given) keyword parts (a fixed
    logistic calibration)."""
    relative = semantic - semantic.mean(axis=1, keepdims=True)
    z = semantic + params.relative_weight * relative + params.lexical_weight * lexical
    if keyword is not None and params.keyword_weight:
        # relative to the unit's mean over themes, as the semantic part: shared words lift none
        z = z + params.keyword_weight * (keyword - keyword.mean(axis=1, keepdims=True))
    return np.asarray(1.0 / (1.0 + np.exp(-params.scale * (z - params.center))), np.float32)


def unit_confidences(
    unit_vectors: np.ndarray,
    texts: Sequence[str],
    excluded: np.ndarray,
    prototypes: np.ndarray,
    offsets: np.ndarray,
    phrases: PhraseIndex,
    params: ScoringParams,
    keyword: np.ndarray | None = None,
) -> np.ndarray:
    """(units x themes) confidences; rows of excluded units (glossary etc.) are zero."""
    semantic = semantic_scores(unit_vectors, prototypes, offsets, params.max_weight)
    lexical = lexical_scores(texts, phrases, params.phrase_window)
    confidence = combine_scores(semantic, lexical, params, keyword)
    confidence[np.asarray(excluded, dtype=bool)] = 0.0
    return confidence


def review_scores(
    confidence: np.ndarray,
    review_of_unit: np.ndarray,
    n_reviews: int,
    params: ScoringParams,
    unit_weight: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """(reviews x themes): weighted mean of each review's best unit confidences per theme.

    ``review_of_unit`` gives each unit's review row; units need not be sorted. With weights
    (0.5, 0.3, 0.2) one strong unit of a long review gives at most 0.5, three strong units
    nearly 1: a passing mention is not enough. Under the "renormalised" rule a review with
    fewer ``eligible`` units (not glossary, contents or title block) than weights is judged on
    the units it has: a one-paragraph summary on its paragraph, with the full weight.
    """
    weights = np.asarray(params.review_weights, dtype=np.float32)
    weighted = confidence if unit_weight is None else confidence * unit_weight[:, None]
    counts = _eligible_counts(review_of_unit, n_reviews, eligible)
    order = np.argsort(review_of_unit, kind="stable")
    sorted_reviews = np.asarray(review_of_unit)[order]
    bounds = np.searchsorted(sorted_reviews, np.arange(n_reviews + 1))
    out = np.zeros((n_reviews, confidence.shape[1]), dtype=np.float32)
    for row in range(n_reviews):
        block = weighted[order[bounds[row] : bounds[row + 1]]]
        if block.shape[0] == 0 or counts[row] == 0:
            continue
        used = weights[: min(weights.size, int(counts[row]))]
        if params.review_rule == "renormalised":
            used = used / used.sum()
        top = -np.sort(-block, axis=0)[: used.size]
        out[row] = used[: top.shape[0]] @ top
    return out


def calibrate_reviews(reviews: np.ndarray, params: ScoringParams) -> np.ndarray:
    """(reviews x themes) confidences on one scale whatever a review's length (see
    ``ScoringParams.review_calibration``); rows of reviews with no score stay 0."""
    if params.review_calibration == "absolute":
        return reviews
    mean = reviews.mean(axis=1, keepdims=True)
    spread = reviews.std(axis=1, keepdims=True)
    standard = np.divide(reviews - mean, spread, out=np.zeros_like(reviews), where=spread > 0)
    stands_out = 1.0 / (1.0 + np.exp(-params.profile_scale * (standard - params.profile_z)))
    strength = np.minimum(1.0, reviews / params.profile_floor)
    return np.asarray(stands_out * strength, np.float32)


def short_review_positions(
    review_of_unit: np.ndarray, eligible: np.ndarray, params: ScoringParams
) -> np.ndarray:
    """Positions of the eligible units of reviews with at most ``short_review_units`` of them
    (the units to read in sentence windows)."""
    counts = _eligible_counts(review_of_unit, int(np.max(review_of_unit, initial=-1)) + 1, eligible)
    short = counts[np.asarray(review_of_unit, dtype=np.int64)] <= params.short_review_units
    return np.flatnonzero(short & eligible)


def sentence_windows(text: str, size: int) -> list[str]:
    """A unit's text as runs of ``size`` sentences (fragments under four words dropped)."""
    sentences = split_sentences(text.replace("\n", " "))
    return [" ".join(sentences[start : start + size]) for start in range(0, len(sentences), size)]


def _eligible_counts(
    review_of_unit: np.ndarray, n_reviews: int, eligible: np.ndarray | None
) -> np.ndarray:
    mask = np.ones(len(review_of_unit), dtype=bool) if eligible is None else eligible
    return np.bincount(np.asarray(review_of_unit)[mask], minlength=n_reviews)


def choose_threshold(
    confirmed: Sequence[float],
    rejected: Sequence[float],
    default: float,
    *,
    low: float = 0.2,
    high: float = 0.8,
    min_decisions: int = 4,
) -> float:
    """The threshold that best separates confirmed from rejected scores, kept within [low, high].

    Candidates are the midpoints between neighbouring scores and the default; the one with the
    fewest errors wins (a confirmed score below it, a rejected one at or above it), ties going
    to the candidate nearest ``default``. With fewer than ``min_decisions`` decisions, or only
    one kind, ``default`` is kept.
    """
    if len(confirmed) + len(rejected) < min_decisions or not confirmed or not rejected:
        return default
    values = sorted({*map(float, confirmed), *map(float, rejected)})
    candidates = {default, *((a + b) / 2 for a, b in zip(values, values[1:], strict=False))}
    best: tuple[int, float, float] | None = None
    for candidate in sorted(candidates):
        errors = sum(score < candidate for score in confirmed)
        errors += sum(score >= candidate for score in rejected)
        key = (errors, abs(candidate - default), candidate)
        if best is None or key < best:
            best = key
    chosen = best[2] if best is not None else default
    return round(min(max(chosen, low), high), 4)
