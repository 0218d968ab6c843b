"""Past reviews ranked on a précis's facets: which review matches which facet, how well, and
the passages that show it. Pure (the searches are done before, by ``learning.similar_facets``).

Why one score: the page must list results in the order of the score it shows. A review's
score (0 to 1) is half how well it matches the précis as a whole and half the mean, over the
précis's facets, of how well it matches each (0 to 1, and at least 0.5 for a facet it
matches at all): so among reviews alike as a whole, those that share more facets, and
share them better, come first. The whole précis keeps half however many facets it has: as
first built it was one part among the facets, so the longer the précis, the less the case
as a whole counted (``benchmarks.eval_facets`` measures both).

How well a review matches a part:
- the whole précis: by its place among the reviews most like the précis (1 for the first,
  down to 0.5 for the last of them; 0 if it is not among them);
- a risk, practice or agency facet: by its place among the reviews whose passages, searched
  for the facet in the whole library, say what the facet says (1 down to 0.5); else 0.5 if
  one of the review's own passages closest to the facet says it (``inside``: searched in each
  review found at all, so that every facet a review matches can show its passage);
- plus 0.5 if the review carries the facet's theme (tagged by the tagger or confirmed by an
  analyst), at most 1; the theme alone matches a facet about no one in particular at 0.5,
  but not a facet about a person ("father's mental health"): a tag cannot say whose it is;
- an age facet: 1 if the review is about a child of that age group, else 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from learning.facets import Facet, FacetKind
from learning.query import extract_terms
from learning.results import (
    FacetedReview,
    FacetPassage,
    PassageHit,
    SimilarReview,
    passage_hit,
    passages_overlap,
    review_dict,
)
from learning.themes.scoring import is_excluded_section, looks_like_contents

if TYPE_CHECKING:
    from learning.index.store import UnitRow

#: A review carrying a facet's theme matches the facet this well without a passage.
THEME_STRENGTH = 0.5
#: A review matches a facet this well with one of its own passages that says it (the
#: weakest match a library-wide search finds).
INSIDE_STRENGTH = 0.5
#: Passages shown a review at most: each matched facet's, then the whole précis's up to this.
PASSAGES_SHOWN = 4

PassageSays = Callable[[Facet, str], bool]
#: One of a review's own units read for a facet, and its cosine with the facet.
OwnPassage = tuple["UnitRow", float]


@dataclass
class _Candidate:
    fields: dict[str, Any]  # the review's fields, as review_dict gives them
    strengths: dict[int, float] = field(default_factory=dict)  # part -> strength; -1: whole
    evidence: dict[int, PassageHit] = field(default_factory=dict)
    by_theme: set[int] = field(default_factory=set)
    whole_rank: int = 1 << 30


def _placed(rank: int, count: int) -> float:
    """1 for the first of ``count``, falling evenly to 0.5 for the last."""
    return 1.0 - 0.5 * rank / max(count, 1)


def rank_by_facets(
    facets: Sequence[Facet],
    whole: Sequence[SimilarReview],
    found: Sequence[Sequence[PassageHit]],
    tags: Mapping[str, frozenset[str]],
    says: PassageSays,
    k: int = 5,
    inside: Mapping[str, Sequence[Sequence[OwnPassage]]] | None = None,
) -> list[FacetedReview]:
    """The ``k`` reviews that best match the précis and its ``facets``, best first.

    ``whole``: reviews most like the whole précis, best first; ``found[i]``: passages found
    for ``facets[i]`` in the library, best first (none for an age facet); ``tags``: each
    review's theme ids; ``says(facet, text)``: whether a passage says what the facet says;
    ``inside[review][i]``: the review's own units closest to ``facets[i]``, best first."""
    candidates: dict[str, _Candidate] = {}
    for rank, review in enumerate(whole):
        candidate = candidates.setdefault(review.review_id, _Candidate(review_dict(review)))
        candidate.strengths[-1] = _placed(rank, len(whole))
        candidate.whole_rank = rank
    for index, (facet, hits) in enumerate(zip(facets, found, strict=True)):
        _add_facet(candidates, index, facet, hits, says)
    for review_id, per_facet in (inside or {}).items():
        if review_id in candidates:
            _add_inside(candidates[review_id], facets, per_facet, says)
    for index, facet in enumerate(facets):
        _add_tags_and_age(candidates, index, facet, tags)
    share = whole_share(len(facets))
    scored = [
        (_score(candidate.strengths, len(facets), share), candidate.whole_rank, review_id)
        for review_id, candidate in candidates.items()
    ]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    whole_passages = {review.review_id: review.passages for review in whole}
    return [
        _result(candidates[review_id], score, whole_passages.get(review_id, ()))
        for score, _, review_id in scored[:k]
    ]


