"""The rapid review draft: its content from a case's timeline and similar reviews, and the DOCX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from sqlmodel import Session

from learning.errors import IndexNotFound
from learning.results import PassageHit, SimilarReview
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.cases import record_event
from review_flows.events import EventKind
from review_flows.models import CaseEventCreate
from review_flows.rapid_review import (
    ANNEX_HEADING,
    SECTION_HEADINGS,
    Style,
    build_draft,
    case_precis,
    citation,
    find_similar,
    rapid_review_docx,
    render_docx,
)

K = EventKind
DAY = dt.date


def _hit(review_id: str, title: str, passages: list[tuple[str, str | None, int, str]]) -> Any:
    review = {
        "review_id": review_id, "title": title, "source": "test", "year": 2022,
        "nation": "england", "partnership": "Eastshire", "review_type": "lcspr",
        "outcome": "serious_harm", "age_group": "1_4",
    }  # fmt: skip
    hits = tuple(
        PassageHit(
            **review,
            unit_id=n,
            kind=kind,
            number=number,
            section="Findings",
            page=page,
            page_label=None,
            text=text,
            score=0.5,
            highlighted=text,
            spans=(),
        )  # fmt: skip
        for n, (kind, number, page, text) in enumerate(passages)
    )
    return SimilarReview(**review, score=1.0, similarity=0.7, passages=hits)


HITS = [
    _hit(
        "csprp-2022-011",
        "Child T: missed health visits",
        [
            ("finding", "2", 14, "Health visits were missed and nobody followed them up."),
            ("recommendation", "4", 31, "Agencies should escalate missed visits."),
        ],
    ),
    _hit("eastshire-2021-03", "Child M", [("finding", None, 7, "Fathers were not seen.")]),
]


def _record(session: Session, reference: str, kind: EventKind, on: dt.date, **fields: Any) -> int:
    data = CaseEventCreate(kind=kind, on=on, **fields)
    event = record_event(
        session, reference, data, recorded_by="tester", today=DAY(2026, 3, 31),
        partnership="Northshire",
    )  # fmt: skip
    return event.id


@pytest.fixture
def timeline(session: Session, case_factory: Any, today: dt.date) -> CaseTimeline:
    """A Northshire case: notified (then corrected a day earlier), rapid review started and a
    mistaken decision voided, then decided with a reason."""
    case_factory(
        reference="NSH-2026-007", looked_after=True, age_group="1_4",
        events=((K.NOTIFIED, DAY(2026, 1, 9)), (K.RAPID_REVIEW_STARTED, DAY(2026, 1, 12),
                 "agency chronologies requested")),
    )  # fmt: skip
    timeline = case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")
    notified = next(e for e in timeline.events if e.kind is K.NOTIFIED)
    _record(session, "NSH-2026-007", K.CORRECTION, DAY(2026, 1, 8), corrects=notified.id,
            note="the form went a day earlier")  # fmt: skip
    return case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")


def _paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(io.BytesIO(data)).paragraphs]


def test_the_draft_has_the_panels_sections_in_order_then_the_annex(timeline: CaseTimeline) -> None:
    draft = build_draft(timeline, HITS, today=DAY(2026, 3, 31))

    assert [s.heading for s in draft.sections if s.level == 1] == [*SECTION_HEADINGS, ANNEX_HEADING]
    assert draft.title == "Rapid review: NSH-2026-007"


def test_the_docx_headings_facts_and_chronology(timeline: CaseTimeline) -> None:
    data = render_docx(build_draft(timeline, HITS, today=DAY(2026, 3, 31)))

    paragraphs = _paragraphs(data)
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == [*SECTION_HEADINGS, ANNEX_HEADING]
    assert ("Title", "Rapid review: NSH-2026-007") in paragraphs
    texts = [text for _, text in paragraphs]
    for fact in (
        "Case reference: NSH-2026-007",
        "Partnership: Northshire",
        "Nation: England",
        "Incident date: 2026-01-05",
        "Outcome: Serious harm",
        "Age group: 1\u20134 years",
        "Flags: looked after",
    ):
        assert fact in texts
    assert not [text for text in texts if text.startswith("Owner")]
    [table] = Document(io.BytesIO(data)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Date", "Event", "Note"],
        ["2026-01-06", "Became aware of the incident", ""],
        ["2026-01-08", "Incident notified", ""],  # at its corrected date; the correction left out
        ["2026-01-12", "Rapid review started", "agency chronologies requested"],
    ]


def test_unknown_sections_carry_guidance_for_the_author(timeline: CaseTimeline) -> None:
    draft = build_draft(timeline, [], today=DAY(2026, 3, 31))

    for section in draft.sections[1:7]:
        assert any(p.style is Style.GUIDANCE for p in section.paragraphs), section.heading
    texts = [text for _, text in _paragraphs(render_docx(draft))]
    assert any(t.startswith("Guidance: Consider the child's and family's ethnicity") for t in texts)
    assert "No decision is recorded yet." in texts


def test_a_recorded_decision_and_its_reason_are_filled_in(
    session: Session, timeline: CaseTimeline, today: dt.date
) -> None:
    _record(session, "NSH-2026-007", K.RAPID_REVIEW_SUBMITTED, DAY(2026, 1, 26))
    wrong = _record(session, "NSH-2026-007", K.DECISION_NO_REVIEW, DAY(2026, 1, 26))
    _record(session, "NSH-2026-007", K.VOID, DAY(2026, 1, 27), corrects=wrong,
            note="recorded in error")  # fmt: skip
    _record(session, "NSH-2026-007", K.DECISION, DAY(2026, 1, 27),
            note="two or more agencies could have worked better together")  # fmt: skip
    decided = case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")

    [section] = [s for s in build_draft(decided, [], today=today).sections
                 if s.heading == SECTION_HEADINGS[6]]  # fmt: skip

    assert [p.text for p in section.paragraphs] == [
        "On 2026-01-27 the partners decided to hold a local child safeguarding practice review. "
        "Reason recorded: two or more agencies could have worked better together"
    ]


def test_the_annex_cites_each_finding_by_review_and_page(timeline: CaseTimeline) -> None:
    texts = [
        text
        for _, text in _paragraphs(render_docx(build_draft(timeline, HITS, today=DAY(2026, 3, 31))))
    ]

    annex = texts[texts.index(ANNEX_HEADING) :]
    assert "Child T: missed health visits (csprp-2022-011)" in annex
    assert "Finding 2: Health visits were missed and nobody followed them up." in annex
    assert "Source: Child T: missed health visits (csprp-2022-011), page 14" in annex
    assert "Recommendation 4: Agencies should escalate missed visits." in annex
    assert "Source: Child T: missed health visits (csprp-2022-011), page 31" in annex
    assert "Finding: Fathers were not seen." in annex
    assert "Source: Child M (eastshire-2021-03), page 7" in annex
    assert citation("Child M", "eastshire-2021-03", 7) == "Child M (eastshire-2021-03), page 7"


@pytest.mark.parametrize(
    ("why", "says"),
    [
        (None, "No similar published review was found in the library."),
        ("no index in data/index", "The library of published reviews could not be searched: "
         "no index in data/index."),
    ],
)  # fmt: skip
def test_an_empty_hit_list_makes_an_annex_that_says_why(
    timeline: CaseTimeline, why: str | None, says: str
) -> None:
    draft = build_draft(timeline, [], today=DAY(2026, 3, 31), why=why)

    annex = draft.sections[-1]
    assert (annex.heading, [p.text for p in annex.paragraphs]) == (ANNEX_HEADING, [says])
    texts = [text for _, text in _paragraphs(render_docx(draft))]
    assert texts[-2:] == [ANNEX_HEADING, says]


def test_the_precis_holds_the_cases_facts_and_notes_but_no_names(timeline: CaseTimeline) -> None:
    assert case_precis(timeline) == (
        "Serious harm to a child, aged 1 to 4. The child was looked after by the local "
        "authority. The case is at the rapid review stage. Agency chronologies requested."
    )


class _Engine:
    def __init__(self, hits: list[Any]) -> None:
        self.hits, self.asked = hits, []

    def similar_cases(self, precis: str, k: int = 5) -> list[Any]:
        self.asked.append((precis, k))
        return self.hits[:k]


def test_find_similar_asks_the_engine_with_the_precis(timeline: CaseTimeline) -> None:
    engine = _Engine(HITS)

    found = find_similar(lambda: engine, timeline, k=1)

    assert found.hits == (HITS[0],) and found.unavailable is None
    assert engine.asked == [(case_precis(timeline), 1)]


def test_find_similar_without_a_library_gives_the_reason(timeline: CaseTimeline) -> None:
    def missing() -> Any:
        raise IndexNotFound("no index in /data/index; run `cspr ingest PATH` first")

    assert find_similar(missing, timeline).unavailable == (
        "no index in /data/index; run `cspr ingest PATH` first"
    )
    assert find_similar(None, timeline).unavailable == "the learning library is not set up here"


def test_rapid_review_docx_end_to_end(timeline: CaseTimeline) -> None:
    data = rapid_review_docx(timeline, lambda: _Engine(HITS), today=DAY(2026, 3, 31), k=2)

    texts = [text for _, text in _paragraphs(data)]
    assert "Source: Child M (eastshire-2021-03), page 7" in texts
    assert texts[1].startswith("NSH-2026-007 · Northshire · draft of 2026-03-31")
