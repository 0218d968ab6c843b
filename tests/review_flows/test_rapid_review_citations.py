"""The rapid review draft's citations, labels and words: printed pages as the app
shows them, one label per finding, and no internal file, rule or code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session

from learning.case_annex import case_view, cite, labelled
from learning.highlight import page_of
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.rapid_review import build_draft, prepare_rapid_review
from review_flows.rapid_review_docx import render_docx
from tests.review_flows.rapid_review_fakes import (
    BABY,
    DAY,
    MEN,
    TEEN,
    TODAY,
    K,
    _Engine,
    _entry,
    _learning,
    _record,
    _texts,
)
from tests.review_flows.rapid_review_fakes import timeline as timeline

# --- citations, labels and words -----------------------------------------------------------------


def test_each_citation_is_the_printed_page_the_app_shows(timeline: CaseTimeline) -> None:
    texts = _texts(render_docx(build_draft(timeline, case_view(_learning(MEN, BABY)), today=TODAY)))

    [passage] = MEN.passages
    assert page_of(passage.page, passage.page_label) == "12"  # what Search shows
    assert "Source: [the men around babies, Eastshire CSPR 2021, p. 12]" in texts
    assert not [text for text in texts if "p. 15" in text or "page 15" in text]
    # no printed page: the page of the file, as the app shows it
    assert "Source: [Child T, Eastshire CSPR 2021, p. 31]" in texts
    assert cite(BABY.passages[0]) == "[Child T, Eastshire CSPR 2021, p. 14]"


@pytest.mark.parametrize(
    ("kind", "number", "text", "label"),
    [
        ("finding", "3", "Finding 3: Fathers were not seen.", "Finding 3: Fathers were not seen."),
        ("finding", "3", "FINDING 3 - Fathers unseen.", "FINDING 3 - Fathers unseen."),
        ("recommendation", "4", "4. Agencies should escalate.",
         "Recommendation 4: Agencies should escalate."),
        ("recommendation", "4", "(4) Agencies should escalate.",
         "Recommendation 4: Agencies should escalate."),
        ("finding", "2", "Health visits were missed.", "Finding 2: Health visits were missed."),
        ("finding", "2", "20 visits were missed.", "Finding 2: 20 visits were missed."),
        ("finding", None, "Fathers were not seen.", "Finding: Fathers were not seen."),
        ("finding", None, "Finding: fathers\nwere not seen.", "Finding: fathers were not seen."),
        ("passage", None, "The family moved.", "Extract: The family moved."),
    ],
)  # fmt: skip
def test_a_passage_is_labelled_once(kind: str, number: str | None, text: str, label: str) -> None:
    assert labelled(kind, number, text) == label


def test_no_label_is_repeated_anywhere_in_the_draft(timeline: CaseTimeline) -> None:
    texts = _texts(render_docx(build_draft(timeline, case_view(_learning(MEN, BABY)), today=TODAY)))

    assert "Finding 3: Fathers and partners were not seen." in texts
    assert "Recommendation 4: Agencies should escalate missed visits." in texts
    repeated = re.compile(r"\b(Finding|Recommendation)( \w+)?\W+\1\2\b", re.IGNORECASE)
    assert [text for text in texts if repeated.search(text)] == []


#: What a reader of the draft must not meet: rule rows (E10, H7), the rules file, codes with
#: underscores, file names, rulebook ids and the library's review ids.
INTERNAL = re.compile(
    r"rules\.md|\b[A-Z]{1,2}\d{1,2}\b|\b[a-z0-9]+_[a-z0-9_]+\b|\.(?:md|pdf|docx|yaml|py)\b"
    r"|england-cspr|\br\d\d-|csprp-|`"
)


def test_the_draft_names_no_internal_file_rule_or_code(
    session: Session, timeline: CaseTimeline, today: dt.date
) -> None:
    _record(session, "NSH-2026-007", K.RAPID_REVIEW_SUBMITTED, DAY(2026, 1, 26))
    later = case_timeline(session, "NSH-2026-007", today=today, partnership="Northshire")
    engine = _Engine([TEEN, BABY, MEN])

    for case in (timeline, later):
        draft = prepare_rapid_review(
            case, [_entry(MEN.review_id, "same unseen men")], lambda: engine, today=TODAY
        )
        words = "\n".join([draft.all_text(), *_texts(render_docx(draft))])
        assert INTERNAL.findall(words) == []
        assert "Guidance: Record the partners' decision" in words
    assert INTERNAL.search("with reference to the criteria (rules.md E10)")  # the check can fail