def whole_share(facet_count: int) -> float:
    """The précis as a whole's share of a review's score: half, however many facets it has
    (a longer précis is no less about the case as a whole); all of it with none."""
    return 0.5 if facet_count else 1.0


def _score(strengths: Mapping[int, float], facet_count: int, share: float) -> float:
    facets = sum(value for part, value in strengths.items() if part >= 0)
    return share * strengths.get(-1, 0.0) + (1 - share) * facets / max(facet_count, 1)


def _add_facet(
    candidates: dict[str, _Candidate],
    index: int,
    facet: Facet,
    hits: Sequence[PassageHit],
    says: PassageSays,
) -> None:
    """Reviews whose passages say what the facet says, by their best such passage's place."""
    best: dict[str, PassageHit] = {}
    for hit in hits:
        if hit.review_id not in best and _bears_out(facet, hit, says):
            best[hit.review_id] = hit
    for rank, (review_id, hit) in enumerate(best.items()):
        candidate = candidates.setdefault(review_id, _Candidate(review_dict(hit)))
        candidate.strengths[index] = _placed(rank, len(best))
        candidate.evidence[index] = hit


def _bears_out(facet: Facet, hit: PassageHit | UnitRow, says: PassageSays) -> bool:
    # a glossary or contents list names things: it is no evidence that a review is about them
    if is_excluded_section(hit.section) or looks_like_contents(hit.text):
        return False
    return says(facet, hit.text)


def _add_inside(
    candidate: _Candidate,
    facets: Sequence[Facet],
    per_facet: Sequence[Sequence[OwnPassage]],
    says: PassageSays,
) -> None:
    """A facet no library-wide search found in the review, borne out by one of its units."""
    for index, (facet, rows) in enumerate(zip(facets, per_facet, strict=True)):
        if index in candidate.evidence or facet.kind is FacetKind.AGE:
            continue
        for row, score in rows:
            if _bears_out(facet, row, says):
                candidate.strengths[index] = INSIDE_STRENGTH
                candidate.evidence[index] = passage_hit(row, score, extract_terms(facet.query))
                break


def _add_tags_and_age(
    candidates: dict[str, _Candidate], index: int, facet: Facet, tags: Mapping[str, frozenset[str]]
) -> None:
    for review_id, candidate in candidates.items():
        if facet.kind is FacetKind.AGE:
            if candidate.fields.get("age_group") in facet.age_groups:
                candidate.strengths[index] = 1.0
            continue
        if facet.kind is FacetKind.AGENCY or not set(facet.theme_ids) & tags.get(review_id, set()):
            continue
        if facet.people and index not in candidate.evidence:
            continue  # the theme is the review's, but whose it is there, no passage says
        strength = candidate.strengths.get(index, 0.0) + THEME_STRENGTH
        candidate.strengths[index] = min(strength, 1.0)
        candidate.by_theme.add(index)


def _result(
    candidate: _Candidate, score: float, whole_passages: Sequence[PassageHit]
) -> FacetedReview:
    matched = tuple(sorted(index for index in candidate.strengths if index >= 0))
    return FacetedReview(
        **candidate.fields,
        score=score,
        matched=matched,
        passages=_shown(candidate.evidence, whole_passages),
        by_theme=tuple(sorted(candidate.by_theme)),
    )


def _shown(
    evidence: Mapping[int, PassageHit], whole_passages: Sequence[PassageHit]
) -> tuple[FacetPassage, ...]:
    """Each matched facet's passage, then the whole précis's up to :data:`PASSAGES_SHOWN`,
    without showing any text twice: a passage that overlaps one already shown adds its facets
    to that one instead."""
    shown: list[tuple[PassageHit, list[int]]] = []
    ordered = [(hit, [index]) for index, hit in sorted(evidence.items())]
    ordered += [(hit, []) for hit in whole_passages]
    for hit, facets in ordered:
        same = next((kept for kept in shown if passages_overlap(kept[0], hit)), None)
        if same is None:
            shown.append((hit, list(facets)))
        else:
            same[1].extend(index for index in facets if index not in same[1])
    for_facets = [item for item in shown if item[1]]
    extra = [item for item in shown if not item[1]][: max(PASSAGES_SHOWN - len(for_facets), 0)]
    return tuple(FacetPassage(hit, tuple(sorted(facets))) for hit, facets in for_facets + extra)
