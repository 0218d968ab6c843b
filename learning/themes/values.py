"""Values that flow out of the themes services: frozen dataclasses, never dicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Decision(StrEnum):
    """An analyst's verdict on a review-level tag."""

    CONFIRM = "confirm"
    REJECT = "reject"


class TagSource(StrEnum):
    MODEL = "model"
    ANALYST = "analyst"


@dataclass(frozen=True)
class AnalystDecision:
    """The latest decision on (review, theme): keyed by ids that survive re-ingest."""

    review_id: str
    theme_id: str
    decision: Decision
    by: str
    at: datetime
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "theme_id": self.theme_id,
            "decision": str(self.decision),
            "by": self.by,
            "at": self.at.isoformat(),
            "note": self.note,
        }


@dataclass(frozen=True)
class Evidence:
    """A unit that earned a tag, with where to find it in the review."""

    unit_id: int
    kind: str
    number: str | None
    section: str
    page: int
    page_label: str | None
    text: str
    confidence: float
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "kind": self.kind,
            "number": self.number,
            "section": self.section,
            "page": self.page,
            "page_label": self.page_label,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "citation": self.citation,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Evidence:
        return cls(**raw)


@dataclass(frozen=True)
class ThemeTag:
    """A review carries a theme: the model's confidence, or an analyst's confirmation."""

    review_id: str
    theme_id: str
    label: str
    confidence: float
    model_confidence: float
    threshold: float
    source: TagSource
    evidence: tuple[Evidence, ...]
    decided_by: str | None = None
    decided_at: str | None = None
    note: str | None = None
    # the tagger that made it: "zero-shot v4", or the learned head's id ("learned-3f2a...")
    tagger: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "theme_id": self.theme_id,
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "model_confidence": round(self.model_confidence, 4),
            "threshold": round(self.threshold, 4),
            "source": str(self.source),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "note": self.note,
            "tagger": self.tagger,
            "evidence": [item.to_dict() for item in self.evidence],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ThemeTag:
        fields = dict(raw)
        fields["source"] = TagSource(fields["source"])
        fields["evidence"] = tuple(Evidence.from_dict(item) for item in fields["evidence"])
        return cls(**fields)
