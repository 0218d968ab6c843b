"""Trends and co-occurrence over the tags of the indexed reviews (service over :mod:`trends`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learning.themes.tagging import ThemeWorkspace
from learning.themes.trends import (
    Cooccurrence,
    PrevalenceTable,
    ReviewFacts,
    ThemeChange,
    cooccurrence,
    prevalence,
    theme_changes,
)


@dataclass(frozen=True)
class TrendsReport:
    table: PrevalenceTable
    changes: tuple[ThemeChange, ...]
    labels: dict[str, str]
    version: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.table.dimension,
            "total_reviews": self.table.total_reviews,
            "groups": [{"group": g, "reviews": n} for g, n in self.table.groups],
            "rows": [
                {
                    "group": row.group,
                    "theme_id": row.theme_id,
                    "label": self.labels[row.theme_id],
                    "count": row.count,
                    "reviews": row.reviews,
                    "share": round(row.share, 4),
                }
                for row in self.table.rows
            ],
            "changes": [_change_dict(change, self.labels) for change in self.changes],
            "version": self.version,
        }


@dataclass(frozen=True)
class CooccurrenceReport:
    total_reviews: int
    items: tuple[Cooccurrence, ...]
    labels: dict[str, str]
    version: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_reviews": self.total_reviews,
            "items": [
                {
                    "themes": list(item.themes),
                    "labels": [self.labels[t] for t in item.themes],
                    "observed": item.observed,
                    "expected": round(item.expected, 4),
                    "lift": round(item.lift, 4),
                }
                for item in self.items
            ],
            "version": self.version,
        }


def _change_dict(change: ThemeChange, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "theme_id": change.theme_id,
        "label": labels[change.theme_id],
        "status": change.status,
        "first_year": change.first_year,
        "recent_count": change.recent_count,
        "recent_reviews": change.recent_reviews,
        "recent_share": round(change.recent_share, 4),
        "earlier_count": change.earlier_count,
        "earlier_reviews": change.earlier_reviews,
        "earlier_share": round(change.earlier_share, 4),
        "change": round(change.change, 4),
    }


def review_facts(workspace: ThemeWorkspace) -> list[ReviewFacts]:
    """The facts of every indexed review, by review id."""
    return [
        ReviewFacts(
            review_id=doc.review_id,
            year=doc.year,
            nation=doc.nation,
            partnership=doc.partnership,
            age_group=doc.age_group,
            outcome=doc.outcome,
            review_type=doc.review_type,
        )
        for _, doc in sorted(workspace.table.documents.items())
    ]


def _labels(workspace: ThemeWorkspace) -> dict[str, str]:
    return {theme.id: theme.label for theme in workspace.taxonomy.themes}


def trends_report(workspace: ThemeWorkspace, by: str, recent_years: int = 3) -> TrendsReport:
    """Theme prevalence by ``by`` and rising/new themes (the window ends at the latest year)."""
    facts = review_facts(workspace)
    tags = workspace.tag_sets()
    ids = workspace.taxonomy.ids
    return TrendsReport(
        prevalence(facts, tags, ids, by),
        tuple(theme_changes(facts, tags, ids, recent_years=recent_years)),
        _labels(workspace),
        workspace.version,
    )


def cooccurrence_report(workspace: ThemeWorkspace, min_count: int = 2) -> CooccurrenceReport:
    """Pairs and triples of themes that occur together in at least ``min_count`` reviews."""
    tags = workspace.tag_sets()
    review_ids = sorted(workspace.table.documents)
    items = cooccurrence(review_ids, tags, workspace.taxonomy.ids, min_observed=min_count)
    return CooccurrenceReport(len(review_ids), tuple(items), _labels(workspace), workspace.version)
