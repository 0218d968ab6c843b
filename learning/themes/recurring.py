"""Recommendations that keep being made: the same point across reviews and years.

Recommendation units are grouped by embedding similarity (average linkage by default, a fixed
threshold, deterministic); a group counts when it spans at least ``min_reviews`` reviews. Each
group says how often, in how many reviews, first and last year, and lists its members with
citations. The group id is a hash of its members and the parameters, so it can be cited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from learning.index.store import UnitRow
from learning.models import UnitKind
from learning.themes.corpus import unit_key, unit_vectors
from learning.themes.grouping import group_vectors
from learning.themes.tagging import ThemeWorkspace, citation_for


@dataclass(frozen=True)
class RecurringParams:
    threshold: float = 0.65
    linkage: str = "average"
    min_reviews: int = 2

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Member:
    review_id: str
    title: str | None
    year: int | None
    number: str | None
    section: str
    page: int
    page_label: str | None
    text: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RecurringRecommendation:
    """One recommendation made again and again; ``statement`` is its most central wording."""

    group_id: str
    statement: str
    count: int
    reviews: int
    first_year: int | None
    last_year: int | None
    theme_id: str | None
    members: tuple[Member, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "statement": self.statement,
            "count": self.count,
            "reviews": self.reviews,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "theme_id": self.theme_id,
            "members": [member.to_dict() for member in self.members],
        }


def group_id(prefix: str, keys: Sequence[str], params_digest: str) -> str:
    """A citable id: a hash of the members' keys (sorted) and the parameters."""
    text = json.dumps([params_digest, sorted(keys)])
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"


def central_row(vectors: np.ndarray) -> int:
    """The row with the highest mean similarity to the others (the first on a tie)."""
    sims = vectors @ vectors.T
    return int(np.argmax(sims.mean(axis=1).round(6)))


def _member(row: UnitRow) -> Member:
    return Member(
        row.review_id,
        row.title,
        row.year,
        row.number,
        row.section,
        row.page,
        row.page_label,
        row.text,
        citation_for(row),
    )


def find_recurring(
    rows: Sequence[UnitRow],
    vectors: np.ndarray,
    params: RecurringParams | None = None,
    themes: Sequence[str | None] | None = None,
) -> list[RecurringRecommendation]:
    """Groups of ``rows`` (recommendations, with their vectors) made in several reviews.

    ``themes`` optionally gives each row's best theme; a group takes its most common one.
    Ordered by reviews, then count, then first year, then id.
    """
    params = params or RecurringParams()
    found = []
    for members in group_vectors(vectors, params.threshold, method=params.linkage):
        chosen = [rows[i] for i in members]
        if len(chosen) < 2 or len({row.review_id for row in chosen}) < params.min_reviews:
            continue
        found.append(_recurring(chosen, vectors[members], params, _theme_of(members, themes)))
    found.sort(
        key=lambda g: (-g.reviews, -g.count, g.first_year if g.first_year else 9999, g.group_id)
    )
    return found


def _theme_of(members: np.ndarray, themes: Sequence[str | None] | None) -> str | None:
    if themes is None:
        return None
    names = sorted(t for t in (themes[i] for i in members) if t is not None)
    if not names:
        return None
    return max(sorted(set(names)), key=names.count)


def _recurring(
    chosen: list[UnitRow], vectors: np.ndarray, params: RecurringParams, theme: str | None
) -> RecurringRecommendation:
    years = [row.year for row in chosen if row.year is not None]
    ordered = sorted(chosen, key=lambda row: (row.year or 9999, row.review_id, row.ordinal))
    return RecurringRecommendation(
        group_id=group_id("r", [unit_key(row) for row in chosen], params.digest),
        statement=chosen[central_row(vectors)].text,
        count=len(chosen),
        reviews=len({row.review_id for row in chosen}),
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
        theme_id=theme,
        members=tuple(_member(row) for row in ordered),
    )


def recurring_recommendations(
    workspace: ThemeWorkspace, params: RecurringParams | None = None
) -> list[RecurringRecommendation]:
    """Recurring recommendations of the indexed reviews (glossaries and the like left out)."""
    table = workspace.table
    positions = table.positions([str(UnitKind.RECOMMENDATION)])
    rows = [table.rows[i] for i in positions]
    vectors = unit_vectors(workspace.index, [row.id for row in rows])
    themes = _best_themes(workspace, positions)
    return find_recurring(rows, vectors, params, themes)


def _best_themes(workspace: ThemeWorkspace, positions: np.ndarray) -> list[str | None]:
    if positions.size == 0:
        return []
    confidence = workspace.scores.unit_conf[positions]
    best = confidence.argmax(axis=1)
    floor = workspace.params.evidence_threshold
    ids = workspace.scores.theme_ids
    return [
        ids[column] if confidence[row, column] >= floor else None for row, column in enumerate(best)
    ]
