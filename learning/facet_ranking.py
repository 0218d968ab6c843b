"""Past reviews ranked on a précis's facets: which review matches which facet, how well, and
the passages that show it. Pure (the searches are done before, by ``learning.similar_facets``).

Why one score: the page must list results in the order of the score it shows. A review's
score is the mean, over the précis as a whole and each facet, of how well it matches that
part (0 to 1): a review that matches five facets well outranks one that matches the whole
précis best and nothing else, and the reviewer sees both numbers' parts (matched facets).

How well a review matches a part:
- the whole précis: by its place among the reviews most like the précis (1 for the first,
  down to 0.5 for the last of them; 0 if it is not among them);
- a risk or practice facet: by its place among the reviews whose passages, searched for the
  facet, say what the facet says (1 down to 0.5), plus 0.5 if the review carries the facet's
  theme (tagged by the tagger or confirmed by an analyst), at most 1;
- an agency facet: by its place among the reviews whose passages name the agency;
- an age facet: 1 if the review is about a child of that age group, else 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from learning.facets import Facet, FacetKind
from learning.results import (
    FacetedReview,
    FacetPassage,
    PassageHit,
    SimilarReview,
    passages_overlap,
    review_dict,
)
from learning.themes.scoring import is_excluded_section, looks_like_contents

#: A review carrying a facet's theme matches the facet this well without a passage.
THEME_STRENGTH = 0.5
#: Passages shown a review at most (the facets' best first, then the whole précis's).
PASSAGES_SHOWN = 4

PassageSays = Callable[[Facet, str], bool]


@dataclass
class _Candidate:
    fields: dict[str, object]
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
) -> list[FacetedReview]:
    """The ``k`` reviews that best match the précis and its ``facets``, best first.

    ``whole``: reviews most like the whole précis, best first; ``found[i]``: passages found
    for ``facets[i]``, best first (none for an age facet); ``tags``: each review's theme ids;
    ``says(facet, text)``: whether a passage says what the facet says."""
    candidates: dict[str, _Candidate] = {}
    for rank, review in enumerate(whole):
        candidate = candidates.setdefault(review.review_id, _Candidate(review_dict(review)))
        candidate.strengths[-1] = _placed(rank, len(whole))
        candidate.whole_rank = rank
    for index, (facet, hits) in enumerate(zip(facets, found, strict=True)):
        _add_facet(candidates, index, facet, hits, says)
    for index, facet in enumerate(facets):
        _add_tags_and_age(candidates, index, facet, tags)
    parts = len(facets) + 1
    scored = [
        (sum(candidate.strengths.values()) / parts, candidate.whole_rank, review_id)
        for review_id, candidate in candidates.items()
    ]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    whole_passages = {review.review_id: review.passages for review in whole}
    return [
        _result(candidates[review_id], score, whole_passages.get(review_id, ()))
        for score, _, review_id in scored[:k]
    ]


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
        # a glossary or contents list names things: it is no evidence that a review is about them
        if is_excluded_section(hit.section) or looks_like_contents(hit.text):
            continue
        if hit.review_id not in best and says(facet, hit.text):
            best[hit.review_id] = hit
    for rank, (review_id, hit) in enumerate(best.items()):
        candidate = candidates.setdefault(review_id, _Candidate(review_dict(hit)))
        candidate.strengths[index] = _placed(rank, len(best))
        candidate.evidence[index] = hit


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
        strength = candidate.strengths.get(index, 0.0) + THEME_STRENGTH
        candidate.strengths[index] = min(strength, 1.0)
        candidate.by_theme.add(index)


def _result(
    candidate: _Candidate, score: float, whole_passages: Sequence[PassageHit]
) -> FacetedReview:
    matched = tuple(sorted(index for index in candidate.strengths if index >= 0))
    return FacetedReview(
        **candidate.fields,  # type: ignore[arg-type]
        score=score,
        matched=matched,
        passages=_shown(candidate.evidence, whole_passages),
        by_theme=tuple(sorted(candidate.by_theme)),
    )


def _shown(
    evidence: Mapping[int, PassageHit], whole_passages: Sequence[PassageHit]
) -> tuple[FacetPassage, ...]:
    """Each facet's passage, then the whole précis's, without showing any text twice: a
    passage that overlaps one already shown adds its facets to that one instead."""
    shown: list[tuple[PassageHit, list[int]]] = []
    ordered = [(hit, [index]) for index, hit in sorted(evidence.items())]
    ordered += [(hit, []) for hit in whole_passages]
    for hit, facets in ordered:
        same = next((kept for kept in shown if passages_overlap(kept[0], hit)), None)
        if same is None:
            shown.append((hit, list(facets)))
        else:
            same[1].extend(index for index in facets if index not in same[1])
    shown = shown[:PASSAGES_SHOWN]
    return tuple(FacetPassage(hit, tuple(sorted(facets))) for hit, facets in shown)
