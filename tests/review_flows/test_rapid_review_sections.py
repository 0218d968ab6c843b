"""The rapid review draft's sections from a case's timeline (the Panel's headings,
facts, chronology, guidance and the recorded decision), and the text a reviewer edits
going back into the sections and the DOCX."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from sqlmodel import Session

from core.draft_model import ANNEX_HEADING, SECTION_HEADINGS, Style
from learning.case_annex import case_view
from learning.case_learning import LibraryLearning
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.rapid_review import build_draft
from review_flows.rapid_review_docx import (
    DraftEditsMismatch,
    edited_draft,
    edited_section,
    render_docx,
    section_text,
)
from tests.review_flows.rapid_review_fakes import (
    BABY,
    DAY,
    MEN,
    TODAY,
    K,
    _hit,
    _learning,
    _record,
    _texts,
)
from tests.review_flows.rapid_review_fakes import timeline as timeline

# --- the Panel's sections -------------------------------------------------------------------------


def test_the_draft_has_the_panels_sections_in_order_then_the_annex(timeline: CaseTimeline) -> None:
    draft = build_draft(timeline, case_view(_learning(BABY)), today=TODAY)

    assert [s.heading for s in draft.sections if s.level == 1] == [*SECTION_HEADINGS, ANNEX_HEADING]
    assert draft.title == "Rapid review: NSH-2026-007"


def test_the_docx_headings_facts_and_chronology(timeline: CaseTimeline) -> None:
    data = render_docx(build_draft(timeline, case_view(_learning(BABY)), today=TODAY))

    paragraphs = [(p.style.name, p.text) for p in Document(io.BytesIO(data)).paragraphs]
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        *SECTION_HEADINGS, ANNEX_HEADING,
    ]  # fmt: skip
    assert ("Title", "Rapid review: NSH-2026-007") in paragraphs
    texts = [text for _, text in paragraphs]
    for fact in (
        "Case reference: NSH-2026-007", "Partnership: Northshire", "Nation: England",
        "Incident date: 2026-01-05", "Outcome: Death", "Age group: Under 1 year",
        "Flags: looked after", "Stage: Rapid review",
    ):  # fmt: skip
        assert fact in texts
    assert not [text for text in texts if text.startswith("Owner")]
    [table] = Document(io.BytesIO(data)).tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Date", "Event", "Note"],
        ["2026-01-06", "Became aware of the incident", ""],
        ["2026-01-08", "Incident notified", ""],  # at its corrected date; the correction left out
        ["2026-01-12", "Rapid review started", "agency chronologies requested"],
    ]


def test_unknown_sections_carry_guidance_and_the_due_dates_in_words(
    timeline: CaseTimeline,
) -> None:
    draft = build_draft(timeline, case_view(LibraryLearning()), today=TODAY)

    for section in draft.sections[1:7]:
        assert any(p.style is Style.GUIDANCE for p in section.paragraphs), section.heading
    texts = _texts(render_docx(draft))
    assert any(t.startswith("Guidance: Consider the child's and family's ethnicity") for t in texts)
    assert "No decision is recorded yet." in texts
    [due] = [t for t in texts if t.startswith("The rapid review and the decision are due")]
    assert re.fullmatch(
        r"The rapid review and the decision are due to the Panel by \d{4}-\d\d-\d\d \(clock "
        r"from awareness\) or \d{4}-\d\d-\d\d \(clock from the notification\)\.",
        due,
    ), due


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

    [section] = [s for s in build_draft(decided, case_view(LibraryLearning()), today=today).sections
                 if s.heading == SECTION_HEADINGS[6]]  # fmt: skip

    assert [p.text for p in section.paragraphs] == [
        "On 2026-01-27 the partners decided to hold a local child safeguarding practice review. "
        "Reason recorded: two or more agencies could have worked better together"
    ]


# --- the text a reviewer edits -------------------------------------------------------------------


def test_each_sections_text_reads_back_as_the_same_section(timeline: CaseTimeline) -> None:
    draft = build_draft(timeline, case_view(_learning(MEN, BABY)), today=TODAY)

    for section in draft.sections:
        assert edited_section(section, section_text(section)) == section
    assert section_text(draft.sections[-1]).splitlines()[-2:] == [
        "- Recommendation 4: Agencies should escalate missed visits.",
        "Source: [Child T, Eastshire CSPR 2021, p. 31]",
    ]


def test_edited_texts_replace_the_paragraphs_and_go_into_the_docx(timeline: CaseTimeline) -> None:
    draft = build_draft(timeline, case_view(_learning(BABY)), today=TODAY)
    texts = [section_text(section) for section in draft.sections]
    texts[1] = "Health visiting and the GP knew the family.\n\n- Police: two call-outs"

    edited = edited_draft(draft, texts)

    assert [(p.text, p.style) for p in edited.sections[1].paragraphs] == [
        ("Health visiting and the GP knew the family.", Style.FACT),
        ("Police: two call-outs", Style.BULLET),
    ]
    assert edited.sections[0].table == draft.sections[0].table  # the chronology stays
    words = _texts(render_docx(edited))
    assert "Health visiting and the GP knew the family." in words
    assert not [w for w in words if w.startswith("Guidance: List each agency")]
    with pytest.raises(DraftEditsMismatch, match="has 9 sections but 2 edited texts"):
        edited_draft(draft, texts[:2])


def test_a_passage_that_repeats_one_before_it_is_shown_once(timeline: CaseTimeline) -> None:
    part = "Nobody asked who else cared for the baby at home."
    long = f"Fathers were not seen. {part} Not at night either."
    twice = _hit(
        "r21", "Men", [("finding", "7", 15, "12", long), ("finding", "7", 15, "12", part),
                       ("finding", "8", 16, "13", "Records did not link.")],
    )  # fmt: skip

    [section] = [s for s in build_draft(timeline, case_view(_learning(twice)), today=TODAY).sections
                 if s.level == 2]  # fmt: skip

    assert [p.text for p in section.paragraphs if p.style is Style.BULLET] == [
        f"Finding 7: {long}", "Finding 8: Records did not link.",
    ]  # fmt: skip
