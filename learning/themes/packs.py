"""Evidence packs: for one theme (and filters), the reviews that carry it and their findings and
recommendations about it, each with a citation to the page.

The reviews are those tagged with the theme (the model's tags and analysts' confirmations;
rejected ones never appear). Their findings and recommendations whose confidence for the theme
clears the evidence threshold are the entries; a confirmed review with none above it
contributes its best evidence. Export (CSV, Markdown, PDF) lives in :mod:`pack_export`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from learning.filters import Filters, normalise_value, parse_filters
from learning.index import StoredDocument
from learning.index.store import UnitRow
from learning.models import UnitKind
from learning.themes.citations import format_citation
from learning.themes.tagging import ThemeWorkspace, citation_for
from learning.themes.values import ThemeTag

_ENTRY_KINDS = (str(UnitKind.FINDING), str(UnitKind.RECOMMENDATION))


@dataclass(frozen=True)
class PackReview:
    review_id: str
    title: str | None
    year: int | None
    nation: str | None
    partnership: str | None
    review_type: str | None
    age_group: str | None
    outcome: str | None
    confidence: float
    source: str
    page: int | None
    page_label: str | None
    citation: str


@dataclass(frozen=True)
class PackEntry:
    review_id: str
    title: str | None
    year: int | None
    nation: str | None
    review_type: str | None
    kind: str
    number: str | None
    section: str
    page: int
    page_label: str | None
    confidence: float
    text: str
    citation: str


@dataclass(frozen=True)
class EvidencePack:
    theme_id: str
    label: str
    definition: str
    filters: tuple[str, ...]
    version: dict[str, Any]
    reviews: tuple[PackReview, ...]
    findings: tuple[PackEntry, ...]
    recommendations: tuple[PackEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "label": self.label,
            "definition": self.definition,
            "filters": list(self.filters),
            "version": self.version,
            "reviews": [asdict(review) for review in self.reviews],
            "findings": [asdict(entry) for entry in self.findings],
            "recommendations": [asdict(entry) for entry in self.recommendations],
        }


def document_matches(document: StoredDocument, filters: Filters) -> bool:
    """Whether a review's metadata passes ``filters`` (as the search filters read them)."""
    if filters.year_min is not None and (document.year is None or document.year < filters.year_min):
        return False
    if filters.year_max is not None and (document.year is None or document.year > filters.year_max):
        return False
    for field in ("nation", "review_type", "outcome", "age_group"):
        wanted = getattr(filters, field)
        value = getattr(document, field)
        if wanted and normalise_value(value or "") not in wanted:
            return False
    partnership = (document.partnership or "").lower()
    return not filters.partnership or any(part in partnership for part in filters.partnership)


def _review(document: StoredDocument, tag: ThemeTag) -> PackReview:
    first = tag.evidence[0] if tag.evidence else None
    citation = format_citation(
        review_id=document.review_id,
        title=document.title,
        partnership=document.partnership,
        review_type=document.review_type,
        year=document.year,
        page=first.page if first else None,
        page_label=first.page_label if first else None,
    )
    return PackReview(
        document.review_id,
        document.title,
        document.year,
        document.nation,
        document.partnership,
        document.review_type,
        document.age_group,
        document.outcome,
        tag.confidence,
        str(tag.source),
        first.page if first else None,
        first.page_label if first else None,
        citation,
    )


def build_pack(
    workspace: ThemeWorkspace, theme_id: str, filter_args: Sequence[str] = ()
) -> EvidencePack:
    """The evidence pack for ``theme_id`` over the reviews that pass ``filter_args``
    (``FIELD=VALUE``: year, nation, partnership, review_type, outcome, age_group, kind)."""
    theme = workspace.taxonomy.theme(theme_id)
    filters = parse_filters(filter_args)
    documents = workspace.table.documents
    tags = [
        tag
        for tag in workspace.tags()
        if tag.theme_id == theme_id and document_matches(documents[tag.review_id], filters)
    ]
    tags.sort(key=lambda t: (-(documents[t.review_id].year or 0), t.review_id))
    kinds = tuple(kind for kind in _ENTRY_KINDS if not filters.kind or kind in filters.kind)
    entries = [entry for tag in tags for entry in _entries(workspace, tag, kinds)]
    return EvidencePack(
        theme_id=theme.id,
        label=theme.label,
        definition=theme.definition,
        filters=tuple(filter_args),
        version=workspace.version,
        reviews=tuple(_review(documents[tag.review_id], tag) for tag in tags),
        findings=tuple(e for e in entries if e.kind == str(UnitKind.FINDING)),
        recommendations=tuple(e for e in entries if e.kind == str(UnitKind.RECOMMENDATION)),
    )


def _entries(workspace: ThemeWorkspace, tag: ThemeTag, kinds: tuple[str, ...]) -> list[PackEntry]:
    table = workspace.table
    row = workspace.scores.review_ids.index(tag.review_id)
    column = workspace.scores.theme_ids.index(tag.theme_id)
    positions = [p for p in table.positions_of_review(row) if table.rows[p].kind in kinds]
    scores = workspace.scores.unit_conf[np.array(positions, dtype=np.int64), column]
    floor = workspace.params.evidence_threshold
    chosen = [p for p, s in zip(positions, scores, strict=True) if s >= floor]
    if not chosen:
        evidence_ids = {item.unit_id for item in tag.evidence if item.kind in kinds}
        chosen = [p for p in positions if table.rows[p].id in evidence_ids]
    by_position = dict(zip(positions, scores, strict=True))
    return [_entry(table.rows[p], float(by_position[p])) for p in chosen]


def _entry(row: UnitRow, confidence: float) -> PackEntry:
    return PackEntry(
        row.review_id,
        row.title,
        row.year,
        row.nation,
        row.review_type,
        row.kind,
        row.number,
        row.section,
        row.page,
        row.page_label,
        round(confidence, 4),
        row.text,
        citation_for(row),
    )
