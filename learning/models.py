"""Values that flow between the learning layers: frozen dataclasses, never dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class UnitKind(StrEnum):
    """What a unit of a review is."""

    FINDING = "finding"
    RECOMMENDATION = "recommendation"
    PASSAGE = "passage"


@dataclass(frozen=True)
class Page:
    """One physical page of extracted text. ``number`` is 1-based; ``label`` is the printed one."""

    number: int
    text: str
    label: str | None = None


@dataclass(frozen=True)
class ReviewMetadata:
    """What is known about a review; ``None`` where unknown (never invented)."""

    review_id: str
    title: str | None = None
    year: int | None = None
    partnership: str | None = None
    nation: str | None = None
    review_type: str | None = None
    outcome: str | None = None
    age_group: str | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """A document as text pages plus metadata, before it is split into units."""

    source: Path
    format: str
    content_hash: str
    pages: tuple[Page, ...]
    metadata: ReviewMetadata
    # how pages were found: "physical" (PDF), "rendered" (Word's last layout), "page_breaks"
    # (explicit breaks in a DOCX), "form_feeds" (text), "none" (one page: HTML, Markdown)
    paging: str = "physical"
    warnings: tuple[str, ...] = ()  # e.g. pages without a text layer


@dataclass(frozen=True)
class Unit:
    """A searchable piece of a review: a finding, a recommendation or a passage."""

    review_id: str
    ordinal: int
    kind: UnitKind
    text: str
    section: str
    page: int
    page_label: str | None = None
    number: str | None = None
    headings: tuple[str, ...] = field(default_factory=tuple)
