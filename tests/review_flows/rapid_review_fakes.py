"""What the rapid review draft tests build on: similar reviews as the library returns
them, a search engine that honours age group and outcome filters, shortlist entries,
and the ``timeline`` of a Northshire case of a baby who died."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from sqlmodel import Session

from learning.case_learning import AnnexReview, LibraryLearning
from learning.filters import Filters
from learning.results import PassageHit, SimilarReview
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.cases import record_event
from review_flows.events import EventKind
from review_flows.models import CaseEventCreate
from review_flows.shortlists import ShortlistEntry

K = EventKind
DAY = dt.date
TODAY = DAY(2026, 3, 31)


def _hit(
    review_id: str,
    title: str,
    passages: list[tuple[str, str | None, int, str | None, str]],
    *,
    age_group: str = "under_1",
    outcome: str = "death",
    nation: str = "england",
) -> SimilarReview:
    """A similar review; each passage is (kind, number, PDF page, printed page, text)."""
    review = {
        "review_id": review_id, "title": title, "source": f"corpus/reviews/{review_id}.pdf",
        "year": 2021, "nation": nation, "partnership": "Eastshire Safeguarding Partnership",
        "review_type": "cspr", "outcome": outcome, "age_group": age_group,
    }  # fmt: skip
    hits = tuple(
        PassageHit(
            **review,
            unit_id=n,
            kind=kind,
            number=number,
            section="Findings",
            page=page,
            page_label=label,
            text=text,
            score=0.5,
            highlighted=text,
            spans=(),
        )  # fmt: skip
        for n, (kind, number, page, label, text) in enumerate(passages)
    )
    return SimilarReview(**review, score=1.0, similarity=0.7, passages=hits)


MEN = _hit(
    "r21-national-men-around-babies-2021",
    "National review: the men around babies",
    [("finding", "3", 15, "12", "Finding 3: Fathers and partners were not seen.")],
    age_group="mixed",
)
BABY = _hit(
    "csprp-2022-011",
    "Child T: missed health visits",
    [
        ("finding", "2", 14, None, "Health visits were missed and nobody followed them up."),
        ("recommendation", "4", 31, None, "4. Agencies should escalate missed visits."),
    ],
)
TEEN = _hit(
    "r03-child-c-eastbridge-2014",
    "Child C: criminal exploitation of a teenager",
    [("finding", "1", 9, "6", "He was stabbed after going missing many times.")],
    age_group="15_17",
)
OLD_BABY = _hit(
    "r-wales-baby", "Baby W", [("finding", None, 3, None, "Safer sleep.")], nation="wales"
)


def _entry(review_id: str, note: str | None = None) -> ShortlistEntry:
    return ShortlistEntry(review_id, note, "pat.panel", dt.datetime(2026, 3, 1, tzinfo=dt.UTC))


class _Engine:
    """A search engine that honours age group and outcome filters, in its own order."""

    def __init__(self, hits: list[SimilarReview]) -> None:
        self.hits, self.asked, self.reloaded = hits, [], 0

    def reload_if_changed(self) -> bool:
        self.reloaded += 1
        return False

    def similar_cases(
        self, precis: str, k: int = 5, filters: Filters | None = None
    ) -> list[SimilarReview]:
        self.asked.append((precis, k, filters))
        filters = filters or Filters()
        return [
            hit for hit in self.hits
            if (not filters.age_group or hit.age_group in filters.age_group)
            and (not filters.outcome or hit.outcome in filters.outcome)
        ][:k]  # fmt: skip

    def reviews_matching(
        self, review_ids: list[str], precis: str, per_review: int = 3
    ) -> list[SimilarReview]:
        held = {hit.review_id: hit for hit in self.hits}
        return [held[review_id] for review_id in review_ids if review_id in held]


def _record(session: Session, reference: str, kind: EventKind, on: dt.date, **fields: Any) -> int:
    data = CaseEventCreate(kind=kind, on=on, **fields)
    event = record_event(
        session, reference, data, recorded_by="tester", today=TODAY, partnership="Northshire",
    )  # fmt: skip
    return event.id


@pytest.fixture
def timeline(session: Session, case_factory: Any, today: dt.date) -> CaseTimeline:
    """A Northshire case of a baby who died: notified (then corrected a day earlier) and the
    rapid review started."""
    case_factory(
        reference="NSH-2026-007", looked_after=True, age_group="under_1", outcome="death",
        events=((K.NOTIFIED, DAY(2026, 1, 9)), (K.RAPID_REVIEW_STARTED, DAY(2026, 1, 12),
                 "agency chronologies requested")),
    )  # fmt: skip
    timeline = case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")
    notified = next(e for e in timeline.events if e.kind is K.NOTIFIED)
    _record(session, "NSH-2026-007", K.CORRECTION, DAY(2026, 1, 8), corrects=notified.id,
            note="the form went a day earlier")  # fmt: skip
    return case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")


def _learning(*hits: SimilarReview) -> LibraryLearning:
    return LibraryLearning(tuple(AnnexReview(hit) for hit in hits))


def _texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]
