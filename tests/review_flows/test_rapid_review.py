"""The rapid review draft: its sections from a case's timeline, its annex from the shortlist and
similar reviews (age group and outcome first), printed pages, one label per finding, no internal
names, the text a reviewer edits and the DOCX."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from docx import Document
from sqlmodel import Session

from core.case_facts import CaseFacts
from learning.case_annex import case_view, cite, labelled
from learning.case_learning import (
    AnnexReview,
    LibraryLearning,
    draft_precis,
    find_learning,
)
from learning.errors import IndexNotFound, InvalidFilter
from learning.filters import Filters
from learning.highlight import page_of
from learning.precis import case_precis
from learning.results import PassageHit, SimilarReview
from review_flows.case_facts import timeline_facts
from review_flows.case_queries import CaseTimeline, case_timeline
from review_flows.cases import record_event
from review_flows.events import EventKind
from review_flows.models import CaseEventCreate
from review_flows.rapid_review import (
    ANNEX_HEADING,
    SECTION_HEADINGS,
    RapidReviewDraft,
    Style,
    build_draft,
    edited_draft,
    prepare_rapid_review,
    render_docx,
    section_text,
)
from review_flows.rapid_review_docx import DraftEditsMismatch, edited_section
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


def _annex_titles(draft: RapidReviewDraft) -> list[str]:
    return [section.heading for section in draft.sections if section.level == 2]


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


# --- the annex: shortlist first, then the case's age group and outcome ----------------------------


def test_the_shortlisted_review_leads_the_annex_whatever_the_search_ranks_first(
    timeline: CaseTimeline,
) -> None:
    engine = _Engine([BABY, TEEN, MEN])

    learning = find_learning(
        lambda: engine, timeline_facts(timeline), [_entry(MEN.review_id, "men unseen")]
    )
    draft = build_draft(timeline, case_view(learning), today=TODAY)

    assert [(r.review.review_id, r.shortlisted) for r in learning.reviews] == [
        (MEN.review_id, True), (BABY.review_id, False), (TEEN.review_id, False),
    ]  # fmt: skip
    assert _annex_titles(draft)[0] == MEN.title
    first = next(s for s in draft.sections if s.level == 2)
    assert "Saved to this case's shortlist. Why: men unseen" in [p.text for p in first.paragraphs]
    assert engine.reloaded == 1  # an upload since the engine was opened is searched too


def test_similar_reviews_of_the_cases_age_group_lead_over_a_better_ranked_teenager(
    timeline: CaseTimeline,
) -> None:
    # the search ranks a teenager's stabbing first; the case is a baby who died
    engine = _Engine([TEEN, OLD_BABY, MEN, BABY])

    learning = find_learning(lambda: engine, timeline_facts(timeline), [], k=3)

    assert [r.review.review_id for r in learning.reviews] == [
        BABY.review_id, OLD_BABY.review_id, MEN.review_id,  # same nation first, then "mixed"
    ]  # fmt: skip
    assert learning.reviews[0].shared_facets == ("age_group", "outcome", "nation")
    # asked for the case's age group and outcome first, then its age group, then any
    assert [asked[2] for asked in engine.asked] == [
        Filters(age_group=("under_1",), outcome=("death",)), Filters(age_group=("under_1",)), None,
    ]  # fmt: skip
    assert {asked[0] for asked in engine.asked} == {draft_precis(timeline_facts(timeline))}


def test_enough_reviews_of_the_age_group_and_outcome_need_no_wider_search(
    timeline: CaseTimeline,
) -> None:
    engine = _Engine([TEEN, BABY, OLD_BABY])

    learning = find_learning(
        lambda: engine, timeline_facts(timeline), [_entry(TEEN.review_id)], k=2
    )

    assert [r.review.review_id for r in learning.reviews] == [
        TEEN.review_id, BABY.review_id, OLD_BABY.review_id,
    ]  # fmt: skip
    assert len(engine.asked) == 1


def test_a_shortlisted_review_no_longer_in_the_library_is_counted_not_named(
    timeline: CaseTimeline,
) -> None:
    learning = find_learning(
        lambda: _Engine([BABY]), timeline_facts(timeline), [_entry("r99-gone-2020")]
    )
    annex = build_draft(timeline, case_view(learning), today=TODAY).sections[7]

    assert learning.missing == ("r99-gone-2020",)
    assert "One review saved to this case's shortlist is no longer in the library. The " \
        "shortlist on the Case page names them." in [p.text for p in annex.paragraphs]  # fmt: skip
    assert "r99" not in build_draft(timeline, case_view(learning), today=TODAY).all_text()


def test_the_precis_is_the_similar_cases_pages_from_the_coded_facts(
    timeline: CaseTimeline,
) -> None:
    facts = CaseFacts("death", "under_1", looked_after=True, stage="rapid_review")

    assert draft_precis(timeline_facts(timeline)) == case_precis(facts)
    assert "chronologies" not in draft_precis(timeline_facts(timeline))  # event notes stay out


@pytest.mark.parametrize(
    ("problem", "says"),
    [
        (IndexNotFound("no index in /data/index; run `cspr ingest PATH` first"),
         "the library holds no published reviews yet"),
        (InvalidFilter("age_group='x' matches no review; the index holds: 1_4"),
         "the search index cannot be used at the moment; ask an administrator to rebuild it"),
    ],
)  # fmt: skip
def test_a_library_that_cannot_be_searched_is_said_in_words_without_paths_or_commands(
    timeline: CaseTimeline, problem: Exception, says: str
) -> None:
    def broken() -> Any:
        raise problem

    learning = find_learning(broken, timeline_facts(timeline), [_entry(BABY.review_id)])
    annex = build_draft(timeline, case_view(learning), today=TODAY).sections[-1]

    assert learning.unavailable == says
    assert (annex.heading, [p.text for p in annex.paragraphs]) == (
        ANNEX_HEADING, [f"The library of published reviews could not be searched: {says}."],
    )  # fmt: skip
    assert find_learning(None, timeline_facts(timeline), []).unavailable == (
        "the library of published reviews is not set up here"
    )


def test_no_review_found_says_so(timeline: CaseTimeline) -> None:
    learning = find_learning(lambda: _Engine([]), timeline_facts(timeline), [])
    annex = build_draft(timeline, case_view(learning), today=TODAY)

    texts = _texts(render_docx(annex))
    assert texts[-2:] == [ANNEX_HEADING, "No similar published review was found in the library."]


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
