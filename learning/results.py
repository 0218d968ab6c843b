"""Search results: frozen values that carry everything a page, the CLI or JSON needs.

Every result serialises to the same shape: review fields, ``score`` and ``passages`` (each with
``page``, ``section`` and ``text``); a passage hit lists itself as its one passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from learning.query import QueryTerms, highlight_spans, mark_spans, words_of

if TYPE_CHECKING:
    from learning.index.store import UnitRow


#: Two hits of a review overlap when this many words in a row are in both (about a sentence).
_SHARED_WORDS = 12
#: ... or when this share of the shorter one's five-word phrases is in the longer one.
_NEAR_COPY = 0.5


@dataclass(frozen=True)
class ReviewFields:
    """Which review a result belongs to: the fields every result carries."""

    review_id: str
    title: str
    source: str
    year: int | None
    nation: str | None
    partnership: str | None
    review_type: str | None
    outcome: str | None
    age_group: str | None


@dataclass(frozen=True)
class PassageHit(ReviewFields):
    """One unit of a review that matched, with where to find it and why it matched."""

    unit_id: int
    kind: str
    number: str | None
    section: str
    page: int
    page_label: str | None
    text: str
    score: float
    highlighted: str
    spans: tuple[tuple[int, int], ...]
    matched_query: str | None = None

    def passage_dict(self) -> dict[str, Any]:
        """The passage part: where it is and what it says."""
        return {
            "unit_id": self.unit_id,
            "kind": self.kind,
            "number": self.number,
            "section": self.section,
            "page": self.page,
            "page_label": self.page_label,
            "text": self.text,
            "highlighted": self.highlighted,
            "spans": [list(span) for span in self.spans],
            "score": round(self.score, 6),
            "matched_query": self.matched_query,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **review_dict(self),
            "score": round(self.score, 6),
            **self.passage_dict(),
            "passages": [self.passage_dict()],
        }


@dataclass(frozen=True)
class ReviewHit(ReviewFields):
    """A review ranked by its best passages, with the passages that earned the rank."""

    score: float
    passages: tuple[PassageHit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **review_dict(self),
            "score": round(self.score, 6),
            "passages": [p.passage_dict() for p in self.passages],
        }


@dataclass(frozen=True)
class SimilarReview(ReviewFields):
    """A past review like the case précis; ``passages`` are its best matching findings and
    recommendations (its passages if it has none); ``similarity`` is the best cosine between
    the whole précis and those units; ``shared_themes`` says which case patterns it shares."""

    score: float
    similarity: float
    passages: tuple[PassageHit, ...]
    # labels of the themes the précis and this review both carry (with theme signals on)
    shared_themes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            **review_dict(self),
            "score": round(self.score, 6),
            "similarity": round(self.similarity, 6),
            "shared_themes": list(self.shared_themes),
            "passages": [p.passage_dict() for p in self.passages],
        }


PassageHitT = TypeVar("PassageHitT", bound=PassageHit)


def review_dict(hit: ReviewFields) -> dict[str, Any]:
    """The fields that say which review a hit belongs to."""
    return {field.name: getattr(hit, field.name) for field in fields(ReviewFields)}


def review_fields(row: UnitRow) -> dict[str, Any]:
    """The review part of a stored unit, as keyword arguments for the hit classes."""
    values = {field.name: getattr(row, field.name) for field in fields(ReviewFields)}
    return {**values, "title": row.title or row.review_id}


def passage_hit(
    row: UnitRow, score: float, terms: QueryTerms, matched_query: str | None = None
) -> PassageHit:
    """A hit for a stored unit, with the query's words marked in its text."""
    spans = highlight_spans(row.text, terms)
    return PassageHit(
        unit_id=row.id,
        **review_fields(row),
        kind=row.kind,
        number=row.number,
        section=row.section,
        page=row.page,
        page_label=row.page_label,
        text=row.text,
        score=score,
        highlighted=mark_spans(row.text, spans),
        spans=spans,
        matched_query=matched_query,
    )


def passages_overlap(first: PassageHit, second: PassageHit) -> bool:
    """Whether two hits show some of the same text of one review: the same unit, one's words
    inside the other's (a finding and the passage it was cut from), a run of words in both
    (neighbouring passages share about 30 words: the index cuts them overlapping), or most of
    the shorter's five-word phrases in the longer."""
    if first.review_id != second.review_id:
        return False
    if first.unit_id == second.unit_id:
        return True
    short, long = sorted((words_of(first.text), words_of(second.text)), key=len)
    if not short:
        return False
    if f" {' '.join(short)} " in f" {' '.join(long)} ":
        return True
    if _runs(short) & _runs(long):
        return True
    # the same few lines with a word or two changed (a finding restated in the summary)
    phrases = _runs(short, 5)
    return len(phrases & _runs(long, 5)) >= _NEAR_COPY * len(phrases) > 0


def distinct_passages(hits: Sequence[PassageHitT]) -> list[PassageHitT]:
    """``hits`` in their order without any that overlaps one before it (see
    :func:`passages_overlap`): the best-ranked of each group is the one shown."""
    kept: list[PassageHitT] = []
    for hit in hits:
        if not any(passages_overlap(hit, shown) for shown in kept):
            kept.append(hit)
    return kept


def _runs(words: list[str], size: int = _SHARED_WORDS) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class FacetPassage:
    """A passage shown for a faceted match, with the facets (indexes into the search's facets)
    it bears out; none: it matched the précis as a whole."""

    passage: PassageHit
    facets: tuple[int, ...]


@dataclass(frozen=True)
class FacetedReview(ReviewFields):
    """A past review like a case précis, scored on the whole précis and on each facet:
    ``score`` (0 to 1, what the results are sorted on) is the mean of how well it matches the
    précis as a whole and each facet; ``matched`` are the facets it matches (indexes)."""

    score: float
    matched: tuple[int, ...]
    passages: tuple[FacetPassage, ...]
    # facets matched because an analyst or the tagger gave the review the facet's theme
    by_theme: tuple[int, ...] = ()
